import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_READY, main, PreflightDeps } from '../../scripts/preflight-replica-regions';
import { startStsStubServer } from './sts-stub-server';
import { ROLE_RETRY_INTERVAL_MS, ROLE_WAIT_MS } from '../../scripts/verify-replication/assume-role';

const KEY_ID = 'mrk-0123456789abcdef0123456789abcdef';
const PRIMARY_REGION = 'us-east-1';
const REPLICA_REGIONS = ['eu-west-1', 'ap-southeast-2'];
const PRIMARY = `arn:aws:kms:${PRIMARY_REGION}:111111111111:key/${KEY_ID}`;
const ALIAS = 'alias/app-data';
const ENV = {
  PRIMARY_KEY_ARN: PRIMARY,
  REPLICA_STACKS: REPLICA_REGIONS.map((region) => `${region}=kms-mrk-replica-key-${region}`).join(','),
  KEY_ALIAS: ALIAS,
};
/** A role in the environment account, which the tooling account's step assumes. */
const ROLE_ARN = 'arn:aws:iam::222222222222:role/kms-mrk-preflight';
const RUN_ID = 'c0ffee42-5d1f-4e8a-9c3b-7f2e1d0c9b8a';
const SESSION_NAME = 'kms-mrk-preflight-c0ffee42';
const ROLE_KEY_ID = 'ASIAROLEPREFLIGHT';
const STANDARD_KEY_ID = 'AKIASTANDARDCHAIN';

/** One call the preflight made: the Region of its client and the access key that signs it. */
interface Call {
  readonly call: string;
  readonly region: string;
  readonly accessKeyId: string;
}

let kms: AwsClientStub<KMSClient>;
let cloudFormation: AwsClientStub<CloudFormationClient>;
let calls: Call[];
let savedEnv: NodeJS.ProcessEnv;

/** The account as a first run finds it: no replica stack, no replica, no alias; the primary is a day old. */
function answerAsAFirstRun(): void {
  const record = async (call: string, client: KMSClient | CloudFormationClient) => {
    const credentials = await client.config.credentials();
    calls.push({ call, region: await client.config.region(), accessKeyId: credentials.accessKeyId });
  };
  kms.on(DescribeKeyCommand).callsFake(async (input, getClient) => {
    await record(`DescribeKey ${input.KeyId}`, getClient());
    if (input.KeyId !== PRIMARY) throw new NotFoundException({ message: `Alias ${input.KeyId} is not found.`, $metadata: {} });
    return {
      KeyMetadata: {
        KeyId: KEY_ID,
        CreationDate: new Date(Date.now() - 86_400_000),
        MultiRegionConfiguration: { ReplicaKeys: [] },
      },
    };
  });
  cloudFormation.on(DescribeStacksCommand).callsFake(async (input, getClient) => {
    await record(`DescribeStacks ${input.StackName}`, getClient());
    throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), {
      name: 'ValidationError',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
  });
}

beforeEach(() => {
  savedEnv = { ...process.env };
  // The standard chain of the tooling account: what signs the AssumeRole call, and every call without a role.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: STANDARD_KEY_ID,
    AWS_SECRET_ACCESS_KEY: 'standard-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  kms = mockClient(KMSClient);
  cloudFormation = mockClient(CloudFormationClient);
  calls = [];
  answerAsAFirstRun();
});

afterEach(() => {
  kms.restore();
  cloudFormation.restore();
  process.env = savedEnv;
});

/** A clock whose sleeps move it on at once, and that remembers them. */
function fakeClock() {
  let time = Date.parse('2026-11-30T12:00:00Z');
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(time),
    sleep: async (ms: number) => {
      slept.push(ms);
      time += ms;
    },
  };
}

