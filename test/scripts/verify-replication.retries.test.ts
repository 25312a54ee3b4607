import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { createKmsClient, KmsClientFactory } from '../../scripts/verify-replication/kms-clients';
import { CannotRunError, runVerification, VerificationReport } from '../../scripts/verify-replication/run-verification';
import { FakeKms, FakeKmsError, keyArn } from './fake-kms';
import { KmsStubServer, startKmsStubServer } from './kms-stub-server';
import { ALIAS, NO_REPLICA_REGIONS, PRIMARY_REGION, REPLICA_REGIONS, verificationInputs } from './verify-replication.fixtures';

/**
 * These tests send real SDK requests (signing, retries, timeouts, JSON protocol) to the
 * local stub, because a mocked `send` skips the middleware that retries and times out.
 */

const [EU_WEST_1] = REPLICA_REGIONS;
const [US_WEST_2] = NO_REPLICA_REGIONS;
const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

let stub: KmsStubServer;

beforeEach(async () => {
  stub = await startKmsStubServer(FakeKms.healthy({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, alias: ALIAS }));
});

afterEach(async () => {
  await stub.close();
});

/** The production client aimed at the stub, retrying without backoff so that the tests stay fast. */
function stubClients(): KmsClientFactory {
  return (region, settings) =>
    createKmsClient(region, settings, {
      endpoint: stub.url,
      credentials: TEST_CREDENTIALS,
      retryStrategy: new ConfiguredRetryStrategy(settings.maxAttempts, 0),
    });
}

function throttleFirst(count: number, region: string, keyId: string): void {
  let throttled = 0;
  stub.fake.interceptors.push((call) => {
    if (call.operation === 'DescribeKey' && call.region === region && call.input.KeyId === keyId && throttled < count) {
      throttled += 1;
      return new FakeKmsError('ThrottlingException', 'Rate exceeded');
    }
    return undefined;
  });
}

function outcomeOf(report: VerificationReport, family: string, region: string) {
  return report.results.find((result) => result.family === family && result.region === region);
}

test('a healthy key passes over real HTTP', async () => {
  const report = await runVerification(verificationInputs(), { clientFactory: stubClients() });

  expect(report.results.filter((result) => result.outcome !== 'pass')).toEqual([]);
  expect(report.results).toHaveLength(13);
  expect(new Set(stub.fake.calls.map((call) => call.region))).toEqual(new Set([PRIMARY_REGION, ...REPLICA_REGIONS, US_WEST_2]));
});

test('throttling is retried by the SDK, then passes', async () => {
  throttleFirst(2, EU_WEST_1, keyArn(EU_WEST_1));

  const report = await runVerification(verificationInputs({ maxAttempts: 3 }), { clientFactory: stubClients() });

  expect(outcomeOf(report, 'replica-keys', EU_WEST_1)).toMatchObject({ outcome: 'pass' });
  expect(stub.fake.callsTo('DescribeKey', EU_WEST_1).filter((call) => call.input.KeyId === keyArn(EU_WEST_1))).toHaveLength(3);
});

test('retries are bounded by maxAttempts; throttling that outlasts them is an ERROR', async () => {
  throttleFirst(2, EU_WEST_1, keyArn(EU_WEST_1));

  const report = await runVerification(verificationInputs({ maxAttempts: 2 }), { clientFactory: stubClients() });

  expect(outcomeOf(report, 'replica-keys', EU_WEST_1)).toMatchObject({
    outcome: 'error',
    errorType: 'ThrottlingException',
    message: 'DescribeKey in eu-west-1: ThrottlingException: Rate exceeded',
  });
  expect(stub.fake.callsTo('DescribeKey', EU_WEST_1).filter((call) => call.input.KeyId === keyArn(EU_WEST_1))).toHaveLength(2);
});

test('a Region that never answers times out as an ERROR, not a pass', async () => {
  stub.fake.interceptors.push((call) => (call.operation === 'Decrypt' && call.region === US_WEST_2 ? 'hang' : undefined));
  const started = Date.now();

  const report = await runVerification(verificationInputs({ timeoutMs: 300, maxAttempts: 1 }), {
    clientFactory: stubClients(),
  });

  expect(outcomeOf(report, 'no-replica-regions', US_WEST_2)).toMatchObject({ outcome: 'error', errorKind: 'timeout' });
  expect(Date.now() - started).toBeLessThan(3_000);
});

test('a closed endpoint stops the run with CannotRunError after every attempt', async () => {
  const { url } = stub;
  await stub.close();
  const closedPort = (region: string, settings: { maxAttempts: number; timeoutMs: number }) =>
    createKmsClient(region, settings, {
      endpoint: url,
      credentials: TEST_CREDENTIALS,
      retryStrategy: new ConfiguredRetryStrategy(settings.maxAttempts, 0),
    });

  const failure = runVerification(verificationInputs({ maxAttempts: 2 }), { clientFactory: closedPort });

  // Under jest the SDK wraps Node's cross-realm network error, so match the code, not the whole text.
  await expect(failure).rejects.toBeInstanceOf(CannotRunError);
  await expect(failure).rejects.toThrow(
    /^could not reach KMS \(DescribeKey in us-east-1: .*ECONNREFUSED.*; 2 attempt\(s\)\): check network access and AWS_ENDPOINT_URL/,
  );
});

