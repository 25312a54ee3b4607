import 'aws-sdk-client-mock-jest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { EXIT_CANNOT_RUN, EXIT_CHECKS_FAILED, EXIT_PASSED, main } from '../../scripts/verify-replication';
import { RUN_ID_CONTEXT_KEY } from '../../scripts/verify-replication/checks';
import {
  CannotRunError,
  KEY_CONCURRENCY,
  mapConcurrently,
  runVerification,
  VerificationDeps,
} from '../../scripts/verify-replication/run-verification';
import { FakeKms, KEY_ID, keyArn, OTHER_KEY_ID } from './fake-kms';
import { KeyInputs } from '../../scripts/verify-replication/inputs';
import { KmsClientFactory } from '../../scripts/verify-replication/kms-clients';
import { mockedKmsClients, mockKmsWith, serviceException } from './kms-mock';
import {
  ALIAS,
  keyListInputs,
  listedKey,
  NO_REPLICA_REGIONS,
  parseJUnit,
  PRIMARY_ARN,
  PRIMARY_REGION,
  REPLICA_REGIONS,
  suiteNamed,
} from './verify-replication.fixtures';

const RUN_ID = '0b7a4c2e-5d1f-4e8a-9c3b-7f2e1d0c9b8a';
const [EU_WEST_1] = REPLICA_REGIONS;
const THIRD_KEY_ID = 'mrk-33333333333333333333333333333333';
const LOGS_ALIAS = 'alias/logs';

/** Three keys in one account and primary Region: two with an alias, one with rotation off. */
const KEYS = [
  { name: 'app-data', primaryKeyArn: PRIMARY_ARN, alias: ALIAS },
  { name: 'logs', primaryKeyArn: keyArn(PRIMARY_REGION, OTHER_KEY_ID), alias: LOGS_ALIAS },
  { name: 'backups', primaryKeyArn: keyArn(PRIMARY_REGION, THIRD_KEY_ID), expectKeyRotation: false },
];

const clientFactory = mockedKmsClients;

const deps: Partial<VerificationDeps> = {
  clientFactory,
  randomUUID: () => RUN_ID,
  randomBytes: (size) => new Uint8Array(size).fill(0xcd),
};

let fake: FakeKms;
let kmsMock: AwsClientStub<KMSClient>;
let workDir: string;

beforeEach(() => {
  fake = FakeKms.healthy({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, alias: ALIAS });
  fake.addHealthyKey({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, alias: LOGS_ALIAS, keyId: OTHER_KEY_ID });
  fake.addHealthyKey({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, keyId: THIRD_KEY_ID });
  fake.key(PRIMARY_REGION, THIRD_KEY_ID).rotationEnabled = false;
  kmsMock = mockKmsWith(fake);
  workDir = mkdtempSync(join(tmpdir(), 'verify-replication-keys-'));
});