/** Runs the program with the SDK's own clients (mocked above), a fixed run id and a clock that never waits. */
async function run(argv: string[], env: Record<string, string>, deps: Partial<PreflightDeps> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(
    argv,
    env,
    { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
    {
      randomUUID: () => RUN_ID,
      clock: fakeClock(),
      ...deps,
    },
  );
  return { code, stdout, stderr };
}

/** Every call the checks make on a first run: the primary twice (its replicas, its age), each replica Region twice. */
const EVERY_CALL = [
  `${PRIMARY_REGION} DescribeKey ${PRIMARY}`,
  `${PRIMARY_REGION} DescribeKey ${PRIMARY}`,
  ...REPLICA_REGIONS.flatMap((region) => [`${region} DescribeKey ${ALIAS}`, `${region} DescribeStacks kms-mrk-replica-key-${region}`]),
].sort();

describe('with a role (PREFLIGHT_ROLE_ARN or --role-arn)', () => {
  let sts: AwsClientStub<STSClient>;
  let stsRegions: string[];
  const stsClient = (region: string) => {
    stsRegions.push(region);
    return new STSClient({ region });
  };

  beforeEach(() => {
    sts = mockClient(STSClient);
    stsRegions = [];
  });

  afterEach(() => {
    sts.restore();
  });

  function answerAssumeRole(): void {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: ROLE_KEY_ID,
        SecretAccessKey: 'role-secret',
        SessionToken: 'role-token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
  }

  test.each([
    ['PREFLIGHT_ROLE_ARN', [], { ...ENV, PREFLIGHT_ROLE_ARN: ROLE_ARN }],
    ['--role-arn', ['--role-arn', ROLE_ARN], ENV],
  ])(
    'from %s: assumes it once, in the primary Region, and signs every CloudFormation and KMS call in every Region with it',
    async (_source, argv, env) => {
      answerAssumeRole();

      const result = await run(argv, env, { stsClient });

      expect(result.stderr).toEqual([]);
      expect(result.code).toBe(EXIT_READY);
      expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
      expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE_ARN, RoleSessionName: SESSION_NAME, DurationSeconds: 3600 });
      expect(stsRegions).toEqual([PRIMARY_REGION]);
      expect(calls.map((c) => `${c.region} ${c.call}`).sort()).toEqual(EVERY_CALL);
      expect(new Set(calls.map((c) => c.accessKeyId))).toEqual(new Set([ROLE_KEY_ID]));
      expect(result.stdout[0]).toBe(`preflight: as ${ROLE_ARN}, session ${SESSION_NAME}`);
      expect(result.stdout).toHaveLength(1 + REPLICA_REGIONS.length);
    },
  );

  test('the option wins over the variable', async () => {
    answerAssumeRole();
    const other = 'arn:aws:iam::333333333333:role/other';

    await run(['--role-arn', ROLE_ARN], { ...ENV, PREFLIGHT_ROLE_ARN: other }, { stsClient });

    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE_ARN });
    expect(sts).not.toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: other });
  });

  test.each([
    [
      'denied',
      new STSServiceException({
        name: 'AccessDenied',
        message: `User: arn:aws:sts::111111111111:assumed-role/pipeline/codebuild is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`,
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
      `AccessDenied: User: arn:aws:sts::111111111111:assumed-role/pipeline/codebuild is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}): ` +
        'check that the role exists, that its trust policy allows this caller, and that the caller may call sts:AssumeRole on it',
    ],
    [
      'unreachable, with a message of several lines',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1\n    at TCPConnectWrap.afterConnect'), { code: 'ECONNREFUSED' }),
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1 at TCPConnectWrap.afterConnect): ' +
        'could not reach STS: check network access and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_STS',
    ],
  ])('exits 1 with one line naming the role when it cannot be assumed (%s), before any other call', async (_label, error, reason) => {
    sts.on(AssumeRoleCommand).rejects(error);

    const result = await run([], { ...ENV, PREFLIGHT_ROLE_ARN: ROLE_ARN }, { stsClient });

    expect(result.code).toBe(EXIT_BLOCKED);
    expect(result.stderr).toEqual([`preflight: cannot assume the role ${ROLE_ARN} (${reason}`]);
    expect(result.stdout).toEqual([]);
    expect(calls).toEqual([]);
    expect(kms).not.toHaveReceivedAnyCommand();
    expect(cloudFormation).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ['a user ARN', 'arn:aws:iam::222222222222:user/kms-mrk-preflight'],
    ['a role name', 'kms-mrk-preflight'],
    ['an assumed-role session', 'arn:aws:sts::222222222222:assumed-role/kms-mrk-preflight/session'],
  ])('exits 2 with one line naming the input and the value for %s, without calling STS', async (_label, value) => {
    const result = await run([], { ...ENV, PREFLIGHT_ROLE_ARN: value }, { stsClient });

    expect(result.code).toBe(EXIT_BAD_INPUT);
    expect(result.stderr).toEqual([
      `preflight: PREFLIGHT_ROLE_ARN (--role-arn) must be an IAM role ARN such as arn:aws:iam::111122223333:role/kms-preflight, got "${value}"`,
    ]);
    expect(stsRegions).toEqual([]);
    expect(sts).not.toHaveReceivedAnyCommand();
    expect(calls).toEqual([]);
  });

  test('exits 2 with one line for a role in another partition than the key, without calling STS', async () => {
    const value = 'arn:aws-us-gov:iam::222222222222:role/kms-mrk-preflight';

    const result = await run(['--role-arn', value], ENV, { stsClient });

    expect(result.code).toBe(EXIT_BAD_INPUT);
    expect(result.stderr).toEqual([
      `preflight: PREFLIGHT_ROLE_ARN (--role-arn) is in the partition aws-us-gov, the key in aws, got "${value}": use a role of the key's partition`,
    ]);
    expect(stsRegions).toEqual([]);
    expect(sts).not.toHaveReceivedAnyCommand();
  });
});

