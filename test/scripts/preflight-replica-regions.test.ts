import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_READY, main } from '../../scripts/preflight-replica-regions';
import { checkReplicaRegions, ORPHAN_RUNBOOK, PreflightClients, STUCK_STACK_RUNBOOK } from '../../scripts/preflight/check-replica-regions';
import { parsePreflightInputs } from '../../scripts/preflight/inputs';

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
});

describe('the preflight program', () => {
  const run = async (env: Record<string, string>, account: Account = HEALTHY_FIRST_RUN) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main([], env, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }, clientsFor(account));
    return { code, stdout, stderr };
  };

  test('exits 0 with a line per Region when every Region is ready', async () => {
    const { code, stdout, stderr } = await run(ENV);
    expect(code).toBe(EXIT_READY);
    expect(stdout).toHaveLength(2);
    expect(stderr).toEqual([]);
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
          kms: (region) => new KMSClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
          cloudFormation: (region) => new CloudFormationClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
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
