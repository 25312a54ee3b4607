import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_READY, main } from '../../scripts/preflight-replica-regions';
import { checkReplicaRegions, ORPHAN_RUNBOOK, PreflightClients, STUCK_STACK_RUNBOOK } from '../../scripts/preflight/check-replica-regions';
import { parsePreflightInputs, PREFLIGHT_USAGE, PreflightInputError } from '../../scripts/preflight/inputs';
import { tagSettleWait } from '../../scripts/preflight/tag-settle';

const KEY_ID = 'mrk-0123456789abcdef0123456789abcdef';
const PRIMARY = `arn:aws:kms:us-east-1:111111111111:key/${KEY_ID}`;
const ENV = {
  PRIMARY_KEY_ARN: PRIMARY,
  REPLICA_STACKS: 'eu-west-1=kms-mrk-replica-key-eu-west-1,ap-southeast-2=kms-mrk-replica-key-ap-southeast-2',
  KEY_ALIAS: 'alias/app-data',
};

/** What the account holds, per Region: the key stack's status, the replica Regions the primary lists, the alias's key. */
interface Account {
  readonly stacks: Record<string, string | undefined>;
  readonly replicasOfPrimary: string[];
  readonly aliasTargets: Record<string, string | undefined>;
  readonly failing?: Record<string, Error>;
  /** When KMS created the primary key; unset, DescribeKey leaves CreationDate out. */
  readonly primaryCreated?: Date;
}

function validationError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

function clientsFor(account: Account): PreflightClients & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    cloudFormation: (region) => ({
      send: async (command: any) => {
        if (!(command instanceof DescribeStacksCommand)) throw new Error('unexpected CloudFormation call');
        calls.push(`${region} DescribeStacks ${command.input.StackName}`);
        const failure = account.failing?.[`${region}/cloudformation`];
        if (failure) throw failure;
        const status = account.stacks[region];
        if (status === undefined) throw validationError(`Stack with id ${command.input.StackName} does not exist`);
        return { Stacks: [{ StackName: command.input.StackName, StackStatus: status }] };
      },
    }),
    kms: (region) => ({
      send: async (command: any) => {
        if (!(command instanceof DescribeKeyCommand)) throw new Error('unexpected KMS call');
        calls.push(`${region} DescribeKey ${command.input.KeyId}`);
        if (command.input.KeyId === PRIMARY) {
          return {
            KeyMetadata: {
              KeyId: KEY_ID,
              CreationDate: account.primaryCreated,
              MultiRegionConfiguration: { ReplicaKeys: account.replicasOfPrimary.map((r) => ({ Region: r })) },
            },
          };
        }
        const target = account.aliasTargets[region];
        if (target === undefined) throw new NotFoundException({ message: `Alias ${command.input.KeyId} is not found.`, $metadata: {} });
        return { KeyMetadata: { KeyId: target } };
      },
    }),
  };
}

const HEALTHY_FIRST_RUN: Account = { stacks: {}, replicasOfPrimary: [], aliasTargets: {} };

async function verdicts(account: Account) {
  return checkReplicaRegions(parsePreflightInputs(ENV), clientsFor(account));
}