describe('without a role', () => {
  test('makes no STS client and no STS call, and signs every call with the standard chain', async () => {
    const sts = mockClient(STSClient);
    const stsClient = jest.fn((region: string) => new STSClient({ region }));
    try {
      const result = await run([], ENV, { stsClient });

      expect(result.code).toBe(EXIT_READY);
      expect(result.stdout).toHaveLength(REPLICA_REGIONS.length);
      expect(stsClient).not.toHaveBeenCalled();
      expect(sts).not.toHaveReceivedAnyCommand();
      expect(calls.map((c) => `${c.region} ${c.call}`).sort()).toEqual(EVERY_CALL);
      expect(new Set(calls.map((c) => c.accessKeyId))).toEqual(new Set([STANDARD_KEY_ID]));
    } finally {
      sts.restore();
    }
  });

  test.each([[''], ['   ']])('takes a PREFLIGHT_ROLE_ARN of "%s" as no role', async (blank) => {
    const stsClient = jest.fn((region: string) => new STSClient({ region }));

    const result = await run([], { ...ENV, PREFLIGHT_ROLE_ARN: blank }, { stsClient });

    expect(result.code).toBe(EXIT_READY);
    expect(stsClient).not.toHaveBeenCalled();
  });
});

describe('the STS endpoint', () => {
  test.each(['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS'])(
    'the default STS client follows %s, signs with the standard chain, and its credentials sign the other calls',
    async (variable) => {
      const stub = await startStsStubServer({ accessKeyId: ROLE_KEY_ID });
      try {
        process.env[variable] = stub.url;

        const result = await run([], { ...ENV, PREFLIGHT_ROLE_ARN: ROLE_ARN });

        expect(result.stderr).toEqual([]);
        expect(result.code).toBe(EXIT_READY);
        expect(stub.requests).toEqual([
          expect.objectContaining({ Action: 'AssumeRole', RoleArn: ROLE_ARN, RoleSessionName: SESSION_NAME, DurationSeconds: '3600' }),
        ]);
        expect(new Set(calls.map((c) => c.accessKeyId))).toEqual(new Set([ROLE_KEY_ID]));
      } finally {
        await stub.close();
      }
    },
  );

  test('a denial from the endpoint is asked again every 5 s for 60 s, then it is one line and exit 1', async () => {
    const stub = await startStsStubServer({ accessKeyId: ROLE_KEY_ID, deny: true });
    try {
      process.env.AWS_ENDPOINT_URL = stub.url;
      const clock = fakeClock();

      const result = await run(['--role-arn', ROLE_ARN], ENV, { clock });

      expect(stub.requests.map((r) => r.Action)).toEqual(Array(ROLE_WAIT_MS / ROLE_RETRY_INTERVAL_MS + 1).fill('AssumeRole'));
      expect(clock.slept).toEqual(Array(ROLE_WAIT_MS / ROLE_RETRY_INTERVAL_MS).fill(ROLE_RETRY_INTERVAL_MS));

      expect(result.code).toBe(EXIT_BLOCKED);
      expect(result.stderr).toEqual([
        `preflight: cannot assume the role ${ROLE_ARN} (AccessDenied: User: arn:aws:iam::111111111111:user/ci is not authorized ` +
          `to perform: sts:AssumeRole on resource: ${ROLE_ARN}): check that the role exists, that its trust policy allows this caller, ` +
          'and that the caller may call sts:AssumeRole on it',
      ]);
      expect(calls).toEqual([]);
    } finally {
      await stub.close();
    }
  });

  test('a role that IAM denies for a while, as a role just created, is assumed once IAM allows it, and the run goes on', async () => {
    const stub = await startStsStubServer({ accessKeyId: ROLE_KEY_ID, denyFirst: 2 });
    try {
      process.env.AWS_ENDPOINT_URL = stub.url;
      const clock = fakeClock();

      const result = await run(['--role-arn', ROLE_ARN], ENV, { clock });

      expect(stub.requests).toHaveLength(3);
      expect(clock.slept.slice(0, 2)).toEqual([ROLE_RETRY_INTERVAL_MS, ROLE_RETRY_INTERVAL_MS]);
      expect(result.stderr).toEqual([]);
      expect(result.stdout[0]).toBe(`preflight: as ${ROLE_ARN}, session kms-mrk-preflight-${RUN_ID.slice(0, 8)}`);
      expect(result.code).toBe(EXIT_READY);
    } finally {
      await stub.close();
    }
  });
});
