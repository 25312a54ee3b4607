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
import {
  assumedRoleCredentials,
  assumeRoleFailure,
  firstRoleCredentials,
  ROLE_RETRY_INTERVAL_MS,
  ROLE_WAIT_MS,
  roleSessionName,
} from './assume-role';
import { KeyInputs, RunInputs, VerificationInputs } from './inputs';
import { createKmsClient, createStsClient, KmsClientFactory, KmsClientSettings, RegionalKms, StsClientFactory } from './kms-clients';
import { classifyError } from './sdk-errors';

/** What the verification touches outside itself; tests replace any of them. */
export interface VerificationDeps {
  readonly clientFactory: KmsClientFactory;
  readonly stsClientFactory: StsClientFactory;
  /** Milliseconds on a monotonic clock. */
  readonly now: () => number;
  readonly randomBytes: (size: number) => Uint8Array;
  readonly randomUUID: () => string;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Pause between two tries of a call that IAM denied while KMS applies a new alias. */
export const PERMISSION_RETRY_INTERVAL_MS = 15_000;

/**
 * Keys verified at the same time. Each key has a dozen or more calls in flight, all through the
 * same client (and socket pool) per Region; more keys at once would only queue on the sockets
 * and add to the account's KMS request rate.
 */
export const KEY_CONCURRENCY = 4;

export const DEFAULT_DEPS: VerificationDeps = {
  clientFactory: (region, settings) => createKmsClient(region, settings),
  stsClientFactory: (region, settings) => createStsClient(region, settings),
  now: () => performance.now(),
  randomBytes: (size) => randomBytes(size),
  randomUUID: () => randomUUID(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface VerificationReport {
  /** Carried in every encryption context, to find this run's calls in CloudTrail. */
  readonly runId: string;
  /** In report order: by key, then check family, then Region. */
  readonly results: readonly CheckResult[];
  /** Wall-clock time of the whole run; checks overlap, so this is less than their sum. */
  readonly elapsedMs: number;
}

/**
 * The verification could not talk to KMS at all (no credentials, endpoint unreachable, for
 * every key), or could not assume the role, so its results say nothing about the keys.
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
 * Verifies every key; keys run concurrently (at most {@link KEY_CONCURRENCY} at a time) and
 * share one KMS client per Region. With a role, AssumeRole goes first: when it fails, nothing
 * can run. For each key the primary's DescribeKey goes first; when it gets no answer at all
 * (no credentials, KMS unreachable), that key's other checks are not run. When that happens
 * to every key, the run stops with {@link CannotRunError}: the trouble is the caller's, not a
 * key's. When some key got an answer, the others' unanswered calls are errors in their suites.
 */
export async function runVerification(inputs: RunInputs, deps: Partial<VerificationDeps> = {}): Promise<VerificationReport> {
  const { clientFactory, stsClientFactory, now, randomBytes: random, randomUUID: uuid, sleep } = { ...DEFAULT_DEPS, ...deps };
  const started = now();
  const runId = uuid();
  const primaryRegion = inputs.keys[0].primaryKey.region;
  const settings = { maxAttempts: inputs.maxAttempts, timeoutMs: inputs.timeoutMs };
  const report = (results: readonly CheckResult[]): VerificationReport => ({
    runId,
    results,
    elapsedMs: Math.max(0, now() - started),
  });

  const role = inputs.roleArn === undefined ? undefined : { arn: inputs.roleArn, sts: stsClientFactory(primaryRegion, settings) };
  try {
    let kmsSettings: KmsClientSettings = settings;
    if (role !== undefined) {
      const credentials = assumedRoleCredentials(role.sts, role.arn, roleSessionName(runId));
      try {
        // Up front: with no credentials for the role, no KMS call can say anything about a key.
        // A role just created may be denied for a while; the run waits for it within its permission wait, a minute at most.
        await firstRoleCredentials(credentials, {
          waitMs: Math.min(ROLE_WAIT_MS, inputs.permissionWaitSeconds * 1000),
          intervalMs: ROLE_RETRY_INTERVAL_MS,
          now,
          sleep,
        });
      } catch (error) {
        throw new CannotRunError(assumeRoleFailure(role.arn, error), report([]));
      }
      kmsSettings = { ...settings, credentials };
    }
    const kms = new RegionalKms(clientFactory, kmsSettings, {
      regions: [primaryRegion, ...inputs.replicaRegions],
      waitMs: inputs.permissionWaitSeconds * 1000,
      intervalMs: PERMISSION_RETRY_INTERVAL_MS,
      now,
      sleep,
    });
    try {
      const verifyKey = (key: KeyInputs) =>
        verifyOneKey({
          inputs: { ...inputs, ...key },
          kms,
          now,
          encryptionContext: { [RUN_ID_CONTEXT_KEY]: runId },
          randomBytes: random,
        }).catch((error: unknown): KeyVerdict => ({ results: [stoppedKey(key, error)] }));
      const verdicts = await mapConcurrently(inputs.keys, KEY_CONCURRENCY, verifyKey);
      const results = verdicts.flatMap((verdict, index) => withKeyName(verdict.results, inputs.keys[index].name));
      const reasons = verdicts.map((verdict) => verdict.cannotRun);
      if (reasons.every((reason): reason is string => reason !== undefined)) {
        throw new CannotRunError(reasons[0], report(results));
      }
      return report(results);
    } finally {
      kms.destroy();
    }
  } finally {
    role?.sts.destroy();
  }
}

/** One key's checks, in report order; `cannotRun` says why they stopped after the primary's DescribeKey. */
interface KeyVerdict {
  readonly results: readonly CheckResult[];
  readonly cannotRun?: string;
}

async function verifyOneKey(ctx: CheckContext): Promise<KeyVerdict> {
  const { inputs } = ctx;
  const primary = await checkPrimaryKey(ctx);
  const cannotRun = cannotRunReason(primary.result, inputs);
  if (cannotRun !== undefined) {
    return { results: [primary.result], cannotRun };
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
  return {
    results: [
      primary.result,
      ...(primary.listedReplicaRegions === undefined ? [] : retiredRegionNotes(ctx, primary.listedReplicaRegions)),
      ...replicaKeys,
      primaryCiphertext.encrypt,
      ...primaryCiphertext.decrypts,
      ...reverse,
      ...aliases,
      rotation,
      ...primaryCiphertext.refusals,
    ],
  };
}

/**
 * A key whose checks stopped on an error that no check caught (a defect): reported as an error
 * of that key, so that the other keys' results still count.
 */
function stoppedKey(key: KeyInputs, error: unknown): CheckResult {
  const { type, detail } = classifyError(error);
  return {
    family: 'primary-key',
    region: key.primaryKey.region,
    name: 'the checks of the key ran to the end',
    outcome: 'error',
    message: `the checks of this key stopped: ${detail}`,
    errorType: type,
    durationMs: 0,
  };
}

/** Results of a key from the key list carry its name, for the report; single-key results stay as they were. */
function withKeyName(results: readonly CheckResult[], name: string | undefined): CheckResult[] {
  return name === undefined ? [...results] : results.map((result) => ({ key: name, ...result }));
}

/** `map` with at most `limit` calls of `fn` pending at a time; results in the order of `items`. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
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
