/**
 * `npm run bootstrap` for config/example-environments.json: a pipeline account (111111111111, which also holds the
 * dev environment) and two environment accounts (staging 222222222222, production 333333333333). Every account gets
 * its own commands, trusting the pipeline account, and its own policies, naming that account and what it holds.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validateConfig } from '../../lib/config/validate-config';
import { BootstrapDeps, main } from '../../scripts/bootstrap';
import { accountScopes, supportStackAliasName } from '../../scripts/bootstrap/accounts';
import { executionPolicies, executionPolicy, monitoringExecutionPolicy } from '../../scripts/bootstrap/execution-policy';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { bootstrapPlan } from '../../scripts/bootstrap/plan';
import { MANAGED_POLICY_MAX_CHARS, PolicyStatement, policySize } from '../../scripts/bootstrap/policy-document';

const ROOT = path.resolve(__dirname, '..', '..');
const FILE = path.join(ROOT, 'config', 'example-environments.json');
const raw = (): Record<string, any> => JSON.parse(fs.readFileSync(FILE, 'utf8'));
const config = validateConfig(raw());
const [PIPELINE, STAGING, PRODUCTION] = ['111111111111', '222222222222', '333333333333'];
const OWN = '--qualifier kmsmrk0be8 --toolkit-stack-name kms-mrk-cdk-toolkit';
const TRUST = `--trust ${PIPELINE} --trust-for-lookup ${PIPELINE}`;
const BOUNDARY = '--custom-permissions-boundary kms-mrk-permissions-boundary';
const policyArn = (account: string, name: string) => `arn:aws:iam::${account}:policy/${name}`;
const PIPELINE_POLICIES = `${policyArn(PIPELINE, 'kms-mrk-cfn-execution')},${policyArn(PIPELINE, 'kms-mrk-cfn-execution-monitoring')}`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-bootstrap-environments-'));
fs.writeFileSync(path.join(tmp, 'environments.json'), JSON.stringify(raw()));
const cdkJsonPath = path.join(tmp, 'cdk.json');
fs.writeFileSync(cdkJsonPath, JSON.stringify({ context: { kmsMultiRegion: raw() } }));

function bootstrap(argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ran: string[] = [];
  const deps: BootstrapDeps = {
    io: { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) },
    runner: (command, args) => {
      ran.push([command, ...args].join(' '));
      return { status: 0 };
    },
    cwd: tmp,
    cdkJsonPath,
  };
  return { code: main(['--config', 'environments.json', ...argv], deps), stdout, stderr, ran };
}
const commandsOf = (stdout: string[]) => stdout.filter((line) => line.startsWith('npx cdk bootstrap'));
const statement = (statements: readonly PolicyStatement[], sid: string) => statements.find((s) => s.Sid === sid);

/** The JSON document that the dry run writes into NAME.json in the part of `account`. */
function printedDocuments(stdout: string[], account: string): Record<string, unknown> {
  const start = stdout.findIndex((line) => line.startsWith(`# ===== Account ${account} `));
  const next = stdout.findIndex((line, i) => i > start && line.startsWith('# ===== Account '));
  const part = stdout.slice(start, next === -1 ? undefined : next);
  const documents: Record<string, unknown> = {};
  part.forEach((line, i) => {
    const name = /^cat > ([\w-]+)\.json <<'POLICY'$/.exec(line)?.[1];
    if (name !== undefined) documents[name] = JSON.parse(part.slice(i + 1, part.indexOf('POLICY', i + 1)).join('\n'));
  });
  return documents;
}

