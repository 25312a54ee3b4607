/**
 * Runs beside the approval, before the replica wave: makes sure that no replica
 * Region holds what a failed first create left behind (see PREFLIGHT_USAGE).
 */
import { randomUUID } from 'node:crypto';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { checkReplicaRegions, PreflightClients } from './preflight/check-replica-regions';
import { parsePreflightInputs, PREFLIGHT_USAGE, PreflightInputError } from './preflight/inputs';
import { tagSettleWait } from './preflight/tag-settle';
import {
  assumedRoleCredentials,
  assumeRoleFailure,
  CredentialsProvider,
  firstRoleCredentials,
  ROLE_RETRY_INTERVAL_MS,
  ROLE_WAIT_MS,
  roleSessionName,
} from './verify-replication/assume-role';
import { DEFAULT_TIMEOUT_MS } from './verify-replication/inputs';
import { createStsClient } from './verify-replication/kms-clients';
import { oneLine } from './verify-replication/sdk-errors';

export const EXIT_READY = 0;
export const EXIT_BLOCKED = 1;
export const EXIT_BAD_INPUT = 2;

/** Attempts per call, retries included. */
const MAX_ATTEMPTS = 3;

/**
 * The SDK's clients. Endpoints come from the SDK's standard settings (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_KMS`, ...:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); credentials too, unless a role's are given.
 */
export function sdkClients(credentials?: CredentialsProvider): {
  kms(region: string): KMSClient;
  cloudFormation(region: string): CloudFormationClient;
} {
  const signing = credentials === undefined ? {} : { credentials };
  return {
    kms: (region) => new KMSClient({ region, maxAttempts: MAX_ATTEMPTS, ...signing }),
    cloudFormation: (region) => new CloudFormationClient({ region, maxAttempts: MAX_ATTEMPTS, ...signing }),
  };
}

/** What the preflight touches outside itself; tests replace any of them. */
export interface PreflightDeps {
  /** The clients, signing with the given credentials; without them, with the SDK's standard chain. */
  readonly clients: (credentials?: CredentialsProvider) => PreflightClients;
  /** The client that assumes the role; its own credentials and endpoint (`AWS_ENDPOINT_URL_STS`, ...) are the standard chain's. */
  readonly stsClient: (region: string) => STSClient;
  /** Names the run in the role's session name. */
  readonly randomUUID: () => string;
  readonly clock: PreflightClock;
}

/** The time, and a way to wait; tests replace them. */
export interface PreflightClock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: PreflightClock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The STS call's limits: the attempts of the other calls, and the verification's default limit per attempt. */
const STS_SETTINGS = { maxAttempts: MAX_ATTEMPTS, timeoutMs: DEFAULT_TIMEOUT_MS };

const DEFAULT_DEPS: PreflightDeps = {
  clients: sdkClients,
  stsClient: (region) => createStsClient(region, STS_SETTINGS),
  randomUUID: () => randomUUID(),
  clock: REAL_CLOCK,
};

export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: { stdout(line: string): void; stderr(line: string): void },
  deps: Partial<PreflightDeps> = {},
): Promise<number> {
  const { clients: makeClients, stsClient, randomUUID: uuid, clock } = { ...DEFAULT_DEPS, ...deps };
  if (argv.includes('--help') || argv.includes('-h')) {
    output.stdout(PREFLIGHT_USAGE);
    return EXIT_READY;
  }
  let inputs;
  try {
    inputs = parsePreflightInputs(env, argv);
  } catch (error) {
    if (!(error instanceof PreflightInputError)) throw error;
    output.stderr(`preflight: ${error.message}`);
    return EXIT_BAD_INPUT;
  }

  const role = inputs.roleArn === undefined ? undefined : { arn: inputs.roleArn, sts: stsClient(inputs.primaryKey.region) };
  try {
    let credentials: CredentialsProvider | undefined;
    if (role !== undefined) {
      const sessionName = roleSessionName(uuid(), 'preflight');
      // One AssumeRole, in the primary Region; every client of the run shares its credentials.
      credentials = assumedRoleCredentials(role.sts, role.arn, sessionName);
      try {
        // Up front: without the role's credentials no call can tell anything about a Region.
        await firstRoleCredentials(credentials, {
          waitMs: ROLE_WAIT_MS,
          intervalMs: ROLE_RETRY_INTERVAL_MS,
          now: () => clock.now().getTime(),
          sleep: (ms) => clock.sleep(ms),
        });
      } catch (error) {
        output.stderr(`preflight: ${oneLine(assumeRoleFailure(role.arn, error))}`);
        return EXIT_BLOCKED;
      }
      output.stdout(`preflight: as ${role.arn}, session ${sessionName}`);
    }
    const clients = makeClients(credentials);

    const verdicts = await checkReplicaRegions(inputs, clients);
    for (const verdict of verdicts) {
      (verdict.outcome === 'ready' ? output.stdout : output.stderr)(`preflight: ${oneLine(verdict.message)}`);
    }
    if (!verdicts.every((v) => v.outcome === 'ready')) return EXIT_BLOCKED;
    // A primary key created minutes ago may not yet count as tagged, and the deploy role may replicate only tagged keys.
    const wait = await tagSettleWait(inputs.primaryKey, clients.kms(inputs.primaryKey.region), clock.now());
    if (wait !== undefined) {
      output.stdout(`preflight: ${wait.message}`);
      await clock.sleep(wait.ms);
    }
    return EXIT_READY;
  } finally {
    role?.sts.destroy();
  }
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv.slice(2), process.env, {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`preflight: unexpected error: ${oneLine(String(error))}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    },
  );
}