afterEach(() => {
  kmsMock.restore();
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs the program over the key list, with the mocked clients, and reads its report. */
async function runProgram(keys: unknown = KEYS, runDeps: Partial<VerificationDeps> = deps) {
  const reportPath = join(workDir, 'verify.xml');
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(
    ['--report', reportPath, '--max-attempts', '1'],
    {
      VERIFY_KEYS: JSON.stringify(keys),
      REPLICA_REGIONS: REPLICA_REGIONS.join(','),
      NO_REPLICA_REGIONS: NO_REPLICA_REGIONS.join(','),
    },
    { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) },
    runDeps,
  );
  const junit = () => parseJUnit(readFileSync(reportPath, 'utf8'));
  return { code, stdout, stderr, junit };
}

function suiteSummary(junit: ReturnType<typeof parseJUnit>): string[][] {
  return junit.testsuites.testsuite.map((suite) => [suite.name, suite.tests, suite.failures, suite.errors]);
}

describe('several healthy keys', () => {
  test('pass every check, one JUnit suite per key, and exit 0', async () => {
    const run = await runProgram();

    expect(run.stderr).toEqual([]);
    expect(run.code).toBe(EXIT_PASSED);
    const junit = run.junit();
    // Each key: 1 primary + 2 replicas + 3 round trip out + 2 back + 1 rotation + 1 no-replica, and 3 aliases where set.
    expect(suiteSummary(junit)).toEqual([
      ['app-data', '13', '0', '0'],
      ['logs', '13', '0', '0'],
      ['backups', '10', '0', '0'],
    ]);
    expect(junit.testsuites).toMatchObject({ tests: '36', failures: '0', errors: '0' });
    expect(suiteNamed(junit, 'logs').testcase.map((testcase) => testcase.classname)).toEqual([
      'verify-replication.logs.primary-key',
      'verify-replication.logs.replica-keys',
      'verify-replication.logs.replica-keys',
      'verify-replication.logs.round-trip-primary-to-replicas',
      'verify-replication.logs.round-trip-primary-to-replicas',
      'verify-replication.logs.round-trip-primary-to-replicas',
      'verify-replication.logs.round-trip-replicas-to-primary',
      'verify-replication.logs.round-trip-replicas-to-primary',
      'verify-replication.logs.alias',
      'verify-replication.logs.alias',
      'verify-replication.logs.alias',
      'verify-replication.logs.key-rotation',
      'verify-replication.logs.no-replica-regions',
    ]);
    expect(suiteNamed(junit, 'backups').testcase.find((testcase) => testcase.classname.endsWith('.key-rotation'))?.name).toBe(
      'us-east-1: automatic key rotation is disabled',
    );
  });

  test('print a header naming the keys, one line per check with its key, and the totals', async () => {
    const run = await runProgram();

    expect(run.stdout[0]).toBe(`verify-replication: 3 key(s) (app-data, logs, backups) in 111111111111 us-east-1, run id ${RUN_ID}`);
    expect(run.stdout).toContainEqual(
      expect.stringMatching(/^PASS {2}logs {5}us-east-1 +\d+ ms {2}alias: alias\/logs resolves to mrk-9{32}$/),
    );
    expect(run.stdout.filter((line) => /^PASS {2}backups {2}us-west-2 /.test(line))).toHaveLength(1);
    expect(run.stdout.at(-1)).toMatch(/^TOTAL 36 checks: 36 passed, 0 failed, 0 errors in \d+ ms; JUnit report: /);
  });

  test('each key is checked with its own ARNs and alias, and every call carries the one run id', async () => {
    await runProgram();

    for (const keyId of [KEY_ID, OTHER_KEY_ID, THIRD_KEY_ID]) {
      expect(kmsMock).toHaveReceivedCommandWith(EncryptCommand, {
        KeyId: keyArn(PRIMARY_REGION, keyId),
        EncryptionContext: { [RUN_ID_CONTEXT_KEY]: RUN_ID },
      });
      for (const region of REPLICA_REGIONS) {
        expect(kmsMock).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: keyArn(region, keyId) });
      }
    }
    expect(fake.callsTo('DescribeKey').filter((call) => call.input.KeyId === LOGS_ALIAS)).toHaveLength(3);
    expect(fake.callsTo('GetKeyRotationStatus').map((call) => call.input.KeyId)).toEqual(
      expect.arrayContaining(KEYS.map((key) => key.primaryKeyArn)),
    );
  });

  test('share one KMS client per Region', async () => {
    const created: string[] = [];

    await runProgram(KEYS, {
      ...deps,
      clientFactory: (region, settings) => {
        created.push(region);
        return clientFactory(region, settings);
      },
    });

    expect(created.sort()).toEqual([PRIMARY_REGION, ...REPLICA_REGIONS, ...NO_REPLICA_REGIONS].sort());
  });

  test('are checked concurrently', async () => {
    // Each primary's DescribeKey answers only once the others' have arrived: checked one after the other, it times out.
    const arrived = new Set<unknown>();
    let release: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => (release = resolve));
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the keys were checked one after the other')), 1_000);
    });
    giveUp.catch(() => undefined);
    for (const key of KEYS) {
      kmsMock.on(DescribeKeyCommand, { KeyId: key.primaryKeyArn }).callsFake(async (input, getClient) => {
        arrived.add(input.KeyId);
        if (arrived.size === KEYS.length) {
          release();
        }
        await Promise.race([allArrived, giveUp]);
        return fake.handle(await getClient().config.region(), 'DescribeKey', input);
      });
    }

    const run = await runProgram().finally(() => clearTimeout(timer));

    expect(run.code).toBe(EXIT_PASSED);
  });

  test(`are checked at most ${KEY_CONCURRENCY} at a time`, async () => {
    const keys = Array.from({ length: KEY_CONCURRENCY + 2 }, (_, n) => listedKey(`key-${n}`, `mrk-${String(n).repeat(32)}`));
    for (const key of keys) {
      fake.addHealthyKey({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, keyId: key.primaryKey.keyId });
    }
    const started: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    for (const key of keys) {
      kmsMock.on(DescribeKeyCommand, { KeyId: key.primaryKey.arn }).callsFake(async (input, getClient) => {
        started.push(String(input.KeyId));
        await released;
        return fake.handle(await getClient().config.region(), 'DescribeKey', input);
      });
    }

    const report = runVerification(keyListInputs(keys), deps);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedBeforeRelease = [...started];
    release();
    const { results } = await report;

    expect(startedBeforeRelease.sort()).toEqual(
      keys
        .slice(0, KEY_CONCURRENCY)
        .map((key) => key.primaryKey.arn)
        .sort(),
    );
    expect(results.filter((result) => result.outcome !== 'pass')).toEqual([]);
    expect([...new Set(results.map((result) => result.key))]).toEqual(keys.map((key) => key.name));
  });
});

