import 'aws-sdk-client-mock-jest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { EXIT_CANNOT_RUN, EXIT_CHECKS_FAILED, EXIT_PASSED, main } from '../../scripts/verify-replication';
import { CheckFamily, CheckResult } from '../../scripts/verify-replication/check-result';
import { RUN_ID_CONTEXT_KEY } from '../../scripts/verify-replication/checks';
import { CannotRunError, runVerification, VerificationDeps, VerificationReport } from '../../scripts/verify-replication/run-verification';
import { FakeKms, KEY_ID, keyArn, OTHER_KEY_ID } from './fake-kms';
import { mockedKmsClients, mockKmsWith, serviceException } from './kms-mock';
import {
  ALIAS,
  allTestcases,
  NO_REPLICA_REGIONS,
  parseJUnit,
  PRIMARY_ARN,
  PRIMARY_REGION,
  REPLICA_REGIONS,
  suiteNamed,
  verificationInputs,
} from './verify-replication.fixtures';

const RUN_ID = '6f1c1c0e-2f0e-4a4e-9a53-3c1b1f0d2a11';
const CONTEXT = { [RUN_ID_CONTEXT_KEY]: RUN_ID };
const [EU_WEST_1, AP_SOUTHEAST_2] = REPLICA_REGIONS;
const [US_WEST_2] = NO_REPLICA_REGIONS;

const clientFactory = mockedKmsClients;

const deps: Partial<VerificationDeps> = {
  clientFactory,
  randomUUID: () => RUN_ID,
  randomBytes: (size) => new Uint8Array(size).fill(0xab),
};

let fake: FakeKms;
let kmsMock: AwsClientStub<KMSClient>;
let workDir: string;

beforeEach(() => {
  fake = FakeKms.healthy({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, alias: ALIAS });
  kmsMock = mockKmsWith(fake);
  workDir = mkdtempSync(join(tmpdir(), 'verify-replication-checks-'));
});

afterEach(() => {
  kmsMock.restore();
  rmSync(workDir, { recursive: true, force: true });
});

function result(report: VerificationReport, family: CheckFamily, region: string): CheckResult {
  const found = report.results.filter((candidate) => candidate.family === family && candidate.region === region);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Makes DescribeKey of the primary answer with an enabled multi-region primary listing `replicaKeys`. */
function describePrimaryAs(replicaKeys: Array<{ Region?: string; Arn?: string }>, arn = PRIMARY_ARN): void {
  kmsMock.on(DescribeKeyCommand, { KeyId: PRIMARY_ARN }).resolves({
    KeyMetadata: {
      KeyId: KEY_ID,
      Arn: arn,
      KeyState: 'Enabled',
      MultiRegion: true,
      MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', ReplicaKeys: replicaKeys },
    },
  });
}

function notPassing(report: VerificationReport): string[] {
  return report.results
    .filter((candidate) => candidate.outcome !== 'pass')
    .map((candidate) => `${candidate.outcome} ${candidate.family} ${candidate.region}`);
}

/** Runs the program as the pipeline would, with the mocked clients, and reads its report. */
async function runProgram(extraArgs: string[] = []) {
  const reportPath = join(workDir, 'nested', 'dir', 'verify.xml');
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(
    [
      '--primary-key-arn',
      PRIMARY_ARN,
      '--replica-regions',
      REPLICA_REGIONS.join(','),
      '--no-replica-regions',
      NO_REPLICA_REGIONS.join(','),
      '--alias',
      ALIAS,
      '--report',
      reportPath,
      '--max-attempts',
      '1',
      ...extraArgs,
    ],
    {},
    { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) },
    deps,
  );
  const junit = () => parseJUnit(readFileSync(reportPath, 'utf8'));
  return { code, stdout, stderr, junit };
}

