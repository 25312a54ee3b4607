/**
 * Runs beside the approval, before the replica wave: makes sure that no replica
 * Region holds what a failed first create left behind (see PREFLIGHT_USAGE).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { KMSClient } from '@aws-sdk/client-kms';
import { checkReplicaRegions, PreflightClients } from './preflight/check-replica-regions';
import { parsePreflightInputs, PREFLIGHT_USAGE, PreflightInputError } from './preflight/inputs';
import { tagSettleWait } from './preflight/tag-settle';
import { oneLine } from './verify-replication/sdk-errors';

export const EXIT_READY = 0;
export const EXIT_BLOCKED = 1;
export const EXIT_BAD_INPUT = 2;

const SDK_CLIENTS: PreflightClients = {
  kms: (region) => new KMSClient({ region, maxAttempts: 3 }),
  cloudFormation: (region) => new CloudFormationClient({ region, maxAttempts: 3 }),
};

/** The time, and a way to wait; tests replace them. */
export interface PreflightClock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: PreflightClock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: { stdout(line: string): void; stderr(line: string): void },
  clients: PreflightClients = SDK_CLIENTS,
  clock: PreflightClock = REAL_CLOCK,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    output.stdout(PREFLIGHT_USAGE);
    return EXIT_READY;
  }
  let inputs;
  try {
    inputs = parsePreflightInputs(env);
  } catch (error) {
    if (!(error instanceof PreflightInputError)) throw error;
    output.stderr(`preflight: ${error.message}`);
    return EXIT_BAD_INPUT;
  }
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
