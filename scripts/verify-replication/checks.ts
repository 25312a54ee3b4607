import { KeyMetadata } from '@aws-sdk/client-kms';
import { CheckResult, CheckSpec, runCheck, Verdict, verdictFrom } from './check-result';
import { VerificationInputs } from './inputs';
import { keyArnInRegion } from './key-arn';
import { KmsCallError, RegionalKms } from './kms-clients';
import { classifyError } from './sdk-errors';

/** Encryption context key that ties every ciphertext to one verification run (visible in CloudTrail). */
export const RUN_ID_CONTEXT_KEY = 'verify-replication:run-id';

/** Size of the random plaintext of each round trip. */
export const PLAINTEXT_BYTES = 32;

export interface CheckContext {
  readonly inputs: VerificationInputs;
  readonly kms: RegionalKms;
  readonly now: () => number;
  readonly encryptionContext: Record<string, string>;
  readonly randomBytes: (size: number) => Uint8Array;
}

/** Ciphertext made by the primary key, with the plaintext it must decrypt to. */
export interface PrimaryCiphertext {
  readonly plaintext: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/**
 * Check 1: the primary is an enabled multi-region PRIMARY whose replicas are exactly the
 * configured (and retired) Regions.
 *
 * @returns the check, and the Regions the primary lists as replicas when KMS answered
 */
export async function checkPrimaryKey(ctx: CheckContext): Promise<{ result: CheckResult; listedReplicaRegions?: readonly string[] }> {
  const { primaryKey, replicaRegions, retiredReplicaRegions } = ctx.inputs;
  let listedReplicaRegions: string[] | undefined;
  const result = await runCheck(
    spec('primary-key', primaryKey.region, 'primary key is an enabled multi-region PRIMARY listing every replica Region'),
    ctx.now,
    async () => {
      const metadata = (await ctx.kms.describeKey(primaryKey.region, primaryKey.arn)).KeyMetadata;
      const replicaKeys = metadata?.MultiRegionConfiguration?.ReplicaKeys ?? [];
      const listed = replicaKeys.map((replica) => replica.Region ?? regionOfArn(replica.Arn));
      listedReplicaRegions = listed;
      const problems = keyProblems(metadata, primaryKey.arn, 'PRIMARY');
      const missing = replicaRegions.filter((region) => !listed.includes(region));
      if (missing.length > 0) {
        problems.push(`expected ReplicaKeys to include ${missing.join(', ')}, got [${listed.join(', ')}]`);
      }
      const unexpected = listed.filter((region) => !replicaRegions.includes(region) && !retiredReplicaRegions.includes(region));
      if (unexpected.length > 0) {
        problems.push(
          `unexpected replica Regions ${unexpected.join(', ')} in ReplicaKeys ` + '(not in REPLICA_REGIONS or RETIRED_REPLICA_REGIONS)',
        );
      }
      for (const replica of replicaKeys) {
        const region = replica.Region ?? regionOfArn(replica.Arn);
        const expectedArn = keyArnInRegion(primaryKey, region);
        if (replica.Arn !== expectedArn) {
          problems.push(`expected replica Arn ${expectedArn}, got ${replica.Arn}`);
        }
      }
      return verdictFrom(problems);
    },
  );
  return { result, listedReplicaRegions };
}

/** Retired Regions are reported, never failed: a retained replica is expected to linger. */
export function retiredRegionNotes(ctx: CheckContext, listedReplicaRegions: readonly string[]): CheckResult[] {
  return ctx.inputs.retiredReplicaRegions.map((region) => {
    const listed = listedReplicaRegions.includes(region);
    return {
      ...spec(
        'primary-key',
        region,
        listed
          ? 'retired Region is still a replica of the primary (retained replica, not tested)'
          : 'retired Region is no longer a replica of the primary',
      ),
      outcome: 'pass',
      message: listed
        ? `${region} is in RETIRED_REPLICA_REGIONS and the primary still lists a replica there`
        : `${region} is in RETIRED_REPLICA_REGIONS and the primary lists no replica there`,
      durationMs: 0,
    };
  });
}

/** Check 2: the replica in `region` is an enabled REPLICA whose primary is the configured key. */
export function checkReplicaKey(ctx: CheckContext, region: string): Promise<CheckResult> {
  const replicaArn = keyArnInRegion(ctx.inputs.primaryKey, region);
  return runCheck(spec('replica-keys', region, 'replica key is an enabled REPLICA of the primary'), ctx.now, async () => {
    const metadata = (await ctx.kms.describeKey(region, replicaArn)).KeyMetadata;
    const problems = keyProblems(metadata, replicaArn, 'REPLICA');
    const primaryArn = metadata?.MultiRegionConfiguration?.PrimaryKey?.Arn;
    if (primaryArn !== ctx.inputs.primaryKey.arn) {
      problems.push(`expected PrimaryKey.Arn ${ctx.inputs.primaryKey.arn}, got ${primaryArn}`);
    }
    return verdictFrom(problems);
  });
}

/** Check 3, first half: encrypt fresh random bytes with the primary key. */
export async function encryptWithPrimary(ctx: CheckContext): Promise<{ result: CheckResult; encrypted?: PrimaryCiphertext }> {
  const { primaryKey } = ctx.inputs;
  let encrypted: PrimaryCiphertext | undefined;
  const result = await runCheck(
    spec('round-trip-primary-to-replicas', primaryKey.region, 'Encrypt with the primary key'),
    ctx.now,
    async () => {
      const plaintext = ctx.randomBytes(PLAINTEXT_BYTES);
      const output = await ctx.kms.encrypt(primaryKey.region, primaryKey.arn, plaintext, ctx.encryptionContext);
      const problems = responseKeyProblems(output.KeyId, primaryKey.arn);
      if (output.CiphertextBlob === undefined || output.CiphertextBlob.length === 0) {
        problems.push('expected a CiphertextBlob, got none');
      } else {
        encrypted = { plaintext, ciphertext: output.CiphertextBlob };
      }
      return verdictFrom(problems);
    },
  );
  return { result, encrypted };
}

/** Check 3: the primary's ciphertext decrypts with the replica in `region`. */
export function checkDecryptInReplica(ctx: CheckContext, region: string, encrypted: PrimaryCiphertext | undefined): Promise<CheckResult> {
  const { primaryKey } = ctx.inputs;
  const replicaArn = keyArnInRegion(primaryKey, region);
  const check = spec('round-trip-primary-to-replicas', region, `ciphertext from ${primaryKey.region} decrypts with the replica key`);
  if (encrypted === undefined) {
    return Promise.resolve(notRun(check, primaryKey.region));
  }
  return runCheck(check, ctx.now, async () => {
    const output = await ctx.kms.decrypt(region, replicaArn, encrypted.ciphertext, ctx.encryptionContext);
    return verdictFrom([
      ...responseKeyProblems(output.KeyId, replicaArn),
      ...plaintextProblems(output.Plaintext, encrypted.plaintext, primaryKey.region),
    ]);
  });
}

/** Check 4: ciphertext made by the replica in `region` decrypts with the primary. */
export function checkReverseRoundTrip(ctx: CheckContext, region: string): Promise<CheckResult> {
  const { primaryKey } = ctx.inputs;
  const replicaArn = keyArnInRegion(primaryKey, region);
  return runCheck(
    spec('round-trip-replicas-to-primary', region, `ciphertext from the replica key decrypts in ${primaryKey.region}`),
    ctx.now,
    async () => {
      const plaintext = ctx.randomBytes(PLAINTEXT_BYTES);
      const encrypted = await ctx.kms.encrypt(region, replicaArn, plaintext, ctx.encryptionContext);
      const problems = responseKeyProblems(encrypted.KeyId, replicaArn);
      if (encrypted.CiphertextBlob === undefined || encrypted.CiphertextBlob.length === 0) {
        return verdictFrom([...problems, `expected a CiphertextBlob from Encrypt in ${region}, got none`]);
      }
      const decrypted = await ctx.kms.decrypt(primaryKey.region, primaryKey.arn, encrypted.CiphertextBlob, ctx.encryptionContext);
      return verdictFrom([
        ...problems,
        ...responseKeyProblems(decrypted.KeyId, primaryKey.arn),
        ...plaintextProblems(decrypted.Plaintext, plaintext, region),
      ]);
    },
  );
}

/** Check 5: the alias resolves to the multi-region key in `region`. */
export function checkAlias(ctx: CheckContext, region: string, alias: string): Promise<CheckResult> {
  const { keyId } = ctx.inputs.primaryKey;
  return runCheck(spec('alias', region, `${alias} resolves to ${keyId}`), ctx.now, async () => {
    const metadata = (await ctx.kms.describeKey(region, alias)).KeyMetadata;
    return verdictFrom(metadata?.KeyId === keyId ? [] : [`expected ${alias} to resolve to ${keyId}, got ${metadata?.KeyId}`]);
  });
}

/** Check 6: automatic rotation of the primary is as configured (replicas follow the primary). */
export function checkKeyRotation(ctx: CheckContext): Promise<CheckResult> {
  const { primaryKey, expectKeyRotation } = ctx.inputs;
  const state = expectKeyRotation ? 'enabled' : 'disabled';
  return runCheck(spec('key-rotation', primaryKey.region, `automatic key rotation is ${state}`), ctx.now, async () => {
    const output = await ctx.kms.getKeyRotationStatus(primaryKey.region, primaryKey.arn);
    return verdictFrom(
      output.KeyRotationEnabled === expectKeyRotation
        ? []
        : [`expected KeyRotationEnabled ${expectKeyRotation}, got ${output.KeyRotationEnabled}`],
    );
  });
}

/**
 * Check 7: the primary's ciphertext must not decrypt in a Region without a replica.
 * Only a refusal from KMS proves that; no answer (network, credentials, timeout) is an error.
 */
export function checkNoReplicaRegion(ctx: CheckContext, region: string, encrypted: PrimaryCiphertext | undefined): Promise<CheckResult> {
  const { primaryKey } = ctx.inputs;
  const check = spec('no-replica-regions', region, `ciphertext from ${primaryKey.region} is refused (no replica here)`);
  if (encrypted === undefined) {
    return Promise.resolve(notRun(check, primaryKey.region));
  }
  return runCheck(check, ctx.now, async (): Promise<Verdict> => {
    try {
      const output = await ctx.kms.decrypt(region, keyArnInRegion(primaryKey, region), encrypted.ciphertext, ctx.encryptionContext);
      return {
        outcome: 'fail',
        message: `expected Decrypt in ${region} to be refused, got ${output.Plaintext?.length ?? 0} bytes of plaintext from key ${output.KeyId}`,
      };
    } catch (error) {
      const classified = classifyError(error instanceof KmsCallError ? error.cause : error);
      if (classified.kind === 'refusal') {
        return { outcome: 'pass', message: `KMS refused Decrypt in ${region}: ${classified.detail}` };
      }
      const got =
        classified.kind === 'permission'
          ? `got an IAM denial, which proves nothing about the key (allow the verification role kms:Decrypt in ${region})`
          : 'got no answer';
      return {
        outcome: 'error',
        message: `expected KMS to refuse Decrypt in ${region}, ${got}: ${classified.detail}`,
        errorType: classified.type,
        errorKind: classified.kind,
      };
    }
  });
}

function spec(family: CheckSpec['family'], region: string, name: string): CheckSpec {
  return { family, region, name };
}

function notRun(check: CheckSpec, primaryRegion: string): CheckResult {
  return {
    ...check,
    outcome: 'error',
    message: `not run: Encrypt with the primary key in ${primaryRegion} produced no ciphertext`,
    errorType: 'NotRun',
    durationMs: 0,
  };
}

function keyProblems(metadata: KeyMetadata | undefined, expectedArn: string, keyType: 'PRIMARY' | 'REPLICA'): string[] {
  if (metadata === undefined) {
    return ['expected KeyMetadata, got none'];
  }
  const problems: string[] = [];
  if (metadata.Arn !== expectedArn) {
    problems.push(`expected Arn ${expectedArn}, got ${metadata.Arn}`);
  }
  if (metadata.KeyState !== 'Enabled') {
    problems.push(`expected KeyState Enabled, got ${metadata.KeyState}`);
  }
  if (metadata.MultiRegion !== true) {
    problems.push(`expected MultiRegion true, got ${metadata.MultiRegion}`);
  }
  const actualType = metadata.MultiRegionConfiguration?.MultiRegionKeyType;
  if (actualType !== keyType) {
    problems.push(`expected MultiRegionKeyType ${keyType}, got ${actualType}`);
  }
  return problems;
}

function responseKeyProblems(actual: string | undefined, expectedArn: string): string[] {
  return actual === expectedArn ? [] : [`expected response KeyId ${expectedArn}, got ${actual}`];
}

function plaintextProblems(actual: Uint8Array | undefined, expected: Uint8Array, sourceRegion: string): string[] {
  if (actual === undefined) {
    return [`expected the ${expected.length} bytes encrypted in ${sourceRegion}, got no Plaintext`];
  }
  if (Buffer.from(actual).equals(Buffer.from(expected))) {
    return [];
  }
  const firstDifference = expected.findIndex((byte, index) => actual[index] !== byte);
  return [
    `expected the ${expected.length} bytes encrypted in ${sourceRegion}, got ${actual.length} bytes ` +
      `differing from byte ${firstDifference === -1 ? expected.length : firstDifference}`,
  ];
}

/** `arn:aws:kms:eu-west-1:...` → `eu-west-1`, for responses that omit `Region`. */
function regionOfArn(arn: string | undefined): string {
  return arn?.split(':')[3] ?? 'unknown';
}