describe('a healthy multi-region key', () => {
  test('passes every check and exits 0 with a clean JUnit report', async () => {
    const run = await runProgram();

    expect(run.stderr).toEqual([]);
    expect(run.code).toBe(EXIT_PASSED);
    const junit = run.junit();
    // 1 primary + 2 replicas + 1 encrypt + 2 decrypts + 2 reverse + 3 aliases + 1 rotation + 1 no-replica
    expect(junit.testsuites).toMatchObject({ tests: '13', failures: '0', errors: '0' });
    expect(junit.testsuites.testsuite.map((suite) => [suite.name, suite.tests])).toEqual([
      ['primary-key', '1'],
      ['replica-keys', '2'],
      ['round-trip-primary-to-replicas', '3'],
      ['round-trip-replicas-to-primary', '2'],
      ['alias', '3'],
      ['key-rotation', '1'],
      ['no-replica-regions', '1'],
    ]);
    for (const testcase of allTestcases(junit)) {
      expect(testcase.time).toMatch(/^\d+\.\d{3}$/);
      expect(testcase.failure).toBeUndefined();
      expect(testcase.error).toBeUndefined();
    }
    expect(run.stdout.at(-1)).toMatch(/^TOTAL 13 checks: 13 passed, 0 failed, 0 errors in \d+ ms/);
    expect(run.stdout.filter((line) => line.startsWith('PASS '))).toHaveLength(13);
  });

  test('names each check in the report by its Region and what it proves', async () => {
    const run = await runProgram();

    expect(allTestcases(run.junit()).map((testcase) => testcase.name)).toEqual([
      'us-east-1: primary key is an enabled multi-region PRIMARY listing every replica Region',
      'eu-west-1: replica key is an enabled REPLICA of the primary',
      'ap-southeast-2: replica key is an enabled REPLICA of the primary',
      'us-east-1: Encrypt with the primary key',
      'eu-west-1: ciphertext from us-east-1 decrypts with the replica key',
      'ap-southeast-2: ciphertext from us-east-1 decrypts with the replica key',
      'eu-west-1: ciphertext from the replica key decrypts in us-east-1',
      'ap-southeast-2: ciphertext from the replica key decrypts in us-east-1',
      `us-east-1: ${ALIAS} resolves to ${KEY_ID}`,
      `eu-west-1: ${ALIAS} resolves to ${KEY_ID}`,
      `ap-southeast-2: ${ALIAS} resolves to ${KEY_ID}`,
      'us-east-1: automatic key rotation is enabled',
      'us-west-2: ciphertext from us-east-1 is refused (no replica here)',
    ]);
  });

  test('sends each call to the right Region with the run id in the encryption context', async () => {
    const report = await runVerification(verificationInputs(), deps);

    expect(notPassing(report)).toEqual([]);
    expect(report.runId).toBe(RUN_ID);
    expect(kmsMock).toHaveReceivedCommandWith(EncryptCommand, { KeyId: PRIMARY_ARN, EncryptionContext: CONTEXT });
    for (const region of REPLICA_REGIONS) {
      expect(kmsMock).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: keyArn(region) });
      expect(kmsMock).toHaveReceivedCommandWith(EncryptCommand, { KeyId: keyArn(region), EncryptionContext: CONTEXT });
      expect(kmsMock).toHaveReceivedCommandWith(DecryptCommand, { KeyId: keyArn(region), EncryptionContext: CONTEXT });
    }
    expect(kmsMock).toHaveReceivedCommandWith(DecryptCommand, { KeyId: keyArn(US_WEST_2), EncryptionContext: CONTEXT });
    expect(kmsMock).toHaveReceivedCommandWith(DecryptCommand, { KeyId: PRIMARY_ARN, EncryptionContext: CONTEXT });
    expect(kmsMock).toHaveReceivedCommandWith(GetKeyRotationStatusCommand, { KeyId: PRIMARY_ARN });
    // Primary Encrypt + one per replica; Decrypt in each replica, in the primary per replica, and in us-west-2.
    expect(kmsMock).toHaveReceivedCommandTimes(EncryptCommand, 3);
    expect(kmsMock).toHaveReceivedCommandTimes(DecryptCommand, 5);
    // Primary and replicas by ARN, plus the alias in all three Regions.
    expect(kmsMock).toHaveReceivedCommandTimes(DescribeKeyCommand, 6);
    expect(
      fake
        .callsTo('DescribeKey')
        .filter((call) => call.input.KeyId === ALIAS)
        .map((call) => call.region),
    ).toEqual(expect.arrayContaining([PRIMARY_REGION, ...REPLICA_REGIONS]));
  });

  test('creates one client per Region', async () => {
    const created: string[] = [];
    await runVerification(verificationInputs(), {
      ...deps,
      clientFactory: (region, settings) => {
        created.push(region);
        expect(settings).toEqual({ maxAttempts: 1, timeoutMs: 2_000 });
        return clientFactory(region, settings);
      },
    });

    expect(created.sort()).toEqual([AP_SOUTHEAST_2, EU_WEST_1, PRIMARY_REGION, US_WEST_2].sort());
  });

  test('checks the replica Regions concurrently', async () => {
    // Each replica's DescribeKey answers only once the other's has arrived: run one after the other, it times out.
    const arrived = new Set<string>();
    let release: () => void = () => undefined;
    const bothArrived = new Promise<void>((resolve) => (release = resolve));
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the replica Regions were checked one after the other')), 1_000);
    });
    giveUp.catch(() => undefined);
    for (const region of REPLICA_REGIONS) {
      kmsMock.on(DescribeKeyCommand, { KeyId: keyArn(region) }).callsFake(async (input, getClient) => {
        arrived.add(region);
        if (arrived.size === REPLICA_REGIONS.length) {
          release();
        }
        await Promise.race([bothArrived, giveUp]);
        return fake.handle(await getClient().config.region(), 'DescribeKey', input);
      });
    }

    const report = await runVerification(verificationInputs(), deps).finally(() => clearTimeout(timer));

    expect(notPassing(report)).toEqual([]);
  });
});