describe('the time a run of several keys takes', () => {
  /** What every KMS call takes, on a fake clock. */
  const CALL_MS = 100;

  /**
   * Runs the keys with KMS clients whose every call takes {@link CALL_MS} of a fake clock, which also times the run;
   * records how many keys had a call in flight at once.
   */
  async function timedRun(keys: readonly KeyInputs[]) {
    const keyOf = new Map<string, string>(keys.map((key) => [key.primaryKey.keyId, key.name ?? '']));
    const aliasOf = new Map<string, string>(keys.flatMap((key) => (key.alias === undefined ? [] : [[key.alias, key.name ?? '']])));
    const inFlight: string[] = [];
    let mostKeysInFlight = 0;
    const slowClients: KmsClientFactory = (region, settings) => {
      const client = clientFactory(region, settings);
      const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      client.send = (async (command: { input: { KeyId?: string } }) => {
        const keyId = String(command.input.KeyId);
        const key = aliasOf.get(keyId) ?? keyOf.get(/mrk-[0-9a-f]{32}/.exec(keyId)?.[0] ?? '') ?? keyId;
        inFlight.push(key);
        mostKeysInFlight = Math.max(mostKeysInFlight, new Set(inFlight).size);
        try {
          await new Promise((resolve) => setTimeout(resolve, CALL_MS));
          return await send(command);
        } finally {
          inFlight.splice(inFlight.indexOf(key), 1);
        }
      }) as typeof client.send;
      return client;
    };
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const report = runVerification(keyListInputs(keys), { ...deps, clientFactory: slowClients, now: () => Date.now() });
      // Far more fake time than any run needs; the run's own clock reading says when it ended.
      await jest.advanceTimersByTimeAsync(100 * CALL_MS);
      const { results, elapsedMs } = await report;
      return { results, elapsedMs, mostKeysInFlight };
    } finally {
      jest.useRealTimers();
    }
  }

  const manyKeys = (count: number) =>
    Array.from({ length: count }, (_, n) => {
      const key = listedKey(`key-${n}`, `mrk-${String(n).repeat(32)}`);
      fake.addHealthyKey({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, keyId: key.primaryKey.keyId });
      return key;
    });

  test(`up to ${KEY_CONCURRENCY} keys take the time of one key, not the sum: every key's calls are in flight together`, async () => {
    const one = await timedRun([listedKey('app-data', KEY_ID, ALIAS)]);
    const three = await timedRun([
      listedKey('app-data', KEY_ID, ALIAS),
      listedKey('logs', OTHER_KEY_ID, LOGS_ALIAS),
      listedKey('backups', THIRD_KEY_ID, undefined, false),
    ]);
    const most = await timedRun(manyKeys(KEY_CONCURRENCY));

    // The longest chain of one key: the primary's DescribeKey, then Encrypt, then Decrypt in each replica Region.
    expect(one.elapsedMs).toBe(3 * CALL_MS);
    expect(three.elapsedMs).toBe(one.elapsedMs);
    expect(three.mostKeysInFlight).toBe(3);
    expect(three.results.filter((result) => result.outcome !== 'pass')).toEqual([]);
    expect(most.elapsedMs).toBe(one.elapsedMs);
    expect(most.mostKeysInFlight).toBe(KEY_CONCURRENCY);
  });

  test(`more than ${KEY_CONCURRENCY} keys take one key's time per ${KEY_CONCURRENCY} keys, and every key is reported`, async () => {
    const keys = manyKeys(KEY_CONCURRENCY + 1);

    const run = await timedRun(keys);

    expect(run.elapsedMs).toBe(2 * 3 * CALL_MS);
    expect(run.mostKeysInFlight).toBe(KEY_CONCURRENCY);
    expect([...new Set(run.results.map((result) => result.key))]).toEqual(keys.map((key) => key.name));
    expect(run.results.filter((result) => result.outcome !== 'pass')).toEqual([]);
  });

  test('the wait for a denied call is one budget for the run, shared by the keys, not one per key', async () => {
    kmsMock.on(DecryptCommand).callsFake(async (input, getClient) => {
      const region = await getClient().config.region();
      if (region === EU_WEST_1) {
        throw serviceException(
          'AccessDeniedException',
          'User: arn:aws:sts::111111111111:assumed-role/verify/x is not authorized to perform: kms:Decrypt because no identity-based policy allows the kms:Decrypt action',
        );
      }
      return { ...(fake.handle(region, 'Decrypt', input) as object), $metadata: {} };
    });
    let time = 0;

    const { results, elapsedMs } = await runVerification(
      keyListInputs(
        [
          listedKey('app-data', KEY_ID, ALIAS),
          listedKey('logs', OTHER_KEY_ID, LOGS_ALIAS),
          listedKey('backups', THIRD_KEY_ID, undefined, false),
        ],
        { permissionWaitSeconds: 60 },
      ),
      {
        ...deps,
        now: () => time,
        sleep: async (ms) => {
          time += ms;
        },
      },
    );

    expect(elapsedMs).toBe(60_000);
    for (const key of ['app-data', 'logs', 'backups']) {
      expect(
        results.find((result) => result.key === key && result.family === 'round-trip-primary-to-replicas' && result.region === EU_WEST_1),
      ).toMatchObject({ outcome: 'error', errorKind: 'permission' });
      expect(
        results.find((result) => result.key === key && result.region === REPLICA_REGIONS[1] && result.family === 'replica-keys'),
      ).toMatchObject({
        outcome: 'pass',
      });
    }
  });
});