describe('the preflight of the replica Regions', () => {
  test('passes on a first run: no stack, no replica, no alias', async () => {
    expect((await verdicts(HEALTHY_FIRST_RUN)).map((v) => v.outcome)).toEqual(['ready', 'ready']);
  });

  test('passes when the stacks exist, whatever KMS holds: the deploy updates them', async () => {
    const account: Account = {
      stacks: { 'eu-west-1': 'UPDATE_COMPLETE', 'ap-southeast-2': 'CREATE_COMPLETE' },
      replicasOfPrimary: ['eu-west-1', 'ap-southeast-2'],
      aliasTargets: { 'eu-west-1': KEY_ID, 'ap-southeast-2': KEY_ID },
    };
    expect((await verdicts(account)).map((v) => v.outcome)).toEqual(['ready', 'ready']);
  });

  test('blocks a Region that holds a replica of the primary without its stack, naming the Region and the runbook', async () => {
    const result = await verdicts({ ...HEALTHY_FIRST_RUN, replicasOfPrimary: ['ap-southeast-2'] });
    expect(result[0].outcome).toBe('ready');
    expect(result[1]).toEqual({
      region: 'ap-southeast-2',
      outcome: 'blocked',
      message: `ap-southeast-2: a replica of ${PRIMARY} already exists here without its stack, and KMS refuses a second one: follow ${ORPHAN_RUNBOOK}`,
    });
  });

  test('blocks a Region where the alias points at another key', async () => {
    const result = await verdicts({ ...HEALTHY_FIRST_RUN, aliasTargets: { 'eu-west-1': '1234abcd-12ab-34cd-56ef-1234567890ab' } });
    expect(result[0]).toMatchObject({ outcome: 'blocked' });
    expect(result[0].message).toBe(
      'eu-west-1: alias/app-data already points at key 1234abcd-12ab-34cd-56ef-1234567890ab, not at ' +
        `arn:aws:kms:eu-west-1:111111111111:key/${KEY_ID}: follow ${ORPHAN_RUNBOOK}`,
    );
  });

  test('accepts the alias on the replica of the primary itself', async () => {
    const result = await verdicts({ ...HEALTHY_FIRST_RUN, aliasTargets: { 'eu-west-1': KEY_ID } });
    expect(result[0].outcome).toBe('ready');
  });

  test('blocks a stack left in ROLLBACK_COMPLETE, with every reason at once', async () => {
    const result = await verdicts({
      stacks: { 'eu-west-1': 'ROLLBACK_COMPLETE' },
      replicasOfPrimary: ['eu-west-1'],
      aliasTargets: { 'eu-west-1': 'other-key' },
    });
    expect(result[0].outcome).toBe('blocked');
    expect(result[0].message).toBe(
      'eu-west-1: stack kms-mrk-replica-key-eu-west-1 is ROLLBACK_COMPLETE after a failed first create, and the pipeline cannot update it; ' +
        `a replica of ${PRIMARY} already exists here without its stack, and KMS refuses a second one; ` +
        `alias/app-data already points at key other-key, not at arn:aws:kms:eu-west-1:111111111111:key/${KEY_ID}: follow ${ORPHAN_RUNBOOK}`,
    );
  });

  test.each(['UPDATE_ROLLBACK_FAILED', 'DELETE_FAILED', 'UPDATE_FAILED', 'REVIEW_IN_PROGRESS'])(
    'blocks a stack in %s, which no deploy can update',
    async (status) => {
      const result = await verdicts({ ...HEALTHY_FIRST_RUN, stacks: { 'eu-west-1': status } });
      expect(result[0]).toEqual({
        region: 'eu-west-1',
        outcome: 'blocked',
        message: `eu-west-1: stack kms-mrk-replica-key-eu-west-1 is ${status}, which no deploy can update: follow ${STUCK_STACK_RUNBOOK}`,
      });
    },
  );

  test('a call that fails is "unknown", never "ready"', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), {
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    });
    const result = await verdicts({ ...HEALTHY_FIRST_RUN, failing: { 'eu-west-1/cloudformation': denied } });
    expect(result[0]).toMatchObject({ outcome: 'unknown' });
    expect(result[0].message).toMatch(
      /^eu-west-1: cannot tell whether the replica stack can deploy \(AccessDenied: User is not authorized/,
    );
  });

  test('asks the primary for its replicas once, and each Region for its own stack and alias', async () => {
    const clients = clientsFor(HEALTHY_FIRST_RUN);
    await checkReplicaRegions(parsePreflightInputs(ENV), clients);
    expect(clients.calls.sort()).toEqual(
      [
        'ap-southeast-2 DescribeKey alias/app-data',
        'ap-southeast-2 DescribeStacks kms-mrk-replica-key-ap-southeast-2',
        'eu-west-1 DescribeKey alias/app-data',
        'eu-west-1 DescribeStacks kms-mrk-replica-key-eu-west-1',
        `us-east-1 DescribeKey ${PRIMARY}`,
      ].sort(),
    );
  });

  test('names the status of a stack that the deploy updates', async () => {
    const result = await verdicts({ ...HEALTHY_FIRST_RUN, stacks: { 'eu-west-1': 'UPDATE_ROLLBACK_COMPLETE' } });
    expect(result[0]).toEqual({
      region: 'eu-west-1',
      outcome: 'ready',
      message: 'eu-west-1: stack kms-mrk-replica-key-eu-west-1 exists (UPDATE_ROLLBACK_COMPLETE); the deploy updates it',
    });
  });

  /** Clients whose answers the test gives per call: `cfn` for DescribeStacks, `primary` and `alias` for DescribeKey. */
  function answering(answers: { cfn?: () => unknown; primary?: () => unknown; alias?: () => unknown }): PreflightClients {
    const base = clientsFor(HEALTHY_FIRST_RUN);
    return {
      cloudFormation: (region) => ({
        send: async (command: any) => (answers.cfn ? answers.cfn() : base.cloudFormation(region).send(command)),
      }),
      kms: (region) => ({
        send: async (command: any) => {
          const answer = command.input.KeyId === PRIMARY ? answers.primary : answers.alias;
          return answer ? answer() : base.kms(region).send(command);
        },
      }),
    } as PreflightClients;
  }
  const ONE_REGION = { ...ENV, REPLICA_STACKS: 'eu-west-1=kms-mrk-replica-key-eu-west-1' };
  const NOTHING_IN_THE_WAY = 'eu-west-1: no stack kms-mrk-replica-key-eu-west-1 yet and nothing in the way; the deploy creates it';

  test.each([
    ['no Stacks', () => ({})],
    ['an empty Stacks list', () => ({ Stacks: [] })],
  ])('takes DescribeStacks answering with %s as no stack', async (_, cfn) => {
    const result = await checkReplicaRegions(parsePreflightInputs(ONE_REGION), answering({ cfn }));
    expect(result).toEqual([{ region: 'eu-west-1', outcome: 'ready', message: NOTHING_IN_THE_WAY }]);
  });

  test.each([
    ['no KeyMetadata', () => ({})],
    ['no MultiRegionConfiguration', () => ({ KeyMetadata: { KeyId: KEY_ID } })],
    ['a replica without a Region', () => ({ KeyMetadata: { KeyId: KEY_ID, MultiRegionConfiguration: { ReplicaKeys: [{}] } } })],
  ])('takes a primary described with %s as listing no replica', async (_, primary) => {
    const result = await checkReplicaRegions(parsePreflightInputs(ONE_REGION), answering({ primary }));
    expect(result).toEqual([{ region: 'eu-west-1', outcome: 'ready', message: NOTHING_IN_THE_WAY }]);
  });

  test('takes an alias described without KeyMetadata as pointing at no key', async () => {
    const result = await checkReplicaRegions(parsePreflightInputs(ONE_REGION), answering({ alias: () => ({}) }));
    expect(result).toEqual([{ region: 'eu-west-1', outcome: 'ready', message: NOTHING_IN_THE_WAY }]);
  });

  test.each([
    ['a ValidationError that is not about a missing stack', validationError('1 validation error detected: Value at stackName failed')],
    [
      'another error that says "does not exist"',
      Object.assign(new Error('Role arn:aws:iam::111111111111:role/x does not exist'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    ],
  ])('is "unknown" when DescribeStacks fails with %s', async (_, error) => {
    const result = await checkReplicaRegions(
      parsePreflightInputs(ONE_REGION),
      answering({
        cfn: () => {
          throw error;
        },
      }),
    );
    expect(result[0].outcome).toBe('unknown');
    expect(result[0].message).toContain(error.message);
  });

  test('is "unknown" when describing the alias fails other than with NotFoundException', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: kms:DescribeKey'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const result = await checkReplicaRegions(
      parsePreflightInputs(ONE_REGION),
      answering({
        alias: () => {
          throw denied;
        },
      }),
    );
    expect(result[0]).toMatchObject({ region: 'eu-west-1', outcome: 'unknown' });
    expect(result[0].message).toMatch(
      /^eu-west-1: cannot tell whether the replica stack can deploy \(AccessDeniedException: User is not authorized/,
    );
  });
});