describe('the plan', () => {
  const plan = bootstrapPlan(config);

  test('has the pipeline account first, then the environment accounts in configuration order', () => {
    expect(plan.accounts).toEqual([PIPELINE, STAGING, PRODUCTION]);
    expect(accountScopes(config).map((scope) => [scope.account, scope.holdsPipeline, scope.environments.map((e) => e.name)])).toEqual([
      [PIPELINE, true, ['dev']],
      [STAGING, false, ['staging']],
      [PRODUCTION, false, ['production']],
    ]);
  });

  test('bootstraps every Region of a key stack in its account, trusting the pipeline account, and says what each holds', () => {
    expect(plan.environments.map((e) => [e.account, e.region, e.roles, e.trustsPipelineAccount])).toEqual([
      [PIPELINE, 'us-east-1', ['pipeline', 'primary key (dev)'], true],
      [PIPELINE, 'eu-west-1', ['replica key (dev)'], true],
      [STAGING, 'us-east-1', ['primary key (staging)', 'pipeline access roles (staging)'], true],
      [STAGING, 'eu-west-1', ['replica key (staging)'], true],
      [PRODUCTION, 'us-east-1', ['primary key (production)', 'pipeline access roles (production)'], true],
      [PRODUCTION, 'eu-west-1', ['replica key (production)'], true],
      [PRODUCTION, 'ap-southeast-2', ['replica key (production)'], true],
    ]);
  });

  test('leaves out the no-replica Regions, and the Region where the pipeline account holds only a support stack', () => {
    expect(plan.skipped.map((s) => [s.account, s.region, s.reason.split(':')[0]])).toEqual([
      [PIPELINE, 'ca-central-1', 'no-replica Region'],
      [STAGING, 'ca-central-1', 'no-replica Region'],
      [PRODUCTION, 'ca-central-1', 'no-replica Region'],
      [PIPELINE, 'ap-southeast-2', 'cross-Region support stack of the pipeline only'],
    ]);
  });
});

describe('the dry run', () => {
  const outcome = bootstrap([]);

  test('prints every account and Region with the account of the policies of its execution role', () => {
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toEqual([]);
    const pipelineCommand = (region: string) =>
      `npx cdk bootstrap aws://${PIPELINE}/${region} ${OWN} ${TRUST} --cloudformation-execution-policies ${PIPELINE_POLICIES} ${BOUNDARY}`;
    const environmentCommand = (account: string, region: string) =>
      `npx cdk bootstrap aws://${account}/${region} ${OWN} ${TRUST} --cloudformation-execution-policies ${policyArn(account, 'kms-mrk-cfn-execution')} ${BOUNDARY}`;
    expect(commandsOf(outcome.stdout)).toEqual([
      pipelineCommand('us-east-1'),
      pipelineCommand('eu-west-1'),
      environmentCommand(STAGING, 'us-east-1'),
      environmentCommand(STAGING, 'eu-west-1'),
      environmentCommand(PRODUCTION, 'us-east-1'),
      environmentCommand(PRODUCTION, 'eu-west-1'),
      environmentCommand(PRODUCTION, 'ap-southeast-2'),
    ]);
  });

  test('creates the policies in each account: three in the pipeline account, two in an environment account', () => {
    expect(Object.keys(printedDocuments(outcome.stdout, PIPELINE))).toEqual([
      'kms-mrk-permissions-boundary',
      'kms-mrk-cfn-execution',
      'kms-mrk-cfn-execution-monitoring',
    ]);
    for (const account of [STAGING, PRODUCTION]) {
      const documents = printedDocuments(outcome.stdout, account);
      expect(documents).toEqual({
        'kms-mrk-permissions-boundary': permissionsBoundary(config, account).document,
        'kms-mrk-cfn-execution': executionPolicy(config, account).document,
      });
    }
    expect(outcome.stdout).toContain(
      `  aws iam create-policy-version --policy-arn ${policyArn(STAGING, 'kms-mrk-cfn-execution')} --policy-document file://kms-mrk-cfn-execution.json --set-as-default`,
    );
  });

  test('tells to run each part with the credentials of its account', () => {
    expect(outcome.stdout.filter((line) => line.startsWith('# ===== Account '))).toEqual([
      `# ===== Account ${PIPELINE} (the pipeline, environment dev): run this part with credentials of`,
      `# ===== Account ${STAGING} (environment staging): run this part with credentials of`,
      `# ===== Account ${PRODUCTION} (environment production): run this part with credentials of`,
    ]);
    expect(outcome.stdout).toContain(
      "# 111111111111  ap-southeast-2  nothing, not bootstrapped (cross-Region support stack of the pipeline only: CDK deploys it with the bootstrap roles of the pipeline's own Region)",
    );
  });
});