describe('primary key', () => {
  test('fails when a configured replica Region is missing from ReplicaKeys', async () => {
    fake.key(PRIMARY_REGION).replicaRegions = [AP_SOUTHEAST_2];

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const suite = suiteNamed(run.junit(), 'primary-key');
    expect(suite).toMatchObject({ tests: '1', failures: '1', errors: '0' });
    expect(suite.testcase[0].failure?.message).toBe(`expected ReplicaKeys to include ${EU_WEST_1}, got [${AP_SOUTHEAST_2}]`);
    expect(run.stdout).toContainEqual(expect.stringMatching(/^FAIL\s+us-east-1 .*expected ReplicaKeys to include eu-west-1/));
  });

  test('fails on an unexpected replica Region and reports a retired one as a passing note', async () => {
    fake.key(PRIMARY_REGION).replicaRegions = [...REPLICA_REGIONS, 'eu-west-3', 'ap-south-1'];

    const report = await runVerification(verificationInputs({ retiredReplicaRegions: ['eu-west-3', 'sa-east-1'] }), deps);

    expect(result(report, 'primary-key', PRIMARY_REGION)).toMatchObject({
      outcome: 'fail',
      message: 'unexpected replica Regions ap-south-1 in ReplicaKeys (not in REPLICA_REGIONS or RETIRED_REPLICA_REGIONS)',
    });
    expect(result(report, 'primary-key', 'eu-west-3')).toMatchObject({
      outcome: 'pass',
      name: 'retired Region is still a replica of the primary (retained replica, not tested)',
    });
    expect(result(report, 'primary-key', 'sa-east-1')).toMatchObject({
      outcome: 'pass',
      name: 'retired Region is no longer a replica of the primary',
    });
    expect(kmsMock).not.toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: keyArn('eu-west-3') });
    expect(kmsMock).not.toHaveReceivedCommandWith(DecryptCommand, { KeyId: keyArn('eu-west-3') });
  });

  test('passes with only a retired extra, and the note reaches the JUnit report', async () => {
    fake.key(PRIMARY_REGION).replicaRegions = [...REPLICA_REGIONS, 'eu-west-3'];

    const run = await runProgram(['--retired-replica-regions', 'eu-west-3']);

    expect(run.code).toBe(EXIT_PASSED);
    const suite = suiteNamed(run.junit(), 'primary-key');
    expect(suite).toMatchObject({ tests: '2', failures: '0', errors: '0' });
    expect(suite.testcase[1]).toMatchObject({
      name: 'eu-west-3: retired Region is still a replica of the primary (retained replica, not tested)',
      'system-out': 'eu-west-3 is in RETIRED_REPLICA_REGIONS and the primary still lists a replica there',
    });
  });

  test('names every wrong property of the primary, expected vs got', async () => {
    Object.assign(fake.key(PRIMARY_REGION), { keyState: 'PendingDeletion', type: 'REPLICA' });

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'primary-key', PRIMARY_REGION).message).toBe(
      'expected KeyState Enabled, got PendingDeletion; expected MultiRegionKeyType PRIMARY, got REPLICA',
    );
  });

  test('fails (not exit 2) when KMS answers that the primary does not exist', async () => {
    fake.keys.delete(`${PRIMARY_REGION}/${fake.key(PRIMARY_REGION).keyId}`);

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    expect(suiteNamed(run.junit(), 'primary-key').testcase[0].failure?.message).toBe(
      `expected DescribeKey in us-east-1 to succeed, got NotFoundException: Key '${PRIMARY_ARN}' does not exist`,
    );
  });
  test('fails when DescribeKey of the primary answers with the metadata of another key', async () => {
    const otherArn = keyArn(PRIMARY_REGION, OTHER_KEY_ID);
    describePrimaryAs(
      REPLICA_REGIONS.map((region) => ({ Region: region, Arn: keyArn(region) })),
      otherArn,
    );

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'primary-key', PRIMARY_REGION)).toMatchObject({
      outcome: 'fail',
      message: `expected Arn ${PRIMARY_ARN}, got ${otherArn}`,
    });
  });

  test('takes the Region of a listed replica from its ARN when KMS leaves Region out', async () => {
    describePrimaryAs([{ Arn: keyArn(EU_WEST_1) }, { Arn: keyArn(AP_SOUTHEAST_2) }, {}]);

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'primary-key', PRIMARY_REGION)).toMatchObject({
      outcome: 'fail',
      message:
        'unexpected replica Regions unknown in ReplicaKeys (not in REPLICA_REGIONS or RETIRED_REPLICA_REGIONS); ' +
        `expected replica Arn ${keyArn('unknown')}, got undefined`,
    });
  });

  test('fails when ReplicaKeys lists the right Region with the ARN of another key', async () => {
    const otherReplica = keyArn(EU_WEST_1, OTHER_KEY_ID);
    describePrimaryAs([
      { Region: EU_WEST_1, Arn: otherReplica },
      { Region: AP_SOUTHEAST_2, Arn: keyArn(AP_SOUTHEAST_2) },
    ]);

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'primary-key', PRIMARY_REGION)).toMatchObject({
      outcome: 'fail',
      message: `expected replica Arn ${keyArn(EU_WEST_1)}, got ${otherReplica}`,
    });
  });
});

