/**
 * The three-environment example (config/example-environments.json): dev in the pipeline account, staging and
 * production in accounts of their own; three keys; Regions us-east-1, eu-west-1, ap-southeast-2 and ca-central-1.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KmsPipelineConfig } from '../lib/config/kms-pipeline-config';
import { validateConfig } from '../lib/config/validate-config';
import { EXAMPLE_ENVIRONMENTS_CONFIG_FILE, synthesizeOnce } from './helpers/app';
import { pipelineOf } from './helpers/pipeline-template';

const config: KmsPipelineConfig = validateConfig(JSON.parse(fs.readFileSync(EXAMPLE_ENVIRONMENTS_CONFIG_FILE, 'utf8')));
const PIPELINE_ACCOUNT = '111111111111';
const { stack } = synthesizeOnce(config);
const template = Template.fromStack(stack);
const pipelineTemplate = template.toJSON();

/** Every stack of every stage, as `name account region`, in pipeline order. */
function stagesStacks(): string[] {
  return stack.environments.flatMap((e) =>
    [e.primaryStage.keyStack, ...(e.accessStack ? [e.accessStack] : []), ...e.replicaStages.map((s) => s.keyStack)].map(
      (s: Stack) => `${s.stackName} ${s.account} ${s.region}`,
    ),
  );
}

/** The resources of `s` of the given type, by logical ID. */
function resourcesOf(s: Stack, type: string): Record<string, any> {
  return Object.fromEntries(Object.entries<any>(Template.fromStack(s).toJSON().Resources).filter(([, r]) => r.Type === type));
}

describe('the three-environment example', () => {
  test('loads as three environments, in order, each with every key', () => {
    expect(config.environments.map((e) => [e.name, e.account, e.legacyStackNames])).toEqual([
      ['dev', '111111111111', false],
      ['staging', '222222222222', false],
      ['production', '333333333333', false],
    ]);
    expect(config.keys.map((k) => k.name)).toEqual(['app-data', 'logs', 'backups']);
  });

  test('deploys one primary key stack and one replica key stack per Region in each environment, and an access stack in each other account', () => {
    expect(stagesStacks()).toEqual([
      'kms-mrk-dev-primary-key 111111111111 us-east-1',
      'kms-mrk-dev-replica-key-eu-west-1 111111111111 eu-west-1',
      'kms-mrk-staging-primary-key 222222222222 us-east-1',
      'kms-mrk-staging-pipeline-access 222222222222 us-east-1',
      'kms-mrk-staging-replica-key-eu-west-1 222222222222 eu-west-1',
      'kms-mrk-production-primary-key 333333333333 us-east-1',
      'kms-mrk-production-pipeline-access 333333333333 us-east-1',
      'kms-mrk-production-replica-key-eu-west-1 333333333333 eu-west-1',
      'kms-mrk-production-replica-key-ap-southeast-2 333333333333 ap-southeast-2',
    ]);
  });

  test("pins every key's logical ID, the same in every environment: a key's identity is its name", () => {
    for (const e of stack.environments) {
      expect(Object.keys(resourcesOf(e.primaryStage.keyStack, 'AWS::KMS::Key'))).toEqual([
        'KeyappdataPrimaryKey5746BEE9',
        'KeylogsPrimaryKey49E39B8E',
        'KeybackupsPrimaryKeyB075C2EF',
      ]);
      for (const replica of e.replicaStages) {
        expect(Object.keys(resourcesOf(replica.keyStack, 'AWS::KMS::ReplicaKey'))).toEqual([
          'KeyappdataReplicaKeyD40F5092',
          'KeylogsReplicaKey0B70CA3A',
          'KeybackupsReplicaKey3CBCEED3',
        ]);
      }
    }
  });

  test('runs the environments one after another: primary, then the wave with its approval, then verification and protection', () => {
    const stages = pipelineOf(template).Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => `${a.RunOrder} ${a.Name}`).sort()]);
    expect(stages).toEqual([
      ['Source', ['1 my-org_kms-multi-region-pipeline']],
      ['Build', ['1 Synth']],
      ['UpdatePipeline', ['1 SelfMutate']],
      ['dev-Primary', ['1 Deploy']],
      [
        'dev-Replica-eu-west-1',
        [
          '1 dev-PreflightReplicaRegions',
          '1 dev-ProtectPrimaryKeyStack',
          '2 kms-mrk-dev-replica-key-eu-west-1.Deploy',
          '3 dev-ProtectReplicaKeyStacks',
          '3 dev-VerifyReplication',
        ],
      ],
      ['staging-Primary', ['1 kms-mrk-staging-pipeline-access.Deploy', '1 kms-mrk-staging-primary-key.Deploy']],
      [
        'staging-Replica-eu-west-1',
        [
          '1 staging-ApproveReplicas',
          '1 staging-PreflightReplicaRegions',
          '1 staging-ProtectPrimaryKeyStack',
          '2 kms-mrk-staging-replica-key-eu-west-1.Deploy',
          '3 staging-ProtectReplicaKeyStacks',
          '3 staging-VerifyReplication',
        ],
      ],
      ['production-Primary', ['1 kms-mrk-production-pipeline-access.Deploy', '1 kms-mrk-production-primary-key.Deploy']],
      [
        'production-Replicas',
        [
          '1 production-ApproveReplicas',
          '1 production-PreflightReplicaRegions',
          '1 production-ProtectPrimaryKeyStack',
          '2 production-Replica-ap-southeast-2.kms-mrk-production-replica-key-ap-southeast-2.Deploy',
          '2 production-Replica-eu-west-1.kms-mrk-production-replica-key-eu-west-1.Deploy',
          '3 production-ProtectReplicaKeyStacks',
          '3 production-VerifyReplication',
        ],
      ],
    ]);
  });

  test('each approval names its environment, its account and its Regions', () => {
    const approvals = pipelineOf(template)
      .Stages.flatMap((s: any) => s.Actions)
      .filter((a: any) => a.ActionTypeId.Provider === 'Manual')
      .map((a: any) => a.Configuration.CustomData);
    expect(approvals).toEqual([
      'The 3 primary keys alias/app-data, alias/logs, alias/backups of environment staging (account 222222222222) are deployed in us-east-1. ' +
        'Approving creates or updates their replicas in eu-west-1, then verifies for every key that ciphertext from us-east-1 decrypts there and not in ca-central-1.',
      'The 3 primary keys alias/app-data, alias/logs, alias/backups of environment production (account 333333333333) are deployed in us-east-1. ' +
        'Approving creates or updates their replicas in eu-west-1, ap-southeast-2, then verifies for every key that ciphertext from us-east-1 decrypts there and not in ca-central-1.',
    ]);
  });

  test('uses cross-account keys, retained, for the replication buckets, since staging and production are other accounts', () => {
    // In the pipeline Region, the pipeline's own artifact bucket serves.
    const support = Object.values(stack.pipeline.pipeline.crossRegionSupport).filter((s) => s.stack !== stack);
    expect(support.map((s) => s.stack.region).sort()).toEqual(['ap-southeast-2', 'eu-west-1']);
    for (const { stack: supportStack } of support) {
      const keys = resourcesOf(supportStack, 'AWS::KMS::Key');
      expect(Object.values(keys).map((k) => k.Properties.EnableKeyRotation)).toEqual([true]);
      // Retained like every key of the project: no deploy may schedule a key's deletion, so deleting the stack would
      // otherwise stop at its key (docs/runbooks/delete-everything.md schedules it).
      expect(Object.values(keys).map((k) => [k.DeletionPolicy, k.UpdateReplacePolicy])).toEqual([['Retain', 'Retain']]);
    }
  });
});

