import 'aws-sdk-client-mock-jest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, ExpiredTokenException, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { EXIT_CANNOT_RUN, EXIT_PASSED, main } from '../../scripts/verify-replication';
import {
  assumedRoleCredentials,
  assumeRoleFailure,
  ROLE_RETRY_INTERVAL_MS,
  ROLE_SESSION_SECONDS,
  ROLE_WAIT_MS,
  roleSessionName,
} from '../../scripts/verify-replication/assume-role';
import {
  createKmsClient,
  createStsClient,
  KmsClientFactory,
  KmsClientSettings,
  StsClientFactory,
} from '../../scripts/verify-replication/kms-clients';
import { CannotRunError, runVerification, VerificationDeps } from '../../scripts/verify-replication/run-verification';
import { ACCOUNT_ID, FakeKms } from './fake-kms';
import { mockKmsWith } from './kms-mock';
import { ALIAS, NO_REPLICA_REGIONS, PRIMARY_ARN, PRIMARY_REGION, REPLICA_REGIONS, verificationInputs } from './verify-replication.fixtures';

const RUN_ID = '6f1c1c0e-2f0e-4a4e-9a53-3c1b1f0d2a11';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/kms-verify`;
const SESSION_NAME = 'kms-mrk-verify-6f1c1c0e';
const ROLE_CREDENTIALS = { accessKeyId: 'ASIAROLE', secretAccessKey: 'role-secret', sessionToken: 'role-token' };

let kmsMock: AwsClientStub<KMSClient>;
let stsMock: AwsClientStub<STSClient>;
let workDir: string;
/** Every KMS client the run made, with the settings it was made with. */
let kmsClients: { region: string; settings: KmsClientSettings; client: KMSClient }[];
let stsClients: { region: string; settings: object }[];

/** The production factories: the mocks answer their calls, and the clients resolve credentials as in a real run. */
const clientFactory: KmsClientFactory = (region, settings) => {
  const client = createKmsClient(region, settings);
  kmsClients.push({ region, settings, client });
  return client;
};
const stsClientFactory: StsClientFactory = (region, settings) => {
  stsClients.push({ region, settings });
  return createStsClient(region, settings);
};
/** A clock whose sleeps move it on at once (the wait for a denied role, for a denied KMS call), and that remembers them. */
let slept: number[] = [];
let clockTime = 0;
const deps: Partial<VerificationDeps> = {
  clientFactory,
  stsClientFactory,
  randomUUID: () => RUN_ID,
  now: () => clockTime,
  sleep: async (ms) => {
    slept.push(ms);
    clockTime += ms;
  },
};

function inAnHour(): Date {
  return new Date(Date.now() + 3_600_000);
}

function answerAssumeRole(expiration: Date = inAnHour()): void {
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: ROLE_CREDENTIALS.accessKeyId,
      SecretAccessKey: ROLE_CREDENTIALS.secretAccessKey,
      SessionToken: ROLE_CREDENTIALS.sessionToken,
      Expiration: expiration,
    },
  });
}

/** An error as the SDK reports an STS error response. */
function stsError(name: string, message: string, status = 403): STSServiceException {
  return new STSServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  slept = [];
  clockTime = 0;
  kmsMock = mockKmsWith(FakeKms.healthy({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, alias: ALIAS }));
  stsMock = mockClient(STSClient);
  kmsClients = [];
  stsClients = [];
  workDir = mkdtempSync(join(tmpdir(), 'verify-replication-role-'));
});

afterEach(() => {
  kmsMock.restore();
  stsMock.restore();
  rmSync(workDir, { recursive: true, force: true });
});

async function runProgram(extraArgs: string[]) {
  const reportPath = join(workDir, 'verify.xml');
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
      '--report',
      reportPath,
      '--max-attempts',
      '2',
      '--timeout-ms',
      '1500',
      ...extraArgs,
    ],
    {},
    { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) },
    deps,
  );
  return { code, stdout, stderr, report: () => readFileSync(reportPath, 'utf8') };
}

describe('with a role', () => {
  test('assumes it once, in the primary Region, with a session name of the run and a one-hour session', async () => {
    answerAssumeRole();

    const run = await runProgram(['--role-arn', ROLE_ARN]);

    expect(run.stderr).toEqual([]);
    expect(run.code).toBe(EXIT_PASSED);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE_ARN,
      RoleSessionName: SESSION_NAME,
      DurationSeconds: 3600,
    });
    expect(stsClients).toEqual([{ region: PRIMARY_REGION, settings: { maxAttempts: 2, timeoutMs: 1500 } }]);
    expect(await stsMock.call(0).thisValue.config.region()).toBe(PRIMARY_REGION);
    expect(run.stdout[0]).toBe(`verify-replication: primary ${PRIMARY_ARN} as ${ROLE_ARN}, run id ${RUN_ID}`);
  });

  test("every KMS client signs with the role's temporary credentials, from that one AssumeRole call", async () => {
    const expiration = inAnHour();
    answerAssumeRole(expiration);

    await runProgram(['--role-arn', ROLE_ARN]);

    expect(kmsClients.map(({ region }) => region).sort()).toEqual([PRIMARY_REGION, ...REPLICA_REGIONS, ...NO_REPLICA_REGIONS].sort());
    for (const { client, settings } of kmsClients) {
      expect(settings).toMatchObject({ maxAttempts: 2, timeoutMs: 1500 });
      expect(await client.config.credentials()).toMatchObject({ ...ROLE_CREDENTIALS, expiration });
    }
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  test.each([
    [
      'denied',
      stsError(
        'AccessDenied',
        `User: arn:aws:sts::222222222222:assumed-role/pipeline/codebuild is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`,
      ),
      `AccessDenied: User: arn:aws:sts::222222222222:assumed-role/pipeline/codebuild is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}): ` +
        'check that the role exists, that its trust policy allows this caller, and that the caller may call sts:AssumeRole on it',
    ],
    [
      'asked without credentials',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'CredentialsProviderError: Could not load credentials from any providers): no AWS credentials to call STS with: ' +
        'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role',
    ],
    [
      'asked with expired credentials',
      new ExpiredTokenException({ message: 'The security token included in the request is expired', $metadata: { httpStatusCode: 400 } }),
      "ExpiredTokenException: The security token included in the request is expired): STS rejected the caller's credentials: " +
        "check AWS_PROFILE or the caller's session",
    ],
    [
      'unreachable',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1): could not reach STS: check network access and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_STS',
    ],
    [
      'too slow',
      Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }),
      'TimeoutError: Request timed out): could not reach STS: check network access and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_STS',
    ],
    ['throttling', stsError('Throttling', 'Rate exceeded', 400), 'Throttling: Rate exceeded): STS throttled the call: run again later'],
    [
      'failing',
      stsError('InternalFailure', 'internal error', 500),
      'InternalFailure: internal error): STS failed to answer: run again later',
    ],
  ])('exits 2 with the role ARN and what to fix when the role cannot be assumed: %s', async (_label, error, reason) => {
    stsMock.on(AssumeRoleCommand).rejects(error);

    const run = await runProgram(['--role-arn', ROLE_ARN]);

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stderr).toEqual([`verify-replication: cannot assume the role ${ROLE_ARN} (${reason}`]);
    expect(kmsMock).not.toHaveReceivedAnyCommand();
    expect(kmsClients).toEqual([]);
    expect(run.report()).toContain('<testsuites name="verify-replication" tests="0" failures="0" errors="0"');
  });

  test('a denial is asked again every 5 s for 60 s of the permission wait before the run gives up', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejects(stsError('AccessDenied', `User: x is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`));

    const run = await runProgram(['--role-arn', ROLE_ARN, '--permission-wait-seconds', '330']);

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, ROLE_WAIT_MS / ROLE_RETRY_INTERVAL_MS + 1);
    expect(slept).toEqual(Array(ROLE_WAIT_MS / ROLE_RETRY_INTERVAL_MS).fill(ROLE_RETRY_INTERVAL_MS));
  });

  test('a role that IAM denies for a while, as a role just created, is assumed once IAM allows it, and the run passes', async () => {
    const denied = stsError('AccessDenied', `User: x is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`);
    stsMock
      .on(AssumeRoleCommand)
      .rejectsOnce(denied)
      .rejectsOnce(denied)
      .resolves({
        Credentials: {
          AccessKeyId: ROLE_CREDENTIALS.accessKeyId,
          SecretAccessKey: ROLE_CREDENTIALS.secretAccessKey,
          SessionToken: ROLE_CREDENTIALS.sessionToken,
          Expiration: inAnHour(),
        },
      });

    const run = await runProgram(['--role-arn', ROLE_ARN, '--permission-wait-seconds', '330']);

    expect(run.code).toBe(EXIT_PASSED);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
    expect(slept.slice(0, 2)).toEqual([ROLE_RETRY_INTERVAL_MS, ROLE_RETRY_INTERVAL_MS]);
  });

  test('another failure is not asked again, nor a denial without a permission wait', async () => {
    stsMock.on(AssumeRoleCommand).rejects(stsError('InternalFailure', 'internal error', 500));
    await runProgram(['--role-arn', ROLE_ARN, '--permission-wait-seconds', '330']);
    expect(slept).toEqual([]);

    stsMock
      .on(AssumeRoleCommand)
      .rejects(stsError('AccessDenied', `User: x is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`));
    await runProgram(['--role-arn', ROLE_ARN]);
    expect(slept).toEqual([]);
  });

  test('a permission wait under a minute bounds the wait for the role', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejects(stsError('AccessDenied', `User: x is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`));

    await runProgram(['--role-arn', ROLE_ARN, '--permission-wait-seconds', '12']);

    expect(slept).toEqual([5000, 5000, 2000]);
  });

  test('an AssumeRole answer without credentials is a run that cannot run', async () => {
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: undefined });

    const failure = runVerification(verificationInputs({ roleArn: ROLE_ARN }), deps);

    await expect(failure).rejects.toBeInstanceOf(CannotRunError);
    await expect(failure).rejects.toMatchObject({
      message:
        `cannot assume the role ${ROLE_ARN} (Error: STS answered AssumeRole without credentials): ` +
        'check that the role exists, that its trust policy allows this caller, and that the caller may call sts:AssumeRole on it',
      report: { results: [] },
    });
  });
});

describe('without a role', () => {
  test('no STS client is made and the KMS clients keep the standard credential chain', async () => {
    const run = await runProgram([]);

    expect(run.code).toBe(EXIT_PASSED);
    expect(stsClients).toEqual([]);
    expect(stsMock).not.toHaveReceivedAnyCommand();
    for (const { settings } of kmsClients) {
      expect(settings).toStrictEqual({ maxAttempts: 2, timeoutMs: 1500 });
    }
    expect(run.stdout[0]).toBe(`verify-replication: primary ${PRIMARY_ARN}, run id ${RUN_ID}`);
  });
});

describe('the role credentials provider', () => {
  function provider() {
    return assumedRoleCredentials(new STSClient({ region: PRIMARY_REGION }), ROLE_ARN, SESSION_NAME);
  }

  test('asks STS once while the credentials are good, and hands every caller the same ones', async () => {
    answerAssumeRole();
    const credentials = provider();

    const [first, second] = await Promise.all([credentials(), credentials()]);
    const third = await credentials();

    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(first).toMatchObject(ROLE_CREDENTIALS);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  test('asks again when the credentials are about to expire', async () => {
    answerAssumeRole(new Date(Date.now() + 60_000));
    const credentials = provider();

    await credentials();
    const callsBefore = stsMock.commandCalls(AssumeRoleCommand).length;
    await credentials();

    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(callsBefore + 1);
  });

  test.each([
    ['no AccessKeyId', { SecretAccessKey: 's', SessionToken: 't', Expiration: inAnHour() }],
    ['no SecretAccessKey', { AccessKeyId: 'a', SessionToken: 't', Expiration: inAnHour() }],
  ])('refuses an answer with %s', async (_label, answer) => {
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: answer as never });

    await expect(provider()()).rejects.toThrow('STS answered AssumeRole without credentials');
  });

  test('the session name is the prefix and the first 8 characters of the run id', () => {
    expect(roleSessionName(RUN_ID)).toBe(SESSION_NAME);
    expect(roleSessionName('abc')).toBe('kms-mrk-verify-abc');
    expect(ROLE_SESSION_SECONDS).toBe(3600);
  });

  test('the failure line names the role for any error', () => {
    expect(assumeRoleFailure(ROLE_ARN, 'a string')).toBe(
      `cannot assume the role ${ROLE_ARN} (Error: a string): ` +
        'check that the role exists, that its trust policy allows this caller, and that the caller may call sts:AssumeRole on it',
    );
  });
});

describe('the STS client', () => {
  test('uses the settings of the KMS calls: attempts and per-attempt timeouts', async () => {
    const client = createStsClient(PRIMARY_REGION, { maxAttempts: 4, timeoutMs: 1234 });

    expect(await client.config.region()).toBe(PRIMARY_REGION);
    expect(await client.config.maxAttempts()).toBe(4);
    expect(client.config.requestHandler).toBeDefined();
    client.destroy();
  });
});