describe('replica keys', () => {
  test('a disabled replica fails its key check and both round trips', async () => {
    fake.key(EU_WEST_1).keyState = 'Disabled';

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const junit = run.junit();
    expect(suiteNamed(junit, 'replica-keys')).toMatchObject({ failures: '1', errors: '0' });
    expect(suiteNamed(junit, 'replica-keys').testcase[0].failure?.message).toBe('expected KeyState Enabled, got Disabled');
    expect(suiteNamed(junit, 'round-trip-primary-to-replicas').testcase[1].failure?.message).toMatch(
      /^expected Decrypt in eu-west-1 to succeed, got DisabledException/,
    );
    expect(suiteNamed(junit, 'round-trip-replicas-to-primary').testcase[0].failure?.message).toMatch(
      /^expected Encrypt in eu-west-1 to succeed, got DisabledException/,
    );
    expect(junit.testsuites).toMatchObject({ failures: '3', errors: '0' });
  });

  test('fails when the replica belongs to another primary key', async () => {
    const otherPrimary = keyArn(PRIMARY_REGION, OTHER_KEY_ID);
    fake.key(AP_SOUTHEAST_2).primaryArn = otherPrimary;

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'replica-keys', AP_SOUTHEAST_2)).toMatchObject({
      outcome: 'fail',
      message: `expected PrimaryKey.Arn ${PRIMARY_ARN}, got ${otherPrimary}`,
    });
    expect(result(report, 'replica-keys', EU_WEST_1).outcome).toBe('pass');
  });

  test('fails when DescribeKey in a replica Region answers with the metadata of another key', async () => {
    const otherArn = keyArn(EU_WEST_1, OTHER_KEY_ID);
    kmsMock.on(DescribeKeyCommand, { KeyId: keyArn(EU_WEST_1) }).resolves({
      KeyMetadata: {
        KeyId: OTHER_KEY_ID,
        Arn: otherArn,
        KeyState: 'Enabled',
        MultiRegion: true,
        MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: PRIMARY_ARN, Region: PRIMARY_REGION } },
      },
    });

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'replica-keys', EU_WEST_1)).toMatchObject({
      outcome: 'fail',
      message: `expected Arn ${keyArn(EU_WEST_1)}, got ${otherArn}`,
    });
    expect(result(report, 'replica-keys', AP_SOUTHEAST_2).outcome).toBe('pass');
  });

  test('fails when DescribeKey in a replica Region answers without metadata', async () => {
    kmsMock.on(DescribeKeyCommand, { KeyId: keyArn(EU_WEST_1) }).resolves({});

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'replica-keys', EU_WEST_1)).toMatchObject({
      outcome: 'fail',
      message: `expected KeyMetadata, got none; expected PrimaryKey.Arn ${PRIMARY_ARN}, got undefined`,
    });
  });

  test('fails when the key in a replica Region is not multi-region', async () => {
    kmsMock.on(DescribeKeyCommand, { KeyId: keyArn(EU_WEST_1) }).resolves({
      KeyMetadata: {
        KeyId: KEY_ID,
        Arn: keyArn(EU_WEST_1),
        KeyState: 'Enabled',
        MultiRegion: false,
        MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: PRIMARY_ARN, Region: PRIMARY_REGION } },
      },
    });

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'replica-keys', EU_WEST_1)).toMatchObject({ outcome: 'fail', message: 'expected MultiRegion true, got false' });
  });

  test('fails when the key in a replica Region is itself a primary', async () => {
    fake.key(EU_WEST_1).type = 'PRIMARY';

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'replica-keys', EU_WEST_1).message).toBe('expected MultiRegionKeyType REPLICA, got PRIMARY');
  });
});