describe('--account', () => {
  test('prints one account alone, as the output of a single account', () => {
    const outcome = bootstrap(['--account', STAGING]);
    expect(outcome.code).toBe(0);
    expect(commandsOf(outcome.stdout).map((c) => c.split(' ')[3])).toEqual([`aws://${STAGING}/us-east-1`, `aws://${STAGING}/eu-west-1`]);
    expect(outcome.stdout.filter((line) => line.startsWith('  aws iam create-policy '))).toEqual([
      '  aws iam create-policy --policy-name kms-mrk-permissions-boundary --policy-document file://kms-mrk-permissions-boundary.json',
      '  aws iam create-policy --policy-name kms-mrk-cfn-execution --policy-document file://kms-mrk-cfn-execution.json',
    ]);
  });

  test('with --run runs the commands of that account only', () => {
    const outcome = bootstrap(['--account', PRODUCTION, '--run']);
    expect(outcome.code).toBe(0);
    expect(outcome.ran.map((c) => c.split(' ')[3])).toEqual([
      `aws://${PRODUCTION}/us-east-1`,
      `aws://${PRODUCTION}/eu-west-1`,
      `aws://${PRODUCTION}/ap-southeast-2`,
    ]);
  });

  test('--run without it stops before anything runs: one set of credentials cannot bootstrap three accounts', () => {
    const outcome = bootstrap(['--run']);
    expect(outcome.code).toBe(2);
    expect(outcome.ran).toEqual([]);
    expect(outcome.stderr).toEqual([
      'bootstrap: --run uses one set of credentials, and this configuration deploys to 3 accounts: run it once per account ' +
        "with that account's credentials and --account, for 111111111111, 222222222222, 333333333333",
    ]);
  });

  test.each([
    [
      'an account of no environment',
      ['--account', '444444444444'],
      'bootstrap: --account 444444444444 is not an account of this configuration: 111111111111, 222222222222, 333333333333',
    ],
    ['not an account ID', ['--account', 'staging'], 'bootstrap: --account must be a 12-digit AWS account ID, got "staging"'],
  ])('%s is refused', (_what, argv, message) => {
    expect(bootstrap(argv).stderr).toEqual([message]);
  });

  test('--execution-policy names the policy of that name in each account', () => {
    const outcome = bootstrap(['--execution-policy', policyArn(PIPELINE, 'my-deployer')]);
    expect(commandsOf(outcome.stdout).map((c) => c.split(' --cloudformation-execution-policies ')[1].split(' ')[0])).toEqual([
      policyArn(PIPELINE, 'my-deployer'),
      policyArn(PIPELINE, 'my-deployer'),
      policyArn(STAGING, 'my-deployer'),
      policyArn(STAGING, 'my-deployer'),
      policyArn(PRODUCTION, 'my-deployer'),
      policyArn(PRODUCTION, 'my-deployer'),
      policyArn(PRODUCTION, 'my-deployer'),
    ]);
  });
});

