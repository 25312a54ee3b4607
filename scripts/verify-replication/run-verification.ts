import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CheckResult } from './check-result';
import {
  CheckContext,
  checkAlias,
  checkDecryptInReplica,
  checkKeyRotation,
  checkNoReplicaRegion,
  checkPrimaryKey,
  checkReplicaKey,
  checkReverseRoundTrip,
  encryptWithPrimary,
  retiredRegionNotes,
  RUN_ID_CONTEXT_KEY,
} from './checks';
import { VerificationInputs } from './inputs';
import { createKmsClient, KmsClientFactory, RegionalKms } from './kms-clients';

/** What the verification touches outside itself; tests replace any of them. */
export interface VerificationDeps {
  readonly clientFactory: KmsClientFactory;
  /** Milliseconds on a monotonic clock. */
  readonly now: () => number;
  readonly randomBytes: (size: number) => Uint8Array;
  readonly randomUUID: () => string;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Pause between two tries of a call that IAM denied while KMS applies a new alias. */
export const PERMISSION_RETRY_INTERVAL_MS = 15_000;

export const DEFAULT_DEPS: VerificationDeps = {
  clientFactory: (region, settings) => createKmsClient(region, settings),
  now: () => performance.now(),
  randomBytes: (size) => randomBytes(size),
  randomUUID: () => randomUUID(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface VerificationReport {
  /** Carried in every encryption context, to find this run's calls in CloudTrail. */
  readonly runId: string;
  /** In report order: by check family, then Region. */
  readonly results: readonly CheckResult[];
  /** Wall-clock time of the whole run; checks overlap, so this is less than their sum. */
  readonly elapsedMs: number;
}

/**
 * The verification could not talk to KMS at all (no credentials, endpoint unreachable),
 * so its results say nothing about the key.
 */
export class CannotRunError extends Error {
  constructor(
    message: string,
    readonly report: VerificationReport,
  ) {
    super(message);
    this.name = 'CannotRunError';
  }
}

/** Whether every check passed. */
export function allPassed(report: VerificationReport): boolean {
  return report.results.every((result) => result.outcome === 'pass');
}

/**
 * Runs every check. The primary's DescribeKey goes first: when it gets no answer at all
 * the run stops with {@link CannotRunError}. The remaining checks run concurrently.
 */
export async function runVerification(inputs: VerificationInputs, deps: Partial<VerificationDeps> = {}): Promise<VerificationReport> {
  const { clientFactory, now, randomBytes: random, randomUUID: uuid, sleep } = { ...DEFAULT_DEPS, ...deps };
  const started = now();
  const runId = uuid();
  const kms = new RegionalKms(
    clientFactory,
    { maxAttempts: inputs.maxAttempts, timeoutMs: inputs.timeoutMs },
    {
      regions: [inputs.primaryKey.region, ...inputs.replicaRegions],
      waitMs: inputs.permissionWaitSeconds * 1000,
      intervalMs: PERMISSION_RETRY_INTERVAL_MS,
      now,
      sleep,
    },
  );
  const ctx: CheckContext = {
    inputs,
    kms,
    now,
    encryptionContext: { [RUN_ID_CONTEXT_KEY]: runId },
    randomBytes: random,
  };
  const report = (results: readonly CheckResult[]): VerificationReport => ({
    runId,
    results,
    elapsedMs: Math.max(0, now() - started),
  });

  try {
    const primary = await checkPrimaryKey(ctx);
    const cannotRun = cannotRunReason(primary.result, inputs);
    if (cannotRun !== undefined) {
      throw new CannotRunError(cannotRun, report([primary.result]));
    }

    const { replicaRegions, noReplicaRegions, alias, primaryKey } = inputs;
    const [replicaKeys, primaryCiphertext, reverse, aliases, rotation] = await Promise.all([
      Promise.all(replicaRegions.map((region) => checkReplicaKey(ctx, region))),
      encryptWithPrimary(ctx).then(async ({ result, encrypted }) => {
        const [decrypts, refusals] = await Promise.all([
          Promise.all(replicaRegions.map((region) => checkDecryptInReplica(ctx, region, encrypted))),
          Promise.all(noReplicaRegions.map((region) => checkNoReplicaRegion(ctx, region, encrypted))),
        ]);
        return { encrypt: result, decrypts, refusals };
      }),
      Promise.all(replicaRegions.map((region) => checkReverseRoundTrip(ctx, region))),
      alias === undefined
        ? Promise.resolve([])
        : Promise.all([primaryKey.region, ...replicaRegions].map((region) => checkAlias(ctx, region, alias))),
      checkKeyRotation(ctx),
    ]);
    return report([
      primary.result,
      ...(primary.listedReplicaRegions === undefined ? [] : retiredRegionNotes(ctx, primary.listedReplicaRegions)),
      ...replicaKeys,
      primaryCiphertext.encrypt,
      ...primaryCiphertext.decrypts,
      ...reverse,
      ...aliases,
      rotation,
      ...primaryCiphertext.refusals,
    ]);
  } finally {
    kms.destroy();
  }
}

/** Only the primary's DescribeKey decides this: every later call goes to the same endpoint chain. */
function cannotRunReason(primary: CheckResult, inputs: VerificationInputs): string | undefined {
  if (primary.outcome !== 'error') {
    return undefined;
  }
  switch (primary.errorKind) {
    case 'credentials':
      return (
        `no AWS credentials (${primary.message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY, or run with an IAM role'
      );
    case 'authentication':
      return `KMS rejected the AWS credentials (${primary.message}): check AWS_PROFILE or the role's session`;
    case 'network':
    case 'timeout':
    case 'unknown':
      return (
        `could not reach KMS (${primary.message}; ${inputs.maxAttempts} attempt(s)): ` +
        'check network access and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_KMS'
      );
    default:
      return undefined;
  }
}