describe('round trips', () => {
  test('fails when a replica decrypts to different bytes', async () => {
    kmsMock
      .on(DecryptCommand, { KeyId: keyArn(EU_WEST_1) })
      .resolves({ KeyId: keyArn(EU_WEST_1), Plaintext: new Uint8Array(32).fill(0xab).fill(0, 7) });

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const suite = suiteNamed(run.junit(), 'round-trip-primary-to-replicas');
    expect(suite).toMatchObject({ tests: '3', failures: '1', errors: '0' });
    expect(suite.testcase[1]).toMatchObject({
      name: 'eu-west-1: ciphertext from us-east-1 decrypts with the replica key',
      failure: { message: 'expected the 32 bytes encrypted in us-east-1, got 32 bytes differing from byte 7' },
    });
  });

  test('fails when a replica decrypts to the plaintext followed by more bytes', async () => {
    kmsMock
      .on(DecryptCommand, { KeyId: keyArn(EU_WEST_1) })
      .resolves({ KeyId: keyArn(EU_WEST_1), Plaintext: new Uint8Array(33).fill(0xab) });

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'round-trip-primary-to-replicas', EU_WEST_1)).toMatchObject({
      outcome: 'fail',
      message: 'expected the 32 bytes encrypted in us-east-1, got 33 bytes differing from byte 32',
    });
  });

  test('fails when Decrypt answers with another key', async () => {
    kmsMock
      .on(DecryptCommand, { KeyId: PRIMARY_ARN })
      .resolves({ KeyId: keyArn(PRIMARY_REGION, OTHER_KEY_ID), Plaintext: new Uint8Array(32).fill(0xab) });

    const report = await runVerification(verificationInputs(), deps);

    for (const region of REPLICA_REGIONS) {
      expect(result(report, 'round-trip-replicas-to-primary', region).message).toBe(
        `expected response KeyId ${PRIMARY_ARN}, got ${keyArn(PRIMARY_REGION, OTHER_KEY_ID)}`,
      );
    }
  });

  test('an empty ciphertext from the primary fails Encrypt and leaves nothing to decrypt', async () => {
    kmsMock.on(EncryptCommand, { KeyId: PRIMARY_ARN }).resolves({ KeyId: PRIMARY_ARN, CiphertextBlob: new Uint8Array(0) });

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'round-trip-primary-to-replicas', PRIMARY_REGION)).toMatchObject({
      outcome: 'fail',
      message: 'expected a CiphertextBlob, got none',
    });
    expect(result(report, 'round-trip-primary-to-replicas', EU_WEST_1)).toMatchObject({ outcome: 'error', errorType: 'NotRun' });
    expect(kmsMock).not.toHaveReceivedCommandWith(DecryptCommand, { KeyId: keyArn(EU_WEST_1) });
  });

  test('an empty ciphertext from a replica fails its reverse round trip without calling Decrypt', async () => {
    kmsMock.on(EncryptCommand, { KeyId: keyArn(EU_WEST_1) }).resolves({ KeyId: keyArn(EU_WEST_1), CiphertextBlob: new Uint8Array(0) });

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'round-trip-replicas-to-primary', EU_WEST_1)).toMatchObject({
      outcome: 'fail',
      message: 'expected a CiphertextBlob from Encrypt in eu-west-1, got none',
    });
    expect(result(report, 'round-trip-replicas-to-primary', AP_SOUTHEAST_2).outcome).toBe('pass');
    expect(fake.callsTo('Decrypt', PRIMARY_REGION)).toHaveLength(1);
  });

  test.each([
    ['a replica', 'round-trip-primary-to-replicas', EU_WEST_1, keyArn(EU_WEST_1), 'us-east-1'],
    ['the primary', 'round-trip-replicas-to-primary', EU_WEST_1, PRIMARY_ARN, 'eu-west-1'],
  ] as const)('fails when Decrypt with %s returns no plaintext', async (_label, family, region, decryptingKey, source) => {
    kmsMock.on(DecryptCommand, { KeyId: decryptingKey }).resolves({ KeyId: decryptingKey });

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, family, region)).toMatchObject({
      outcome: 'fail',
      message: `expected the 32 bytes encrypted in ${source}, got no Plaintext`,
    });
  });

  test('reports the round trips as errors, not passes, when the primary cannot encrypt', async () => {
    kmsMock.on(EncryptCommand, { KeyId: PRIMARY_ARN }).rejects(serviceException('KMSInternalException', 'boom', 500));

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'round-trip-primary-to-replicas', PRIMARY_REGION)).toMatchObject({
      outcome: 'error',
      errorType: 'KMSInternalException',
    });
    for (const region of [...REPLICA_REGIONS]) {
      expect(result(report, 'round-trip-primary-to-replicas', region)).toMatchObject({
        outcome: 'error',
        errorType: 'NotRun',
      });
    }
    expect(result(report, 'no-replica-regions', US_WEST_2)).toMatchObject({ outcome: 'error', errorType: 'NotRun' });
    expect(kmsMock).not.toHaveReceivedCommandWith(DecryptCommand, { KeyId: keyArn(US_WEST_2) });
  });
});