describe('one key failing does not hide the others', () => {
  test('a disabled replica of one key fails that key; the report shows every key', async () => {
    fake.key(EU_WEST_1, OTHER_KEY_ID).keyState = 'Disabled';

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const junit = run.junit();
    expect(suiteSummary(junit)).toEqual([
      ['app-data', '13', '0', '0'],
      ['logs', '13', '3', '0'],
      ['backups', '10', '0', '0'],
    ]);
    expect(suiteNamed(junit, 'logs').testcase[1]).toMatchObject({
      classname: 'verify-replication.logs.replica-keys',
      name: 'eu-west-1: replica key is an enabled REPLICA of the primary',
      failure: { message: 'expected KeyState Enabled, got Disabled' },
    });
    expect(run.stdout).toContainEqual(expect.stringMatching(/^FAIL {2}logs {5}eu-west-1 .* -- expected KeyState Enabled, got Disabled$/));
  });

  test("one key's missing primary fails that key's checks; the other keys pass", async () => {
    const logsPrimary = KEYS[1].primaryKeyArn;
    fake.keys.delete(`${PRIMARY_REGION}/${OTHER_KEY_ID}`);

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const junit = run.junit();
    expect(suiteNamed(junit, 'logs').testcase[0].failure?.message).toBe(
      `expected DescribeKey in us-east-1 to succeed, got NotFoundException: Key '${logsPrimary}' does not exist`,
    );
    expect(suiteSummary(junit).filter(([name]) => name !== 'logs')).toEqual([
      ['app-data', '13', '0', '0'],
      ['backups', '10', '0', '0'],
    ]);
  });

  test("a key whose primary gets no answer is an error in its suite, not a run that cannot run, when other keys' calls work", async () => {
    kmsMock
      .on(DescribeKeyCommand, { KeyId: KEYS[2].primaryKeyArn })
      .rejects(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }));

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    expect(run.stderr).toEqual([]);
    const junit = run.junit();
    expect(suiteSummary(junit)).toEqual([
      ['app-data', '13', '0', '0'],
      ['logs', '13', '0', '0'],
      ['backups', '1', '0', '1'],
    ]);
    expect(suiteNamed(junit, 'backups').testcase[0].error).toMatchObject({
      type: 'ECONNREFUSED',
      message: 'DescribeKey in us-east-1: ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:443',
    });
    expect(kmsMock).not.toHaveReceivedCommandWith(EncryptCommand, { KeyId: KEYS[2].primaryKeyArn });
  });

  test("an error thrown inside one key's check is that check's error; the other keys pass", async () => {
    kmsMock.on(EncryptCommand, { KeyId: KEYS[0].primaryKeyArn }).rejects(new TypeError('Cannot read properties of undefined'));

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const junit = run.junit();
    expect(suiteSummary(junit)).toEqual([
      ['app-data', '13', '0', '4'],
      ['logs', '13', '0', '0'],
      ['backups', '10', '0', '0'],
    ]);
  });

  test("a defect that stops one key's checks is an error of that key; the other keys still count", async () => {
    // The clock fails once, in whichever check asks next after the rotation call of one key: outside any check's guard.
    let failNext = false;
    kmsMock.on(GetKeyRotationStatusCommand, { KeyId: KEYS[2].primaryKeyArn }).callsFake(async (input, getClient) => {
      failNext = true;
      return fake.handle(await getClient().config.region(), 'GetKeyRotationStatus', input);
    });
    const now = () => {
      if (failNext) {
        failNext = false;
        throw new RangeError('the clock went away');
      }
      return performance.now();
    };

    const run = await runProgram(KEYS, { ...deps, now });

    expect(run.code).toBe(EXIT_CHECKS_FAILED);
    const suites = run.junit().testsuites.testsuite;
    expect(suites.map((suite) => suite.name)).toEqual(['app-data', 'logs', 'backups']);
    const stopped = suites.filter((suite) => suite.tests === '1');
    expect(stopped).toHaveLength(1);
    expect(stopped[0].testcase[0]).toMatchObject({
      name: 'us-east-1: the checks of the key ran to the end',
      error: { type: 'RangeError', message: 'the checks of this key stopped: RangeError: the clock went away' },
    });
    for (const suite of suites.filter((candidate) => candidate !== stopped[0])) {
      expect(suite).toMatchObject({ failures: '0', errors: '0' });
    }
  });
});

