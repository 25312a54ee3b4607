/**
 * Who can and who cannot: the roles of the synthesized app, with their identity
 * policies, the project permissions boundary and (for keys) the key policy,
 * judged by an IAM policy simulator on the calls each role's step really makes.
 */
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { VERIFY_BUNDLE_OBJECT_KEY } from '../../lib/constructs/scheduled-verification';
import { bootstrapQualifier } from '../../lib/resource-names';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { configWith } from '../helpers/app';
import { deployedStacks, DeployedStack } from './deployed-stacks';
import { Decision, decide, PolicyDocument } from './simulator';

const ACCOUNT = '111111111111';
const KEY_ID = 'mrk-0123456789abcdef0123456789abcdef';
const OTHER_MRK = 'mrk-fedcba9876543210fedcba9876543210';
const keyArn = (region: string, keyId = KEY_ID, account = ACCOUNT) => `arn:aws:kms:${region}:${account}:key/${keyId}`;

/** A role of the app: its ARN and every identity policy attached to it (inline and AWS::IAM::Policy). */
interface AppRole {
  readonly arn: string;
  readonly policies: PolicyDocument[];
}

function role(stacks: DeployedStack[], logicalIdPart: string): AppRole {
  for (const stack of stacks) {
    const found = stack.resources().filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.includes(logicalIdPart));
    if (found.length > 1) throw new Error(`more than one role matches ${logicalIdPart}`);
    if (found.length === 0) continue;
    const [roleId, resource] = found[0];
    const inline = (resource.Properties.Policies ?? []).map((p: any) => stack.resolve(p.PolicyDocument));
    const attached = stack
      .resources()
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === roleId))
      .map(([, r]) => stack.resolve(r.Properties.PolicyDocument));
    return { arn: stack.arnOf(roleId), policies: [...inline, ...attached] };
  }
  throw new Error(`no role matches ${logicalIdPart}`);
}

/** The key policy of the project's key as deployed (the primary's; replicas share it). */
function projectKeyPolicy(stacks: DeployedStack[]): PolicyDocument {
  const primary = stacks.find((s) => s.stackName === 'kms-mrk-primary-key')!;
  const [, key] = primary.resources().find(([, r]) => r.Type === 'AWS::KMS::Key')!;
  return primary.resolve(key.Properties.KeyPolicy);
}