describe('alias and rotation', () => {
  test('fails when the alias points at another key in one Region', async () => {
    fake.aliases.set(`${AP_SOUTHEAST_2}/${ALIAS}`, OTHER_KEY_ID);
    fake.addKey(AP_SOUTHEAST_2, { keyId: OTHER_KEY_ID });

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'alias', AP_SOUTHEAST_2).message).toBe(
      `expected ${ALIAS} to resolve to ${fake.key(PRIMARY_REGION).keyId}, got ${OTHER_KEY_ID}`,
    );
    expect(result(report, 'alias', EU_WEST_1).outcome).toBe('pass');
  });

  test('skips the alias checks when no alias is configured', async () => {
    const report = await runVerification(verificationInputs({ alias: undefined }), deps);

    expect(report.results.filter((candidate) => candidate.family === 'alias')).toEqual([]);
    expect(kmsMock).not.toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: ALIAS });
  });

  test.each([
    { rotationEnabled: false, expectKeyRotation: true, message: 'expected KeyRotationEnabled true, got false' },
    { rotationEnabled: true, expectKeyRotation: false, message: 'expected KeyRotationEnabled false, got true' },
  ])('fails when rotation is $rotationEnabled but expected $expectKeyRotation', async ({ rotationEnabled, expectKeyRotation, message }) => {
    fake.key(PRIMARY_REGION).rotationEnabled = rotationEnabled;

    const report = await runVerification(verificationInputs({ expectKeyRotation }), deps);

    expect(result(report, 'key-rotation', PRIMARY_REGION)).toMatchObject({ outcome: 'fail', message });
  });
});