describe('the roles in the environment accounts', () => {
  const [dev, staging, production] = stack.environments;

  test('exist only for the environments outside the pipeline account', () => {
    expect(dev.accessStack).toBeUndefined();
    expect(staging.accessStack?.account).toBe('222222222222');
    expect(production.accessStack?.account).toBe('333333333333');
  });

  test.each([
    ['verify', ['verify-step', 'scheduled-verify']],
    ['preflight', ['preflight-step']],
    ['protect', ['protect-primary-step', 'protect-replicas-step']],
  ])('the %s role of each trusts only the named step roles of its own environment in the pipeline account', (role, steps) => {
    for (const e of [staging, production]) {
      const roles = Object.values(resourcesOf(e.accessStack!, 'AWS::IAM::Role')).filter(
        (r) => r.Properties.RoleName === `kms-mrk-${e.environment.name}-${role}`,
      );
      expect(roles).toHaveLength(1);
      expect(roles[0].Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PIPELINE_ACCOUNT}:root` },
          Condition: {
            ArnEquals: {
              'aws:PrincipalArn': steps.map((step) => `arn:aws:iam::${PIPELINE_ACCOUNT}:role/kms-mrk-${e.environment.name}-${step}`),
            },
          },
        },
      ]);
    }
  });

  test('the step roles of the pipeline account are named, one set per other account, and may only assume their role there', () => {
    const named = Object.entries<any>(pipelineTemplate.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName !== undefined)
      .map(([, r]) => r.Properties.RoleName)
      .sort();
    expect(named).toEqual(
      ['staging', 'production']
        .flatMap((env) =>
          ['verify-step', 'scheduled-verify', 'preflight-step', 'protect-primary-step', 'protect-replicas-step'].map(
            (s) => `kms-mrk-${env}-${s}`,
          ),
        )
        .sort(),
    );
    const policies = Object.values<any>(pipelineTemplate.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    for (const env of ['staging', 'production']) {
      const roleId = Object.entries<any>(pipelineTemplate.Resources).find(
        ([, r]) => r.Properties?.RoleName === `kms-mrk-${env}-verify-step`,
      )![0];
      const statements = policies
        .filter((p) => p.Properties.Roles.some((ref: any) => ref.Ref === roleId))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      const account = env === 'staging' ? '222222222222' : '333333333333';
      expect(
        statements.filter((s: any) => JSON.stringify(s.Action).includes('kms:') && !JSON.stringify(s.Resource).includes('Artifacts')),
      ).toEqual([]);
      expect(statements.filter((s: any) => s.Action === 'sts:AssumeRole')).toEqual([
        {
          Sid: 'AssumeTheEnvironmentRole',
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Resource: `arn:aws:iam::${account}:role/kms-mrk-${env}-verify`,
        },
      ]);
    }
  });

  test('the verification of an environment in another account assumes its role there, and the one in the pipeline account does not', () => {
    const projects = Object.values<any>(pipelineTemplate.Resources).filter((r) => r.Type === 'AWS::CodeBuild::Project');
    const verifyRoles = projects
      .flatMap((p) => p.Properties.Environment.EnvironmentVariables ?? [])
      .filter((v: any) => v.Name === 'VERIFY_ROLE_ARN')
      .map((v: any) => v.Value)
      .sort();
    // The pipeline's step and the scheduled run of staging and of production; none for dev.
    expect(verifyRoles).toEqual([
      'arn:aws:iam::222222222222:role/kms-mrk-staging-verify',
      'arn:aws:iam::222222222222:role/kms-mrk-staging-verify',
      'arn:aws:iam::333333333333:role/kms-mrk-production-verify',
      'arn:aws:iam::333333333333:role/kms-mrk-production-verify',
    ]);
  });

  test("the environment roles act only in their own account: another environment's keys and stacks are not theirs", () => {
    for (const e of [staging, production]) {
      const text = JSON.stringify(resourcesOf(e.accessStack!, 'AWS::IAM::Policy'));
      const accounts = [...new Set([...text.matchAll(/arn:aws:(?:kms|cloudformation):[a-z0-9-]+:(\d{12}):/g)].map((m) => m[1]))];
      expect(accounts).toEqual([e.environment.account]);
    }
  });

  test('the key stacks of other accounts forward their activity to the bus of the pipeline account, which lets those accounts put events', () => {
    const bus = Object.values<any>(pipelineTemplate.Resources).find((r) => r.Type === 'AWS::Events::EventBusPolicy');
    expect(bus.Properties.Statement.Principal).toEqual({ AWS: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root'] });
    // Only the KMS events that the rules forward.
    expect(bus.Properties.Statement.Condition).toEqual({
      'ForAllValues:StringEquals': { 'events:source': ['aws.kms'] },
      StringEquals: { 'events:detail-type': ['AWS API Call via CloudTrail', 'KMS CMK Deletion'] },
    });
    const rules = Object.values(resourcesOf(production.primaryStage.keyStack, 'AWS::Events::Rule'));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(JSON.stringify(rule.Properties.Targets)).toContain('arn:aws:events:us-east-1:111111111111:event-bus/kms-mrk-key-activity');
    }
  });
});

describe('key administrators and users with environments in several accounts', () => {
  const raw = JSON.parse(fs.readFileSync(EXAMPLE_ENVIRONMENTS_CONFIG_FILE, 'utf8'));
  raw.keys = raw.keys.slice(0, 1);
  raw.keys[0].adminPrincipalArns = ['arn:aws:iam::222222222222:role/staging-admin', 'arn:aws:iam::444444444444:role/security-admin'];
  raw.keys[0].userPrincipalArns = ['arn:aws:iam::333333333333:role/production-app', 'arn:aws:iam::111111111111:role/dev-app'];
  const { stack: withPrincipals } = synthesizeOnce(validateConfig(raw));

  /** The principals of the key policy statements that name administrators and users, in an environment's primary key stack. */
  function principals(environment: string): Record<string, string[]> {
    const deployment = withPrincipals.environments.find((e) => e.environment.name === environment)!;
    const [key] = Object.values(resourcesOf(deployment.primaryStage.keyStack, 'AWS::KMS::Key'));
    const statements = key.Properties.KeyPolicy.Statement.filter((s: any) => /^KeyAdministrators|^KeyUsers/.test(s.Sid));
    return Object.fromEntries(statements.map((s: any) => [s.Sid, [s.Principal.AWS].flat()]));
  }

  test("each environment's key policy names the principals of its own account and of accounts without an environment, never another environment's", () => {
    expect(principals('dev')).toEqual({
      KeyAdministratorsManageButDoNotUse: ['arn:aws:iam::444444444444:role/security-admin'],
      KeyUsersUseButDoNotManage: ['arn:aws:iam::111111111111:role/dev-app'],
    });
    expect(principals('staging')).toEqual({
      KeyAdministratorsManageButDoNotUse: ['arn:aws:iam::222222222222:role/staging-admin', 'arn:aws:iam::444444444444:role/security-admin'],
    });
    expect(principals('production')).toEqual({
      KeyAdministratorsManageButDoNotUse: ['arn:aws:iam::444444444444:role/security-admin'],
      KeyUsersUseButDoNotManage: ['arn:aws:iam::333333333333:role/production-app'],
    });
  });
});

/** The build commands of the pipeline's CodeBuild project whose commands mention `text`. */
function commandsMentioning(text: string): string[] {
  const found = Object.values<any>(pipelineTemplate.Resources)
    .filter((r) => r.Type === 'AWS::CodeBuild::Project' && typeof r.Properties.Source.BuildSpec === 'string')
    .map((r) => JSON.parse(r.Properties.Source.BuildSpec).phases?.build?.commands as string[] | undefined)
    .filter((commands): commands is string[] => commands?.some((c) => c.includes(text)) ?? false);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Runs `commands` one by one, as CodeBuild does, with stand-ins for `aws` (which refuses the role `deniedTimes` times) and `sleep`. */
function runWithFakeCli(commands: readonly string[], deniedTimes: number): { calls: string[]; failedAt?: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-cli-'));
  const log = path.join(dir, 'calls');
  fs.writeFileSync(
    path.join(dir, 'aws'),
    `#!/bin/sh\necho "aws $*" >> "${log}"\nif [ "$1 $2" = "sts get-caller-identity" ]; then\n` +
      `  n=$(grep -c "sts get-caller-identity" "${log}"); [ "$n" -gt ${deniedTimes} ] || exit 254\nfi\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, 'sleep'), `#!/bin/sh\necho "sleep $*" >> "${log}"\n`, { mode: 0o755 });
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  let failedAt: number | undefined;
  for (const [i, command] of commands.entries()) {
    const result = spawnSync('bash', ['-c', command], { env, encoding: 'utf8' });
    if (result.status !== 0) {
      failedAt = i;
      break;
    }
  }
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { calls, failedAt };
}

describe('the protection of the key stacks of an environment in another account', () => {
  const staging = commandsMentioning('kms-mrk-staging-replica-key-eu-west-1 --profile');
  const UPDATE =
    'aws cloudformation update-termination-protection --enable-termination-protection --region eu-west-1 --stack-name kms-mrk-staging-replica-key-eu-west-1';

  test('works through a profile that assumes the protect role there with the build credentials', () => {
    expect(staging.slice(0, 2)).toEqual([
      'aws configure set profile.environment.role_arn arn:aws:iam::222222222222:role/kms-mrk-staging-protect',
      'aws configure set profile.environment.credential_source EcsContainer',
    ]);
    expect(staging[staging.length - 1]).toBe(`${UPDATE} --profile environment`);
    // In the pipeline account, the step's own role does it.
    expect(commandsMentioning('kms-mrk-dev-replica-key-eu-west-1')).toEqual([
      'aws cloudformation update-termination-protection --enable-termination-protection --region eu-west-1 --stack-name kms-mrk-dev-replica-key-eu-west-1',
    ]);
  });

  test('asks for a role that IAM denies at first every 5 s, then protects the stack', () => {
    const { calls, failedAt } = runWithFakeCli(staging, 2);
    expect(failedAt).toBeUndefined();
    expect(calls.slice(2)).toEqual([
      'aws sts get-caller-identity --profile environment',
      'sleep 5',
      'aws sts get-caller-identity --profile environment',
      'sleep 5',
      'aws sts get-caller-identity --profile environment',
      `${UPDATE} --profile environment`,
    ]);
  });

  test('fails the step after 13 asks a minute apart in all, without touching the stack', () => {
    const { calls, failedAt } = runWithFakeCli(staging, 100);
    expect(failedAt).toBe(2);
    expect(calls.filter((c) => c.startsWith('aws sts'))).toHaveLength(13);
    expect(calls.filter((c) => c === 'sleep 5')).toHaveLength(12);
    expect(calls.some((c) => c.includes('update-termination-protection'))).toBe(false);
  });
});
