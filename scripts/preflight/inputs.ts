import { parseArgs } from 'node:util';
import { flagProblem } from '../verify-replication/inputs';
import { isAwsRegionName, MultiRegionKeyArn, parseMultiRegionKeyArn, roleArnPartition } from '../verify-replication/key-arn';

/** What the preflight checks: the primary key, and each replica Region with the name of its key stack. */
export interface PreflightInputs {
  readonly primaryKey: MultiRegionKeyArn;
  /** Replica Region to the name of the key stack that the pipeline deploys there. */
  readonly replicaStacks: ReadonlyMap<string, string>;
  readonly alias: string;
  /** An IAM role whose temporary credentials every call uses; absent: the SDK's standard chain. */
  readonly roleArn?: string;
}

/** Bad or missing input; the message names the variable and says how to fix it. */
export class PreflightInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightInputError';
  }
}

export const PREFLIGHT_USAGE = `Usage: preflight-replica-regions [--role-arn <arn>]

Before the replica wave deploys: fails, with one line per Region and the runbook
docs/runbooks/adopt-an-orphaned-key.md, when a replica Region's key stack cannot be
created or updated because a failed first create left something behind: a replica of
the primary without its stack, the alias on another key, or a stack in ROLLBACK_COMPLETE.
When every Region is ready and the primary key is less than 5 minutes old, waits until
it is: KMS may take that long to apply the key's project tag, which the deploy role
needs to replicate the key.

Environment (required):
  PRIMARY_KEY_ARN   ARN of the primary multi-region key (key ID mrk-...)
  REPLICA_STACKS    region=stack-name pairs, comma-separated, e.g.
                    eu-west-1=kms-mrk-replica-key-eu-west-1
  KEY_ALIAS         the alias the replica stacks create, e.g. alias/app-data
Optional (the option wins over the variable):
  --role-arn <arn>  [PREFLIGHT_ROLE_ARN] IAM role to assume (STS AssumeRole in the
                    primary Region, one-hour session), in the key's partition; every
                    CloudFormation and KMS call, in every Region, uses its credentials.
  -h, --help        Print this help and exit.

AWS credentials and endpoints come from the SDK's standard chain (AWS_PROFILE,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, ...). Exit codes: 0 every Region is ready;
1 a Region needs the runbook, or could not be checked (also when the role cannot be
assumed); 2 bad input.`;

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** Reads and validates the command line and the environment. Throws {@link PreflightInputError}. */
export function parsePreflightInputs(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): PreflightInputs {
  const flags = parseFlags(argv);
  const value = (name: string, what: string): string => {
    const v = env[name]?.trim();
    if (v === undefined || v === '') throw new PreflightInputError(`${name} is required: set it to ${what}`);
    return v;
  };
  const arn = value('PRIMARY_KEY_ARN', 'the primary multi-region key ARN');
  const primaryKey = parseMultiRegionKeyArn(arn);
  if (typeof primaryKey === 'string') throw new PreflightInputError(`PRIMARY_KEY_ARN ${primaryKey}`);

  const replicaStacks = new Map<string, string>();
  for (const pair of value('REPLICA_STACKS', 'region=stack-name pairs, comma-separated').split(',')) {
    const [region, stackName, ...rest] = pair.trim().split('=');
    if (rest.length > 0 || region === undefined || stackName === undefined || !isAwsRegionName(region) || !STACK_NAME.test(stackName)) {
      throw new PreflightInputError(
        `REPLICA_STACKS must be region=stack-name pairs such as eu-west-1=kms-mrk-replica-key-eu-west-1, got "${pair.trim()}"`,
      );
    }
    if (region === primaryKey.region) {
      throw new PreflightInputError(`REPLICA_STACKS includes ${region}, the primary Region of PRIMARY_KEY_ARN: remove it`);
    }
    replicaStacks.set(region, stackName);
  }

  const alias = value('KEY_ALIAS', "the key's alias, e.g. alias/app-data");
  if (!/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(alias)) {
    throw new PreflightInputError(`KEY_ALIAS must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -, got "${alias}"`);
  }
  const role = (flags['role-arn'] ?? env.PREFLIGHT_ROLE_ARN)?.trim();
  const roleArn = role === undefined || role === '' ? undefined : roleInPartition(role, primaryKey.partition);
  return { primaryKey, replicaStacks, alias, roleArn };
}

const ROLE_INPUT = 'PREFLIGHT_ROLE_ARN (--role-arn)';

/** An IAM role ARN in the partition of the key: STS cannot hand out credentials for another partition. */
function roleInPartition(value: string, keyPartition: string): string {
  const partition = roleArnPartition(value);
  if (partition === undefined) {
    throw new PreflightInputError(
      `${ROLE_INPUT} must be an IAM role ARN such as arn:aws:iam::111122223333:role/kms-preflight, got "${value}"`,
    );
  }
  if (partition !== keyPartition) {
    throw new PreflightInputError(
      `${ROLE_INPUT} is in the partition ${partition}, the key in ${keyPartition}, got "${value}": use a role of the key's partition`,
    );
  }
  return value;
}

/** The options; `--help` is read before anything else (see the program's main). */
function parseFlags(argv: readonly string[]): { 'role-arn'?: string } {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { 'role-arn': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return { 'role-arn': values['role-arn'] };
  } catch (error) {
    throw new PreflightInputError(`${flagProblem(error)}: run with --help for the list of options`);
  }
}