describe('no-replica Regions', () => {
  test('fails when a no-replica Region decrypts the primary ciphertext', async () => {
    fake.addKey(US_WEST_2, { type: 'REPLICA', primaryArn: PRIMARY_ARN });

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const suite = suiteNamed(run.junit(), 'no-replica-regions');
    expect(suite).toMatchObject({ tests: '1', failures: '1', errors: '0' });
    expect(suite.testcase[0].failure?.message).toBe(
      `expected Decrypt in us-west-2 to be refused, got 32 bytes of plaintext from key ${keyArn(US_WEST_2)}`,
    );
  });

  test('a network error is an ERROR, never a pass', async () => {
    kmsMock
      .on(DecryptCommand, { KeyId: keyArn(US_WEST_2) })
      .rejects(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }));

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const junit = run.junit();
    expect(junit.testsuites).toMatchObject({ failures: '0', errors: '1' });
    const [testcase] = suiteNamed(junit, 'no-replica-regions').testcase;
    expect(testcase.failure).toBeUndefined();
    expect(testcase.error).toMatchObject({
      type: 'ECONNREFUSED',
      message: 'expected KMS to refuse Decrypt in us-west-2, got no answer: ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:443',
    });
    expect(run.stdout).toContainEqual(expect.stringMatching(/^ERROR us-west-2\s+\d+ ms {2}no-replica-regions: /));
  });

  test.each([
    ['a timeout', Object.assign(new Error('Request timed out'), { name: 'TimeoutError' })],
    ['missing credentials', Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' })],
    ['throttling', serviceException('ThrottlingException', 'Rate exceeded')],
    ['rejected credentials', serviceException('UnrecognizedClientException', 'The security token is invalid')],
    ['a server error', serviceException('KMSInternalException', 'internal', 500)],
    ['a plain error', new Error('socket hang up')],
    [
      'an IAM denial',
      serviceException(
        'AccessDeniedException',
        'User: arn:aws:sts::111111111111:assumed-role/verify/x is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-west-2:111111111111:key/mrk-1 because no identity-based policy allows the kms:Decrypt action',
      ),
    ],
    ['an unknown 4xx', serviceException('SomeFutureException', 'refused', 400)],
  ])('%s is an ERROR, never a pass', async (_, error) => {
    kmsMock.on(DecryptCommand, { KeyId: keyArn(US_WEST_2) }).rejects(error);

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'no-replica-regions', US_WEST_2).outcome).toBe('error');
  });

  test.each([
    ['NotFoundException', 400],
    ['AccessDeniedException', 400],
    ['KMSInvalidStateException', 400],
    ['InvalidCiphertextException', 400],
    ['IncorrectKeyException', 400],
    ['InvalidKeyUsageException', 400],
  ])('%s refusal passes', async (type, status) => {
    kmsMock.on(DecryptCommand, { KeyId: keyArn(US_WEST_2) }).rejects(serviceException(type, 'refused', status));

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'no-replica-regions', US_WEST_2)).toMatchObject({
      outcome: 'pass',
      message: `KMS refused Decrypt in us-west-2: ${type}: refused`,
    });
  });

  test('an IAM denial says that it proves nothing and which permission is missing', async () => {
    kmsMock
      .on(DecryptCommand, { KeyId: keyArn(US_WEST_2) })
      .rejects(
        serviceException(
          'AccessDeniedException',
          'User: arn:aws:sts::111111111111:assumed-role/verify/x is not authorized to perform: kms:Decrypt',
        ),
      );

    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'no-replica-regions', US_WEST_2)).toMatchObject({
      outcome: 'error',
      message: expect.stringContaining(
        'expected KMS to refuse Decrypt in us-west-2, got an IAM denial, which proves nothing about the key (allow the verification role kms:Decrypt in us-west-2)',
      ),
    });
  });

  test('passes on the refusal from a Region without the key', async () => {
    const report = await runVerification(verificationInputs(), deps);

    expect(result(report, 'no-replica-regions', US_WEST_2)).toMatchObject({
      outcome: 'pass',
      message: `KMS refused Decrypt in us-west-2: NotFoundException: Key '${keyArn(US_WEST_2)}' does not exist`,
    });
  });
});