function asRole(appRole: AppRole, boundary: PolicyDocument, resourcePolicy?: PolicyDocument) {
  return (action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Decision> =>
    decide({ principal: appRole.arn, action, resource, context, identityPolicies: appRole.policies, boundary, resourcePolicy });
}

describe.each<[string, KmsPipelineConfig]>([
  ['the example configuration', configWith()],
  [
    'three replica Regions and a codestar-connections source',
    configWith((raw) => {
      raw.replicaRegions = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];
      raw.noReplicaRegions = ['ca-central-1', 'us-west-2'];
      raw.source.connectionArn = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/11111111-1111-1111-1111-111111111111`;
    }),
  ],
])('roles of the app for %s', (_name, config) => {
  const { stacks } = deployedStacks(config);
  const boundary = permissionsBoundary(config).document;
  const keyPolicy = projectKeyPolicy(stacks);
  const [{ alias }] = config.keys;
  const keyRegions = [config.environments[0].primaryRegion, ...config.environments[0].replicaRegions];

  describe('the source action role', () => {
    const source = asRole(role(stacks, 'SourcemyorgkmsmultiregionpipelineCodePipelineActionRole'), boundary);
    const service = config.source.connectionArn.split(':')[2];

    test(`may use the connection with ${service}:UseConnection, the prefix of its ARN`, async () => {
      expect(await source(`${service}:UseConnection`, config.source.connectionArn)).toBe('Allowed');
    });

    test('may not use another connection', async () => {
      const other = config.source.connectionArn.replace(/connection\/.*/, 'connection/99999999-9999-9999-9999-999999999999');
      expect(await source(`${service}:UseConnection`, other)).toBe('ImplicitlyDenied');
    });
  });

  describe('the verification role', () => {
    const verify = role(stacks, 'VerifyReplicationRole');
    const onProjectKey = asRole(verify, boundary, keyPolicy);
    const withAlias = { 'kms:ResourceAliases': [alias] };

    test.each(
      keyRegions.flatMap((region) => ['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:Encrypt', 'kms:Decrypt'].map((a) => [a, region])),
    )('may call %s on the project key in %s, which carries the alias', async (action, region) => {
      expect(await onProjectKey(action, keyArn(region), withAlias)).toBe('Allowed');
    });

    test.each(keyRegions)('may resolve the alias with DescribeKey in %s (the alias check)', async (region) => {
      expect(await onProjectKey('kms:DescribeKey', keyArn(region), { ...withAlias, 'kms:RequestAlias': alias })).toBe('Allowed');
    });

    test.each(keyRegions)('may not use another multi-region key of the account in %s', async (region) => {
      for (const action of ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt']) {
        expect(await onProjectKey(action, keyArn(region, OTHER_MRK), { 'kms:ResourceAliases': ['alias/someone-else'] })).toBe(
          'ImplicitlyDenied',
        );
        expect(await onProjectKey(action, keyArn(region, OTHER_MRK))).toBe('ImplicitlyDenied');
      }
    });

    test.each(config.environments[0].noReplicaRegions)(
      'may call Decrypt in the no-replica Region %s, so that KMS answers NotFound',
      async (region) => {
        // The key does not exist there; with the account's delegation as the key policy, IAM alone decides.
        expect(await onProjectKey('kms:Decrypt', keyArn(region))).toBe('Allowed');
        expect(await onProjectKey('kms:Encrypt', keyArn(region), withAlias)).toBe('ImplicitlyDenied');
      },
    );

    test.each([
      ['kms:ScheduleKeyDeletion', config.environments[0].primaryRegion],
      ['kms:CreateGrant', config.environments[0].primaryRegion],
      ['kms:ReEncryptFrom', config.environments[0].primaryRegion],
      ['kms:Decrypt', 'ap-northeast-1'],
    ])('may not call %s on the project key in %s', async (action, region) => {
      // CreateGrant is also denied outright by the key policy's grant guard.
      expect(await onProjectKey(action, keyArn(region), withAlias)).toMatch(/^(Implicitly|Explicitly)Denied$/);
    });

    test('may not use a key of another account, even one with the same alias', async () => {
      const foreign = keyArn(config.environments[0].primaryRegion, KEY_ID, '222222222222');
      const foreignPolicy = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::222222222222:root` }, Action: 'kms:*', Resource: '*' }],
      };
      expect(await asRole(verify, boundary, foreignPolicy)('kms:Decrypt', foreign, withAlias)).toBe('ImplicitlyDenied');
    });
  });

  describe('the scheduled verification role', () => {
    const scheduled = role(stacks, 'ScheduledVerificationProjectRole');
    const onProjectKey = asRole(scheduled, boundary, keyPolicy);
    const withAlias = { 'kms:ResourceAliases': [alias] };
    const pipeline = stacks.find((s) => s.stackName === 'kms-mrk-pipeline')!;
    const [bucketId] = pipeline
      .resources()
      .find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('ScheduledVerificationBundleBucket'))!;
    const bundle = `${pipeline.arnOf(bucketId)}/verify-replication/verify-replication.js`;

    test.each(keyRegions)('may verify the project key in %s, as the pipeline step does', async (region) => {
      for (const action of ['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:Encrypt', 'kms:Decrypt']) {
        expect(await onProjectKey(action, keyArn(region), withAlias)).toBe('Allowed');
      }
    });

    test.each(keyRegions)('may not use another multi-region key of the account, or change the project key, in %s', async (region) => {
      expect(await onProjectKey('kms:Decrypt', keyArn(region, OTHER_MRK), { 'kms:ResourceAliases': ['alias/someone-else'] })).toBe(
        'ImplicitlyDenied',
      );
      for (const action of ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:CreateGrant']) {
        // CreateGrant is also denied outright by the key policy's grant guard.
        expect(await onProjectKey(action, keyArn(region), withAlias)).toMatch(/^(Implicitly|Explicitly)Denied$/);
      }
    });

    test.each(config.environments[0].noReplicaRegions)('may only call Decrypt in the no-replica Region %s', async (region) => {
      expect(await onProjectKey('kms:Decrypt', keyArn(region))).toBe('Allowed');
      expect(await onProjectKey('kms:Encrypt', keyArn(region), withAlias)).toBe('ImplicitlyDenied');
    });

    test('may read the kept bundle and nothing else of its bucket, and may not replace it', async () => {
      const s3 = asRole(scheduled, boundary);
      expect(await s3('s3:GetObject', bundle)).toBe('Allowed');
      expect(await s3('s3:GetObject', bundle.replace('verify-replication.js', 'other.js'))).toBe('ImplicitlyDenied');
      expect(await s3('s3:PutObject', bundle)).toBe('ImplicitlyDenied');
    });

    test('may list the versions of the bundle (to tell "never written" from "deleted"), and of nothing else in its bucket', async () => {
      const s3 = asRole(scheduled, boundary);
      const bucket = pipeline.arnOf(bucketId);
      expect(await s3('s3:ListBucketVersions', bucket, { 's3:prefix': VERIFY_BUNDLE_OBJECT_KEY })).toBe('Allowed');
      expect(await s3('s3:ListBucketVersions', bucket, { 's3:prefix': 'verify-replication/' })).toBe('ImplicitlyDenied');
      expect(await s3('s3:ListBucketVersions', bucket)).toBe('ImplicitlyDenied');
      expect(await s3('s3:ListBucket', bucket, { 's3:prefix': VERIFY_BUNDLE_OBJECT_KEY })).toBe('ImplicitlyDenied');
    });

    test('may assume no role: with the keys in the pipeline account, there is no environment role to assume', async () => {
      const qualifier = bootstrapQualifier(config.projectName);
      const roles = [
        `arn:aws:iam::${ACCOUNT}:role/cdk-${qualifier}-deploy-role-${ACCOUNT}-${config.environments[0].primaryRegion}`,
        `arn:aws:iam::${ACCOUNT}:role/cdk-${qualifier}-cfn-exec-role-${ACCOUNT}-${config.environments[0].primaryRegion}`,
        `arn:aws:iam::${ACCOUNT}:role/${config.projectName}-any-role`,
        'arn:aws:iam::222222222222:role/any-role',
      ];
      for (const roleArn of roles) {
        expect([roleArn, await asRole(scheduled, boundary)('sts:AssumeRole', roleArn)]).toEqual([roleArn, 'ImplicitlyDenied']);
      }
    });
  });

  describe('the scheduler role', () => {
    const scheduler = asRole(role(stacks, 'SchedulerRoleForTarget'), boundary);
    const pipeline = stacks.find((s) => s.stackName === 'kms-mrk-pipeline')!;
    const projectArn = (prefix: string) => {
      const [id] = pipeline.resources().find(([logicalId, r]) => r.Type === 'AWS::CodeBuild::Project' && logicalId.startsWith(prefix))!;
      return pipeline.arnOf(id);
    };

    test('may start the scheduled verification project', async () => {
      expect(await scheduler('codebuild:StartBuild', projectArn('ScheduledVerificationProject'))).toBe('Allowed');
    });

    test('may start no other project of the pipeline, and do nothing else to its own', async () => {
      expect(await scheduler('codebuild:StartBuild', projectArn('PipelineBuildSynth'))).toBe('ImplicitlyDenied');
      expect(await scheduler('codebuild:UpdateProject', projectArn('ScheduledVerificationProject'))).toBe('ImplicitlyDenied');
    });
  });

  describe.each(keyRegions)('the key-activity forwarding role in %s', (region) => {
    const stack = stacks.find((s) => s.region === region && s.stackName !== 'kms-mrk-pipeline' && s.stackName.includes('-key'))!;
    const forward = asRole(role([stack], 'KeyActivityForwardingRole'), boundary, keyPolicy);
    const bus = (name: string, busRegion = config.pipeline.region) => `arn:aws:events:${busRegion}:${ACCOUNT}:event-bus/${name}`;

    test("may put events on the project's key-activity bus in the pipeline Region", async () => {
      expect(await forward('events:PutEvents', bus('kms-mrk-key-activity'))).toBe('Allowed');
    });

    test('may put events on no other bus, and may not use the key', async () => {
      expect(await forward('events:PutEvents', bus('default'))).toBe('ImplicitlyDenied');
      expect(await forward('events:PutEvents', bus('kms-mrk-key-activity', 'ap-northeast-1'))).toBe('ImplicitlyDenied');
      expect(await forward('kms:Decrypt', keyArn(region), { 'kms:ResourceAliases': [alias] })).toBe('ImplicitlyDenied');
    });
  });

  describe('the preflight role', () => {
    const preflight = role(stacks, 'PreflightReplicaRegionsRole');
    const onProjectKey = asRole(preflight, boundary, keyPolicy);
    /** Another team's key that the alias may point at, with KMS's default key policy. */
    const delegating = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
    };
    const onAnyKey = asRole(preflight, boundary, delegating);
    const stackArn = (region: string) => `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/kms-mrk-replica-key-${region}/abc-123`;

    test('may list the replicas of the primary key', async () => {
      expect(await onProjectKey('kms:DescribeKey', keyArn(config.environments[0].primaryRegion))).toBe('Allowed');
    });

    test.each(config.environments[0].replicaRegions)(
      'in %s may read the replica key stack and resolve the project alias, whatever key it names',
      async (region) => {
        expect(await asRole(preflight, boundary)('cloudformation:DescribeStacks', stackArn(region))).toBe('Allowed');
        const someKey = keyArn(region, '1234abcd-12ab-34cd-56ef-1234567890ab');
        expect(await onAnyKey('kms:DescribeKey', someKey, { 'kms:RequestAlias': alias })).toBe('Allowed');
        expect(await onAnyKey('kms:DescribeKey', someKey, { 'kms:RequestAlias': 'alias/someone-else' })).toBe('ImplicitlyDenied');
        expect(await onAnyKey('kms:DescribeKey', someKey)).toBe('ImplicitlyDenied');
      },
    );

    test('may not use or change any key', async () => {
      for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy']) {
        expect(await onProjectKey(action, keyArn(config.environments[0].primaryRegion), { 'kms:ResourceAliases': [alias] })).toBe(
          'ImplicitlyDenied',
        );
      }
    });
  });

  describe('the termination-protection roles', () => {
    const stackArn = (name: string, region: string) => `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${name}/abc-123`;

    test('may protect the primary key stack and nothing else', async () => {
      const protect = asRole(role(stacks, 'ProtectPrimaryKeyStackRole'), boundary);
      const action = 'cloudformation:UpdateTerminationProtection';
      expect(await protect(action, stackArn('kms-mrk-primary-key', config.environments[0].primaryRegion))).toBe('Allowed');
      expect(await protect(action, stackArn('kms-mrk-pipeline', config.pipeline.region))).toBe('ImplicitlyDenied');
      expect(await protect('cloudformation:DeleteStack', stackArn('kms-mrk-primary-key', config.environments[0].primaryRegion))).toBe(
        'ImplicitlyDenied',
      );
    });

    test.each(config.environments[0].replicaRegions)('may protect the replica key stack in %s', async (region) => {
      const protect = asRole(role(stacks, 'ProtectReplicaKeyStacksRole'), boundary);
      expect(await protect('cloudformation:UpdateTerminationProtection', stackArn(`kms-mrk-replica-key-${region}`, region))).toBe(
        'Allowed',
      );
    });
  });

  describe.each(config.environments[0].replicaRegions)('the parameter reader in %s', (region) => {
    const stack = stacks.find((s) => s.stackName === `kms-mrk-replica-key-${region}`)!;
    const reader = asRole(role([stack], 'PrimaryKeyArnReaderRole'), boundary);
    const parameter = (name: string) => `arn:aws:ssm:${config.environments[0].primaryRegion}:${ACCOUNT}:parameter${name}`;

    test('may read the primary key ARN parameter and no other', async () => {
      expect(await reader('ssm:GetParameter', parameter('/kms-mrk/app-data/primary-key-arn'))).toBe('Allowed');
      expect(await reader('ssm:GetParameter', parameter('/kms-mrk/other/primary-key-arn'))).toBe('ImplicitlyDenied');
      expect(await reader('ssm:PutParameter', parameter('/kms-mrk/app-data/primary-key-arn'))).toBe('ImplicitlyDenied');
    });
  });

  describe('the pipeline and self-mutation roles', () => {
    const deployRole = (region: string) => `arn:aws:iam::${ACCOUNT}:role/cdk-kmsmrk0be8-deploy-role-${ACCOUNT}-${region}`;

    test.each(keyRegions)('the pipeline role may assume the project deploy role in %s', async (region) => {
      expect(await asRole(role(stacks, 'PipelineRoleB27FAA37'), boundary)('sts:AssumeRole', deployRole(region))).toBe('Allowed');
    });

    test('self-mutation may assume the project bootstrap roles, and not a role of the default bootstrap', async () => {
      const selfMutation = asRole(role(stacks, 'SelfMutationRole'), boundary);
      const tagged = { 'iam:ResourceTag/aws-cdk:bootstrap-role': 'deploy' };
      expect(await selfMutation('sts:AssumeRole', deployRole(config.pipeline.region), tagged)).toBe('Allowed');
      expect(
        await selfMutation(
          'sts:AssumeRole',
          `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-${config.pipeline.region}`,
          tagged,
        ),
      ).toBe('ImplicitlyDenied');
    });
  });
});