describe('the policies of each account', () => {
  test.each(accountScopes(config).map((scope) => [scope.account]))(
    'those of %s fit in managed policies and name only that account',
    (account) => {
      for (const policy of [...executionPolicies(config, account), permissionsBoundary(config, account)]) {
        expect([policy.name, policySize(policy.document) <= MANAGED_POLICY_MAX_CHARS]).toEqual([policy.name, true]);
        expect(policy.arn).toBe(policyArn(account, policy.name));
        const accounts = new Set([...JSON.stringify(policy.document).matchAll(/:(\d{12}):/g)].map((match) => match[1]));
        // An environment account's boundary names the pipeline account's key-activity bus, nothing else of it.
        const expected = account === PIPELINE ? [PIPELINE, STAGING, PRODUCTION] : [account];
        if (account !== PIPELINE && policy.name.endsWith('boundary')) expected.push(PIPELINE);
        expect([policy.name, [...accounts].filter((a) => !expected.includes(a))]).toEqual([policy.name, []]);
      }
    },
  );

  test("an environment account replicates only into its own environment's replica Regions", () => {
    const replicaRegions = (account: string) =>
      statement(executionPolicy(config, account).document.Statement, 'ManageTaggedKeys')?.Condition?.StringEqualsIfExists;
    expect(replicaRegions(STAGING)).toEqual({ 'kms:ReplicaRegion': ['eu-west-1'] });
    expect(replicaRegions(PRODUCTION)).toEqual({ 'kms:ReplicaRegion': ['eu-west-1', 'ap-southeast-2'] });
    expect(replicaRegions(PIPELINE)).toEqual({ 'kms:ReplicaRegion': ['eu-west-1'] });
  });

  test('an environment account has none of the pipeline statements, and the key-activity rules in its one execution policy', () => {
    const sids = executionPolicy(config, STAGING).document.Statement.map((s) => s.Sid);
    for (const sid of ['ManagePipelineBuckets', 'ManageThePipeline', 'PassTheSourceConnectionToThePipeline'])
      expect(sids).not.toContain(sid);
    expect(sids).toContain('ManageTheKeyActivityRules');
    expect(statement(executionPolicy(config, STAGING).document.Statement, 'PassRolesOfThisProjectToTheirServices')?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'events.amazonaws.com'] },
    });
  });

  test("an environment account's boundary: its key stacks' resources, the use of its keys, the no-replica proof, and no pipeline", () => {
    const boundary = permissionsBoundary(config, STAGING).document.Statement;
    expect(statement(boundary, 'ManageTheProjectResources')).toEqual({
      Sid: 'ManageTheProjectResources',
      Effect: 'Allow',
      Action: ['ssm:*', 'lambda:*', 'logs:*', 'events:*'],
      Resource: [
        `arn:aws:ssm:*:${STAGING}:parameter/kms-mrk/*`,
        `arn:aws:lambda:*:${STAGING}:function:kms-mrk-*`,
        `arn:aws:logs:*:${STAGING}:log-group:kms-mrk-*`,
        `arn:aws:events:*:${STAGING}:rule/kms-mrk-*`,
      ],
    });
    expect(statement(boundary, 'UseTheProjectKey')).toEqual({
      Sid: 'UseTheProjectKey',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: [`arn:aws:kms:*:${STAGING}:key/*`],
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/app-data', 'alias/logs', 'alias/backups'] } },
    });
    expect(statement(boundary, 'ProveThatNoReplicaRegionsCannotDecrypt')?.Resource).toEqual([
      `arn:aws:kms:ca-central-1:${STAGING}:key/mrk-*`,
    ]);
    const sids = boundary.map((s) => s.Sid);
    for (const sid of ['UseKeysThroughS3', 'WriteBuildLogs', 'AssumeProjectAndBootstrapRoles', 'UseAndPassTheSourceConnection']) {
      expect([sid, sids.includes(sid)]).toEqual([sid, false]);
    }
  });

  test("the pipeline account's boundary lets its step roles assume the project's roles of any account, in one pattern", () => {
    expect(statement(permissionsBoundary(config, PIPELINE).document.Statement, 'AssumeProjectAndBootstrapRoles')?.Resource).toEqual([
      'arn:aws:iam::*:role/kms-mrk-*',
      'arn:aws:iam::*:role/cdk-kmsmrk0be8-*',
    ]);
    // Without an environment in another account, only those of its own account.
    expect(
      statement(
        permissionsBoundary(validateConfig(JSON.parse(fs.readFileSync(path.join(ROOT, 'config', 'example.json'), 'utf8')))).document
          .Statement,
        'AssumeProjectAndBootstrapRoles',
      )?.Resource,
    ).toEqual([`arn:aws:iam::${PIPELINE}:role/kms-mrk-*`, 'arn:aws:iam::*:role/cdk-kmsmrk0be8-*']);
  });

  test('every account with key stacks may create the service-linked role of multi-Region keys, in its policies and boundary', () => {
    const slr = (account: string) => ({
      Sid: 'CreateTheMultiRegionKeyServiceRole',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: [`arn:aws:iam::${account}:role/aws-service-role/mrk.kms.amazonaws.com/*`],
    });
    for (const account of [PIPELINE, STAGING, PRODUCTION]) {
      const inPolicies = executionPolicies(config, account).flatMap((p) =>
        p.document.Statement.filter((s) => s.Sid === 'CreateTheMultiRegionKeyServiceRole'),
      );
      expect([account, inPolicies]).toEqual([account, [slr(account)]]);
      expect([account, statement(permissionsBoundary(config, account).document.Statement, 'CreateTheMultiRegionKeyServiceRole')]).toEqual([
        account,
        slr(account),
      ]);
    }
  });

  test('a pipeline account that holds no environment gets no statement to use or prove keys', () => {
    const toolingOnly = raw();
    toolingOnly.environments = toolingOnly.environments.slice(1);
    const separate = validateConfig(toolingOnly);
    const sidsOf = (account: string) => permissionsBoundary(separate, account).document.Statement.map((s) => s.Sid);
    expect(sidsOf(PIPELINE)).not.toContain('UseTheProjectKey');
    expect(sidsOf(PIPELINE)).not.toContain('ProveThatNoReplicaRegionsCannotDecrypt');
    expect(sidsOf(STAGING)).toEqual(expect.arrayContaining(['UseTheProjectKey', 'ProveThatNoReplicaRegionsCannotDecrypt']));
  });

  test("an environment account's boundary lets the forwarding rules put events on the pipeline account's bus, and no other", () => {
    expect(statement(permissionsBoundary(config, STAGING).document.Statement, 'ForwardKeyActivityToThePipelineAccount')).toEqual({
      Sid: 'ForwardKeyActivityToThePipelineAccount',
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: [`arn:aws:events:us-east-1:${PIPELINE}:event-bus/kms-mrk-key-activity`],
    });
  });

  test("the pipeline account's policies name the support stacks' key aliases exactly, and the bus policy's actions", () => {
    const aliases = ['eu-west-1', 'ap-southeast-2'].map(
      (region) => `arn:aws:kms:${region}:${PIPELINE}:${supportStackAliasName(config, region)}`,
    );
    expect(aliases).toEqual([
      `arn:aws:kms:eu-west-1:${PIPELINE}:alias/support-tencryptionaliase57b9f9ef05b5e9bce75`,
      `arn:aws:kms:ap-southeast-2:${PIPELINE}:alias/support-tencryptionalias66707a077bcd1ca5e40b`,
    ]);
    const monitoring = monitoringExecutionPolicy(config).document.Statement;
    expect(statement(monitoring, 'ManageTheSupportStackKeyAliases')?.Resource).toEqual([...aliases, `arn:aws:kms:*:${PIPELINE}:key/*`]);
    // PutPermission and RemovePermission take no resource: in the statement of the calls that take none, in the
    // pipeline account's policy and boundary, and only with an environment in another account.
    for (const document of [executionPolicy(config).document, permissionsBoundary(config).document]) {
      expect(statement(document.Statement, 'ListAliasesAndLogGroups')).toEqual({
        Sid: 'ListAliasesAndLogGroups',
        Effect: 'Allow',
        Action: [
          'kms:ListAliases',
          'logs:DescribeLogGroups',
          'logs:DescribeIndexPolicies',
          'events:PutPermission',
          'events:RemovePermission',
        ],
        Resource: ['*'],
      });
    }
    expect(statement(executionPolicy(config, STAGING).document.Statement, 'ListAliasesAndLogGroups')?.Action).not.toContain(
      'events:PutPermission',
    );
    // The boundary, an upper bound, holds one pattern for them, to keep its size whatever the number of Regions.
    expect(statement(permissionsBoundary(config).document.Statement, 'ManageTheKeyAlias')?.Resource).toEqual([
      ...config.keys.map((key) => `arn:aws:kms:*:${PIPELINE}:${key.alias}`),
      `arn:aws:kms:*:${PIPELINE}:alias/support-*`,
      `arn:aws:kms:*:${PIPELINE}:key/*`,
    ]);
  });

  test('the size check names the account whose policy is too large', () => {
    const file = 'many-keys-environments.json';
    const big = raw();
    big.keys = Array.from({ length: 24 }, (_, i) => ({
      name: `key-${i}`,
      alias: `alias/${String(i).padStart(20, 'k')}`,
      description: 'k',
    }));
    fs.writeFileSync(path.join(tmp, file), JSON.stringify(big));
    const outcome = bootstrap(['--config', file]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr[0]).toMatch(
      /^bootstrap: the policy kms-mrk-\S+ of account 111111111111 would hold \d+ characters, over IAM's 6144/,
    );
  });
});