describe('the preflight inputs', () => {
  const parse = (env: Record<string, string | undefined>) => parsePreflightInputs(env);
  const failure = (env: Record<string, string | undefined>): unknown => {
    try {
      parse(env);
    } catch (error) {
      return error;
    }
    throw new Error('the inputs were accepted');
  };

  test('reads every variable, ignoring the spaces around values and pairs', () => {
    const inputs = parse({
      PRIMARY_KEY_ARN: ` ${PRIMARY} `,
      REPLICA_STACKS: ' eu-west-1=kms-mrk-replica-key-eu-west-1 , ap-southeast-2=stack-2 ',
      KEY_ALIAS: ' alias/app-data ',
    });
    expect(inputs.primaryKey).toMatchObject({ arn: PRIMARY, region: 'us-east-1', keyId: KEY_ID });
    expect([...inputs.replicaStacks]).toEqual([
      ['eu-west-1', 'kms-mrk-replica-key-eu-west-1'],
      ['ap-southeast-2', 'stack-2'],
    ]);
    expect(inputs.alias).toBe('alias/app-data');
  });

  test.each([
    ['PRIMARY_KEY_ARN', 'the primary multi-region key ARN'],
    ['REPLICA_STACKS', 'region=stack-name pairs, comma-separated'],
    ['KEY_ALIAS', "the key's alias, e.g. alias/app-data"],
  ])('requires %s, whether unset, empty or blank', (name, what) => {
    for (const value of [undefined, '', '   ']) {
      const error = failure({ ...ENV, [name]: value });
      expect(error).toBeInstanceOf(PreflightInputError);
      expect(error).toMatchObject({ name: 'PreflightInputError', message: `${name} is required: set it to ${what}` });
    }
  });

  test('refuses a primary key ARN that is not a multi-region key, saying why', () => {
    const arn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const error = failure({ ...ENV, PRIMARY_KEY_ARN: arn });
    expect(error).toBeInstanceOf(PreflightInputError);
    expect((error as Error).message).toMatch(/^PRIMARY_KEY_ARN \S.*1234abcd-12ab-34cd-56ef-1234567890ab/);
  });

  test.each([
    ['eu-west-1=a=b', 'eu-west-1=a=b'],
    ['nowhere-1=kms-mrk-replica-key', 'nowhere-1=kms-mrk-replica-key'],
    ['eu-west-1=1-starts-with-a-digit', 'eu-west-1=1-starts-with-a-digit'],
    ['eu-west-1=has_underscore', 'eu-west-1=has_underscore'],
    ['eu-west-1=', 'eu-west-1='],
    ['eu-west-1=ok, eu-west-2 ', 'eu-west-2'],
  ])('refuses REPLICA_STACKS "%s", naming the bad pair', (replicaStacks, pair) => {
    const error = failure({ ...ENV, REPLICA_STACKS: replicaStacks });
    expect(error).toBeInstanceOf(PreflightInputError);
    expect((error as Error).message).toBe(
      `REPLICA_STACKS must be region=stack-name pairs such as eu-west-1=kms-mrk-replica-key-eu-west-1, got "${pair}"`,
    );
  });

  test.each(['app-data', 'xalias/app-data', 'alias/app data', 'alias/app-data!', 'alias/', `alias/${'a'.repeat(251)}`])(
    'refuses KEY_ALIAS "%s"',
    (alias) => {
      const error = failure({ ...ENV, KEY_ALIAS: alias });
      expect(error).toBeInstanceOf(PreflightInputError);
      expect((error as Error).message).toBe(`KEY_ALIAS must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -, got "${alias}"`);
    },
  );

  test.each(['alias/a', 'alias/aws/x_y-Z/9', `alias/${'a'.repeat(250)}`])('accepts KEY_ALIAS "%s"', (alias) => {
    expect(parse({ ...ENV, KEY_ALIAS: alias }).alias).toBe(alias);
  });

  describe('the role to assume', () => {
    const ROLE = 'arn:aws:iam::222222222222:role/kms-mrk-preflight';
    const roleFailure = (env: Record<string, string | undefined>, argv: string[] = []): string => {
      try {
        parsePreflightInputs(env, argv);
      } catch (error) {
        expect(error).toBeInstanceOf(PreflightInputError);
        return (error as Error).message;
      }
      throw new Error('the inputs were accepted');
    };

    test('is absent without PREFLIGHT_ROLE_ARN or --role-arn, and when the variable is empty or blank', () => {
      expect(parse(ENV).roleArn).toBeUndefined();
      expect(parse({ ...ENV, PREFLIGHT_ROLE_ARN: '' }).roleArn).toBeUndefined();
      expect(parse({ ...ENV, PREFLIGHT_ROLE_ARN: '  ' }).roleArn).toBeUndefined();
    });

    test('comes from PREFLIGHT_ROLE_ARN or --role-arn, trimmed; the option wins', () => {
      expect(parse({ ...ENV, PREFLIGHT_ROLE_ARN: ` ${ROLE} ` }).roleArn).toBe(ROLE);
      expect(parsePreflightInputs(ENV, ['--role-arn', ROLE]).roleArn).toBe(ROLE);
      expect(parsePreflightInputs(ENV, [`--role-arn=${ROLE}`]).roleArn).toBe(ROLE);
      expect(
        parsePreflightInputs({ ...ENV, PREFLIGHT_ROLE_ARN: 'arn:aws:iam::333333333333:role/other' }, ['--role-arn', ROLE]).roleArn,
      ).toBe(ROLE);
    });

    test('accepts a role with a path, and a role of another partition when the key is in it', () => {
      const withPath = 'arn:aws:iam::222222222222:role/service-role/team/kms-mrk-preflight';
      expect(parse({ ...ENV, PREFLIGHT_ROLE_ARN: withPath }).roleArn).toBe(withPath);
      const govRole = 'arn:aws-us-gov:iam::222222222222:role/kms-mrk-preflight';
      const govKey = `arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/${KEY_ID}`;
      expect(parse({ ...ENV, PRIMARY_KEY_ARN: govKey, REPLICA_STACKS: 'us-gov-east-1=s', PREFLIGHT_ROLE_ARN: govRole }).roleArn).toBe(
        govRole,
      );
    });

    test.each([
      'kms-mrk-preflight',
      'arn:aws:iam::222222222222:user/kms-mrk-preflight',
      'arn:aws:sts::222222222222:assumed-role/kms-mrk-preflight/session',
      'arn:aws:iam::22222222222:role/kms-mrk-preflight',
      'arn:aws:iam:us-east-1:222222222222:role/kms-mrk-preflight',
      'arn:aws:iam::222222222222:role/',
      'arn:aws:iam::222222222222:role/kms mrk',
      `arn:aws:iam::222222222222:role/${'r'.repeat(65)}`,
    ])('refuses "%s", naming the input and the value', (role) => {
      expect(roleFailure({ ...ENV, PREFLIGHT_ROLE_ARN: role })).toBe(
        `PREFLIGHT_ROLE_ARN (--role-arn) must be an IAM role ARN such as arn:aws:iam::111122223333:role/kms-preflight, got "${role}"`,
      );
      expect(roleFailure(ENV, ['--role-arn', role])).toBe(
        `PREFLIGHT_ROLE_ARN (--role-arn) must be an IAM role ARN such as arn:aws:iam::111122223333:role/kms-preflight, got "${role}"`,
      );
    });

    test("refuses a role of another partition than the key's", () => {
      const role = 'arn:aws-cn:iam::222222222222:role/kms-mrk-preflight';
      expect(roleFailure({ ...ENV, PREFLIGHT_ROLE_ARN: role })).toBe(
        `PREFLIGHT_ROLE_ARN (--role-arn) is in the partition aws-cn, the key in aws, got "${role}": use a role of the key's partition`,
      );
    });

    test.each([
      [['--role'], 'unknown option --role: run with --help for the list of options'],
      [['--role-arn'], 'option --role-arn needs a value: run with --help for the list of options'],
      [[ROLE], 'unexpected argument: run with --help for the list of options'],
    ])('refuses the command line %j in one line', (argv, message) => {
      expect(roleFailure(ENV, argv)).toBe(message);
    });
  });
});