describe('when the verification cannot run', () => {
  test.each([
    [
      'no credentials',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      /^verify-replication: no AWS credentials \(DescribeKey in us-east-1: CredentialsProviderError: Could not load credentials from any providers\): set AWS_PROFILE/,
    ],
    [
      'an unreachable endpoint',
      Object.assign(new Error('getaddrinfo ENOTFOUND kms.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' }),
      /^verify-replication: could not reach KMS \(DescribeKey in us-east-1: ENOTFOUND: .*; 1 attempt\(s\)\): check network access and AWS_ENDPOINT_URL/,
    ],
    [
      'rejected credentials',
      serviceException('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      /^verify-replication: KMS rejected the AWS credentials/,
    ],
  ])('exits 2 with one line on stderr for %s', async (_, error, line) => {
    kmsMock.on(DescribeKeyCommand, { KeyId: PRIMARY_ARN }).rejects(error);

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(line);
    expect(kmsMock).toHaveReceivedCommandTimes(DescribeKeyCommand, 1);
    expect(kmsMock).not.toHaveReceivedCommand(EncryptCommand);
    expect(run.junit().testsuites).toMatchObject({ tests: '1', failures: '0', errors: '1' });
  });

  test('runVerification throws CannotRunError carrying the failed check', async () => {
    kmsMock.on(DescribeKeyCommand, { KeyId: PRIMARY_ARN }).rejects(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));

    const failure = runVerification(verificationInputs(), deps);

    await expect(failure).rejects.toBeInstanceOf(CannotRunError);
    await expect(failure).rejects.toMatchObject({
      report: { results: [expect.objectContaining({ family: 'primary-key', outcome: 'error', errorKind: 'network' })] },
    });
  });

  test('exits 2 with one line on stderr when an input is missing, before calling KMS', async () => {
    const stderr: string[] = [];
    const code = await main(
      ['--replica-regions', 'eu-west-1', '--no-replica-regions', 'us-west-2'],
      {},
      { stdout: () => undefined, stderr: (line) => stderr.push(line) },
      deps,
    );

    expect(code).toBe(EXIT_CANNOT_RUN);
    expect(stderr).toEqual([
      'verify-replication: PRIMARY_KEY_ARN (--primary-key-arn) is required: set it to the primary multi-region key ARN',
    ]);
    expect(kmsMock).not.toHaveReceivedAnyCommand();
  });
});
