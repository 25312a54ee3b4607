/**
 * The roles that act on keys, for a configuration of several keys (config/example-keys.json), judged by the
 * IAM policy simulator with the project permissions boundary: each may act on every key of the project, through
 * its alias, and on no other key.
 */
import { VERIFY_BUNDLE_OBJECT_KEY, VERIFY_KEY_LIST_OBJECT_KEY } from '../../lib/constructs/scheduled-verification';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { keysConfigWith } from '../helpers/app';
import { deployedStacks, DeployedStack } from './deployed-stacks';
import { Decision, decide, PolicyDocument } from './simulator';

const ACCOUNT = '111111111111';
const config = keysConfigWith();
const PROJECT_KEYS = config.keys.map((key, i) => ({ alias: key.alias, keyId: `mrk-${String(i + 1).repeat(32)}` }));
const OTHER_KEY = { alias: 'alias/someone-else', keyId: 'mrk-fedcba9876543210fedcba9876543210' };
const KEY_REGIONS = [config.environments[0].primaryRegion, ...config.environments[0].replicaRegions];
const keyArn = (region: string, keyId: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
/** KMS's default key policy: the account's IAM policies decide. Every key of the example has it, with the grant guard. */
const DELEGATING_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

/** The identity policies of the one role whose logical ID contains `part`, and a way to ask IAM about it. */
function roleOf(stacks: DeployedStack[], part: string) {
  const pipeline = stacks.find((s) => s.stackName === 'kms-mrk-pipeline')!;
  const found = pipeline.resources().filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.includes(part));
  expect(found).toHaveLength(1);
  const [roleId] = found[0];
  const policies: PolicyDocument[] = pipeline
    .resources()
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === roleId))
    .map(([, r]) => pipeline.resolve(r.Properties.PolicyDocument));
  const boundary = permissionsBoundary(config).document;
  return (action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Decision> =>
    decide({
      principal: pipeline.arnOf(roleId),
      action,
      resource,
      context,
      identityPolicies: policies,
      boundary,
      resourcePolicy: resource.includes(':kms:') ? DELEGATING_KEY_POLICY : undefined,
    });
}

describe('roles of the app for config/example-keys.json (three keys)', () => {
  const { stacks } = deployedStacks(config);

  describe.each([
    ['the verification role', 'VerifyReplicationRole'],
    ['the scheduled verification role', 'ScheduledVerificationProjectRole'],
  ])('%s', (_name, part) => {
    const asRole = roleOf(stacks, part);

    test.each(KEY_REGIONS.flatMap((region) => PROJECT_KEYS.map((key) => [key.alias, region, key.keyId])))(
      'may verify the key of %s in %s',
      async (alias, region, keyId) => {
        for (const action of ['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:Encrypt', 'kms:Decrypt']) {
          expect([action, await asRole(action, keyArn(region, keyId), { 'kms:ResourceAliases': [alias] })]).toEqual([action, 'Allowed']);
        }
      },
    );

    test.each(KEY_REGIONS)('may not use a key of the account without a project alias in %s', async (region) => {
      for (const action of ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt']) {
        expect(await asRole(action, keyArn(region, OTHER_KEY.keyId), { 'kms:ResourceAliases': [OTHER_KEY.alias] })).toBe(
          'ImplicitlyDenied',
        );
        expect(await asRole(action, keyArn(region, OTHER_KEY.keyId))).toBe('ImplicitlyDenied');
      }
    });

    test('may not manage any project key', async () => {
      for (const { alias, keyId } of PROJECT_KEYS) {
        for (const action of ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKey']) {
          expect(await asRole(action, keyArn(config.environments[0].primaryRegion, keyId), { 'kms:ResourceAliases': [alias] })).toBe(
            'ImplicitlyDenied',
          );
        }
      }
    });
  });

  test('the verification role may write the bundle and the key list, and no other object', async () => {
    const asRole = roleOf(stacks, 'VerifyReplicationRole');
    const pipeline = stacks.find((s) => s.stackName === 'kms-mrk-pipeline')!;
    const [bucketId] = pipeline
      .resources()
      .find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('ScheduledVerificationBundleBucket'))!;
    const object = (key: string) => `${pipeline.arnOf(bucketId)}/${key}`;
    expect(await asRole('s3:PutObject', object(VERIFY_BUNDLE_OBJECT_KEY))).toBe('Allowed');
    expect(await asRole('s3:PutObject', object(VERIFY_KEY_LIST_OBJECT_KEY))).toBe('Allowed');
    expect(await asRole('s3:PutObject', object('verify-replication/other.json'))).toBe('ImplicitlyDenied');
  });

  test('the scheduled verification role may read the bundle and the key list, and list the versions of the key list only', async () => {
    const asRole = roleOf(stacks, 'ScheduledVerificationProjectRole');
    const pipeline = stacks.find((s) => s.stackName === 'kms-mrk-pipeline')!;
    const [bucketId] = pipeline
      .resources()
      .find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('ScheduledVerificationBundleBucket'))!;
    const bucket = pipeline.arnOf(bucketId);
    expect(await asRole('s3:GetObject', `${bucket}/${VERIFY_BUNDLE_OBJECT_KEY}`)).toBe('Allowed');
    expect(await asRole('s3:GetObject', `${bucket}/${VERIFY_KEY_LIST_OBJECT_KEY}`)).toBe('Allowed');
    expect(await asRole('s3:PutObject', `${bucket}/${VERIFY_KEY_LIST_OBJECT_KEY}`)).toBe('ImplicitlyDenied');
    expect(await asRole('s3:ListBucketVersions', bucket, { 's3:prefix': VERIFY_KEY_LIST_OBJECT_KEY })).toBe('Allowed');
    expect(await asRole('s3:ListBucketVersions', bucket, { 's3:prefix': 'verify-replication/' })).toBe('ImplicitlyDenied');
  });

  describe('the preflight role', () => {
    const asRole = roleOf(stacks, 'PreflightReplicaRegionsRole');

    test.each(config.environments[0].replicaRegions.flatMap((region) => PROJECT_KEYS.map((key) => [key.alias, region])))(
      'may resolve %s in %s, whatever key it names',
      async (alias, region) => {
        expect(await asRole('kms:DescribeKey', keyArn(region, OTHER_KEY.keyId), { 'kms:RequestAlias': alias })).toBe('Allowed');
      },
    );

    test.each(config.environments[0].replicaRegions)(
      'may not resolve another alias, or describe a key without one, in %s',
      async (region) => {
        expect(await asRole('kms:DescribeKey', keyArn(region, OTHER_KEY.keyId), { 'kms:RequestAlias': OTHER_KEY.alias })).toBe(
          'ImplicitlyDenied',
        );
        expect(await asRole('kms:DescribeKey', keyArn(region, OTHER_KEY.keyId))).toBe('ImplicitlyDenied');
      },
    );

    test('may not use any project key', async () => {
      for (const { alias, keyId } of PROJECT_KEYS) {
        expect(await asRole('kms:Decrypt', keyArn(config.environments[0].primaryRegion, keyId), { 'kms:ResourceAliases': [alias] })).toBe(
          'ImplicitlyDenied',
        );
      }
    });
  });
});
