import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { keyArnInRegion } from '../verify-replication/key-arn';
import { classifyError } from '../verify-replication/sdk-errors';
import { PreflightInputs } from './inputs';

/** The runbook that every finding points to. */
export const ORPHAN_RUNBOOK = 'docs/runbooks/adopt-an-orphaned-key.md';

/** The clients for one Region; tests replace them. */
export interface PreflightClients {
  kms(region: string): Pick<KMSClient, 'send'>;
  cloudFormation(region: string): Pick<CloudFormationClient, 'send'>;
}

export interface RegionVerdict {
  readonly region: string;
  /** `ready`: the replica stack can be created or updated; `blocked`: the runbook is needed; `unknown`: a call failed. */
  readonly outcome: 'ready' | 'blocked' | 'unknown';
  /** One line a person can act on. */
  readonly message: string;
}

/** A stack left by a failed first create: it holds nothing, and CloudFormation can only delete it. */
const FAILED_CREATE_STATUSES = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED']);

/** The runbook for a stack that exists but is stuck in a state that no update can start from. */
export const STUCK_STACK_RUNBOOK = 'docs/runbooks/troubleshooting.md#a-key-stack-is-stuck-in-a-failed-state';

/** Whether CloudFormation can start an update of a stack in this status (it cannot from a failed or review state). */
function isStuck(status: string): boolean {
  return status.endsWith('_FAILED') || status === 'REVIEW_IN_PROGRESS';
}

/**
 * Checks every replica Region at once. A Region is blocked when its key stack
 * does not exist yet (or is only the remains of a failed first create) and
 * (a) KMS already holds a replica of the primary there, which a new stack
 * cannot create again, or (b) the alias there belongs to another key, which a
 * new stack cannot create; or when the stack is in ROLLBACK_COMPLETE, which the
 * pipeline cannot update.
 */
export async function checkReplicaRegions(inputs: PreflightInputs, clients: PreflightClients): Promise<RegionVerdict[]> {
  const { primaryKey } = inputs;
  let replicaRegions: Promise<readonly string[]> | undefined;
  const listedReplicas = () =>
    (replicaRegions ??= clients
      .kms(primaryKey.region)
      .send(new DescribeKeyCommand({ KeyId: primaryKey.arn }))
      .then((out) => (out.KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys ?? []).map((r) => r.Region ?? '')));

  return Promise.all(
    [...inputs.replicaStacks].map(async ([region, stackName]): Promise<RegionVerdict> => {
      const verdict = (outcome: RegionVerdict['outcome'], message: string): RegionVerdict => ({ region, outcome, message });
      try {
        const status = await stackStatus(clients.cloudFormation(region), stackName);
        if (status !== undefined && !FAILED_CREATE_STATUSES.has(status)) {
          return isStuck(status)
            ? verdict('blocked', `${region}: stack ${stackName} is ${status}, which no deploy can update: follow ${STUCK_STACK_RUNBOOK}`)
            : verdict('ready', `${region}: stack ${stackName} exists (${status}); the deploy updates it`);
        }
        const problems: string[] = [];
        if (status !== undefined) {
          problems.push(`stack ${stackName} is ${status} after a failed first create, and the pipeline cannot update it`);
        }
        if ((await listedReplicas()).includes(region)) {
          problems.push(`a replica of ${primaryKey.arn} already exists here without its stack, and KMS refuses a second one`);
        }
        const aliasTarget = await aliasTargetKeyId(clients.kms(region), inputs.alias);
        if (aliasTarget !== undefined && aliasTarget !== primaryKey.keyId) {
          problems.push(`${inputs.alias} already points at key ${aliasTarget}, not at ${keyArnInRegion(primaryKey, region)}`);
        }
        if (problems.length === 0) {
          return verdict('ready', `${region}: no stack ${stackName} yet and nothing in the way; the deploy creates it`);
        }
        return verdict('blocked', `${region}: ${problems.join('; ')}: follow ${ORPHAN_RUNBOOK}`);
      } catch (error) {
        return verdict('unknown', `${region}: cannot tell whether the replica stack can deploy (${classifyError(error).detail})`);
      }
    }),
  );
}

async function stackStatus(client: Pick<CloudFormationClient, 'send'>, stackName: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return out.Stacks?.[0]?.StackStatus;
  } catch (error) {
    // CloudFormation answers a name that has no live stack with a ValidationError that says so.
    if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test(String((error as Error).message))) {
      return undefined;
    }
    throw error;
  }
}

async function aliasTargetKeyId(client: Pick<KMSClient, 'send'>, alias: string): Promise<string | undefined> {
  try {
    return (await client.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.KeyId;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFoundException') return undefined;
    throw error;
  }
}