describe('the default client factory', () => {
  const variables = [
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_KMS',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_PROFILE',
    'AWS_MAX_ATTEMPTS',
  ];
  const saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));

  beforeEach(() => {
    for (const name of variables) {
      delete process.env[name];
    }
    process.env.AWS_ENDPOINT_URL = stub.url;
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  });

  test('follows AWS_ENDPOINT_URL and the environment credentials', async () => {
    const report = await runVerification(verificationInputs());

    expect(report.results.filter((result) => result.outcome !== 'pass')).toEqual([]);
    expect(stub.fake.calls.length).toBeGreaterThan(0);
  });

  test.each([
    { maxAttempts: 2, outcome: 'pass', calls: 2 },
    { maxAttempts: 1, outcome: 'error', calls: 1 },
  ])('retries a throttled call with maxAttempts $maxAttempts: $outcome', async ({ maxAttempts, outcome, calls }) => {
    throttleFirst(1, EU_WEST_1, keyArn(EU_WEST_1));

    const report = await runVerification(verificationInputs({ maxAttempts }));

    expect(outcomeOf(report, 'replica-keys', EU_WEST_1)?.outcome).toBe(outcome);
    expect(stub.fake.callsTo('DescribeKey', EU_WEST_1).filter((call) => call.input.KeyId === keyArn(EU_WEST_1))).toHaveLength(calls);
  });
});

describe('an IAM denial while KMS applies a new alias (kms:ResourceAliases)', () => {
  /** IAM's wording for a denial, which the program classifies as a permission error. */
  const denyFirst = (count: number, region: string) => {
    let denied = 0;
    stub.fake.interceptors.push((call) => {
      if (call.operation === 'Decrypt' && call.region === region && denied < count) {
        denied += 1;
        return new FakeKmsError(
          'AccessDeniedException',
          `User: arn:aws:sts::111111111111:assumed-role/verify/x is not authorized to perform: kms:Decrypt because no identity-based policy allows the kms:Decrypt action`,
        );
      }
      return undefined;
    });
  };
  /** A clock that only moves when the program sleeps, so the wait is measured without waiting. */
  const fakeClock = () => {
    let time = 0;
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => time,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        time += ms;
      },
    };
  };

  test('is retried in a replica Region until it passes, within the configured wait', async () => {
    denyFirst(2, EU_WEST_1);
    const clock = fakeClock();

    const report = await runVerification(verificationInputs({ permissionWaitSeconds: 330 }), { clientFactory: stubClients(), ...clock });

    expect(outcomeOf(report, 'round-trip-primary-to-replicas', EU_WEST_1)).toMatchObject({ outcome: 'pass' });
    expect(clock.sleeps).toEqual([15_000, 15_000]);
  });

  test('that outlasts the wait is an ERROR naming the denial', async () => {
    denyFirst(100, EU_WEST_1);
    const clock = fakeClock();

    const report = await runVerification(verificationInputs({ permissionWaitSeconds: 40 }), { clientFactory: stubClients(), ...clock });

    expect(outcomeOf(report, 'round-trip-primary-to-replicas', EU_WEST_1)).toMatchObject({ outcome: 'error', errorKind: 'permission' });
    // 15 + 15 + 10 seconds: the last pause ends at the deadline, then the denial stands.
    expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([15_000, 15_000, 10_000]);
  });

  test('is not waited for with the default of 0', async () => {
    denyFirst(1, EU_WEST_1);
    const clock = fakeClock();

    const report = await runVerification(verificationInputs(), { clientFactory: stubClients(), ...clock });

    expect(outcomeOf(report, 'round-trip-primary-to-replicas', EU_WEST_1)).toMatchObject({ outcome: 'error', errorKind: 'permission' });
    expect(clock.sleeps).toEqual([]);
  });

  test('is not waited for in a no-replica Region, whose permission has no alias condition', async () => {
    denyFirst(1, US_WEST_2);
    const clock = fakeClock();

    const report = await runVerification(verificationInputs({ permissionWaitSeconds: 330 }), { clientFactory: stubClients(), ...clock });

    expect(outcomeOf(report, 'no-replica-regions', US_WEST_2)).toMatchObject({ outcome: 'error', errorKind: 'permission' });
    expect(clock.sleeps).toEqual([]);
  });
});

test('the permission wait is one deadline for the whole run, however many calls IAM denies', async () => {
  stub.fake.interceptors.push((call) =>
    call.region === EU_WEST_1
      ? new FakeKmsError(
          'AccessDeniedException',
          'User: arn:aws:sts::111111111111:assumed-role/verify/x is not authorized to perform: kms:' + call.operation,
        )
      : undefined,
  );
  let time = 0;
  const report = await runVerification(verificationInputs({ permissionWaitSeconds: 60 }), {
    clientFactory: stubClients(),
    now: () => time,
    sleep: async (ms: number) => {
      time += ms;
    },
  });

  // DescribeKey, Decrypt, Encrypt and the alias all fail in eu-west-1; together they wait 60 s, not 60 s each.
  expect(report.results.filter((r) => r.region === EU_WEST_1 && r.outcome === 'error').length).toBeGreaterThanOrEqual(3);
  expect(time).toBe(60_000);
});