describe('the preflight program', () => {
  const NOW = new Date('2026-11-30T12:00:00.000Z');
  const run = async (env: Record<string, string>, account: Account = HEALTHY_FIRST_RUN) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const sleeps: number[] = [];
    const clock = { now: () => NOW, sleep: async (ms: number) => void sleeps.push(ms) };
    const code = await main(
      [],
      env,
      { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
      { clients: () => clientsFor(account), clock },
    );
    return { code, stdout, stderr, sleeps };
  };
  const createdAgo = (ms: number) => ({ ...HEALTHY_FIRST_RUN, primaryCreated: new Date(NOW.getTime() - ms) });

  test('waits until a new primary key is 5 minutes old, so that KMS applies its project tag before the replicas', async () => {
    const { code, stdout, sleeps } = await run(ENV, createdAgo(90_000));
    expect(code).toBe(EXIT_READY);
    expect(sleeps).toEqual([210_000]);
    expect(stdout.at(-1)).toBe(
      `preflight: ${PRIMARY} was created at 2026-11-30T11:58:30.000Z: waiting 210 s, until it is 5 minutes old, ` +
        'so that KMS applies its project tag before the replicas are created',
    );
  });

  test.each([
    ['5 minutes', 300_000],
    ['a day', 86_400_000],
  ])('does not wait for a primary key created %s ago', async (_age, ms) => {
    const { code, stdout, sleeps } = await run(ENV, createdAgo(ms));
    expect(code).toBe(EXIT_READY);
    expect(sleeps).toEqual([]);
    expect(stdout).toHaveLength(2);
  });

  test('waits a part of a second as a whole second in its line', async () => {
    const { sleeps, stdout } = await run(ENV, createdAgo(299_500));
    expect(sleeps).toEqual([500]);
    expect(stdout.at(-1)).toMatch(/waiting 1 s, /);
  });

  test('does not wait when the creation date cannot be read: the checks have already answered', async () => {
    const { primaryKey } = parsePreflightInputs(ENV);
    const failing = { send: async () => Promise.reject(new Error('throttled')) };
    await expect(tagSettleWait(primaryKey, failing, NOW)).resolves.toBeUndefined();
    const withoutDate = { send: async () => ({ KeyMetadata: { KeyId: KEY_ID } }) };
    await expect(tagSettleWait(primaryKey, withoutDate, NOW)).resolves.toBeUndefined();
  });

  test('does not wait when a Region is blocked: the step fails at once', async () => {
    const { code, sleeps } = await run(ENV, { ...createdAgo(10_000), replicasOfPrimary: ['eu-west-1'] });
    expect(code).toBe(EXIT_BLOCKED);
    expect(sleeps).toEqual([]);
  });

  test('exits 0 with a line per Region when every Region is ready', async () => {
    const { code, stdout, stderr } = await run(ENV);
    expect(code).toBe(EXIT_READY);
    expect(stdout).toHaveLength(2);
    expect(stderr).toEqual([]);
  });

  test('prints the usage with the role option and its variable for --help and -h, and checks nothing', async () => {
    for (const flag of ['--help', '-h']) {
      const stdout: string[] = [];
      const clients = clientsFor(HEALTHY_FIRST_RUN);
      const code = await main([flag], ENV, { stdout: (l) => stdout.push(l), stderr: () => undefined }, { clients: () => clients });
      expect(code).toBe(EXIT_READY);
      expect(stdout).toEqual([PREFLIGHT_USAGE]);
      expect(clients.calls).toEqual([]);
    }
    expect(PREFLIGHT_USAGE).toMatch(/--role-arn <arn> +\[PREFLIGHT_ROLE_ARN\] IAM role to assume/);
    expect(PREFLIGHT_USAGE).toContain('AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS');
  });

  test('exits 1 with the blocked Region on stderr', async () => {
    const { code, stderr } = await run(ENV, { ...HEALTHY_FIRST_RUN, replicasOfPrimary: ['eu-west-1'] });
    expect(code).toBe(EXIT_BLOCKED);
    expect(stderr).toEqual([
      expect.stringMatching(/^preflight: eu-west-1: a replica of .* follow docs\/runbooks\/adopt-an-orphaned-key\.md$/),
    ]);
  });

  test.each([
    [{ ...ENV, PRIMARY_KEY_ARN: '' }, 'preflight: PRIMARY_KEY_ARN is required: set it to the primary multi-region key ARN'],
    [
      { ...ENV, REPLICA_STACKS: 'eu-west-1' },
      'preflight: REPLICA_STACKS must be region=stack-name pairs such as eu-west-1=kms-mrk-replica-key-eu-west-1, got "eu-west-1"',
    ],
    [
      { ...ENV, REPLICA_STACKS: 'us-east-1=x' },
      'preflight: REPLICA_STACKS includes us-east-1, the primary Region of PRIMARY_KEY_ARN: remove it',
    ],
    [{ ...ENV, KEY_ALIAS: 'app-data' }, 'preflight: KEY_ALIAS must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -, got "app-data"'],
  ])('exits 2 with one line on bad input %#', async (env, message) => {
    const { code, stderr, stdout } = await run(env);
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(stderr).toEqual([message]);
    expect(stdout).toEqual([]);
  });

  test('sends the real SDK commands with the inputs above', async () => {
    const kms = mockClient(KMSClient);
    const cfn = mockClient(CloudFormationClient);
    try {
      kms
        .on(DescribeKeyCommand, { KeyId: PRIMARY })
        .resolves({ KeyMetadata: { KeyId: KEY_ID, MultiRegionConfiguration: { ReplicaKeys: [] } } });
      kms.on(DescribeKeyCommand, { KeyId: 'alias/app-data' }).rejects(new NotFoundException({ message: 'not found', $metadata: {} }));
      cfn.on(DescribeStacksCommand).rejects(validationError('Stack with id kms-mrk-replica-key-eu-west-1 does not exist'));
      const stdout: string[] = [];
      const code = await main(
        [],
        { ...ENV, REPLICA_STACKS: 'eu-west-1=kms-mrk-replica-key-eu-west-1' },
        { stdout: (l) => stdout.push(l), stderr: () => undefined },
        {
          clients: () => ({
            kms: (region) => new KMSClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
            cloudFormation: (region) => new CloudFormationClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
          }),
        },
      );
      expect(code).toBe(EXIT_READY);
      expect(stdout).toEqual([
        'preflight: eu-west-1: no stack kms-mrk-replica-key-eu-west-1 yet and nothing in the way; the deploy creates it',
      ]);
      expect(cfn.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: 'kms-mrk-replica-key-eu-west-1' });
    } finally {
      kms.restore();
      cfn.restore();
    }
  });
});