describe('when no key gets an answer', () => {
  test('the run cannot run: exit 2 with the first key’s reason, and every key’s primary check in the report', async () => {
    kmsMock
      .on(DescribeKeyCommand)
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const run = await runProgram();

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stderr).toEqual([
      'verify-replication: no AWS credentials (DescribeKey in us-east-1: CredentialsProviderError: Could not load credentials from any providers): ' +
        'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role',
    ]);
    expect(suiteSummary(run.junit())).toEqual([
      ['app-data', '1', '0', '1'],
      ['logs', '1', '0', '1'],
      ['backups', '1', '0', '1'],
    ]);
    expect(kmsMock).toHaveReceivedCommandTimes(DescribeKeyCommand, 3);
    expect(kmsMock).not.toHaveReceivedCommand(EncryptCommand);
  });

  test('runVerification throws CannotRunError with the reason of the first key in the list', async () => {
    kmsMock
      .on(DescribeKeyCommand, { KeyId: KEYS[0].primaryKeyArn })
      .rejects(Object.assign(new Error('getaddrinfo ENOTFOUND kms.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' }));
    kmsMock
      .on(DescribeKeyCommand, { KeyId: KEYS[1].primaryKeyArn })
      .rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));

    const failure = runVerification(keyListInputs([listedKey('app-data', KEY_ID), listedKey('logs', OTHER_KEY_ID)]), deps);

    await expect(failure).rejects.toBeInstanceOf(CannotRunError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringMatching(/^could not reach KMS \(DescribeKey in us-east-1: ENOTFOUND: /),
      report: {
        results: [
          expect.objectContaining({ key: 'app-data', errorKind: 'network' }),
          expect.objectContaining({ key: 'logs', errorKind: 'credentials' }),
        ],
      },
    });
  });
});

describe('mapConcurrently', () => {
  test('keeps the order of the items, whatever order the calls finish in', async () => {
    const delays = [30, 0, 20, 10, 0];

    const results = await mapConcurrently(delays, 2, (ms) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms)));

    expect(results).toEqual(delays);
  });

  test('never has more than the limit pending, and starts the next call as soon as one finishes', async () => {
    let pending = 0;
    let most = 0;
    const order: number[] = [];

    await mapConcurrently([0, 1, 2, 3, 4, 5, 6], 3, async (item) => {
      pending += 1;
      most = Math.max(most, pending);
      order.push(item);
      await new Promise((resolve) => setTimeout(resolve, item === 0 ? 30 : 5));
      pending -= 1;
    });

    expect(most).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('an empty list needs no call', async () => {
    const fn = jest.fn(async () => 1);

    await expect(mapConcurrently([], KEY_CONCURRENCY, fn)).resolves.toEqual([]);
    expect(fn).not.toHaveBeenCalled();
  });
});
