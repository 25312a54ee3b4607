import { Match } from 'aws-cdk-lib/assertions';
import { configWith, synthesizeOnce } from '../helpers/app';

/** CT.KMS.PR.3: CreateGrant only for AWS resources or by AWS services, written out so a change to it shows here. */
const GRANT_GUARD = {
  Sid: 'DenyGrantsNotForAwsResources',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};

describe('PrimaryKeyStack (example config)', () => {
  const { stack, primaryTemplate: template } = synthesizeOnce(configWith());

  test('deploys to the primary Region of the pipeline account, and asks for termination protection (for `cdk deploy`; the pipeline sets it itself)', () => {
    const keyStack = stack.primaryStage.keyStack;
    expect(keyStack.region).toBe('us-east-1');
    expect(keyStack.account).toBe('111111111111');
    expect(keyStack.stackName).toBe('kms-mrk-primary-key');
    expect(keyStack.terminationProtection).toBe(true);
  });

  test('the key is multi-region, rotates, is retained, with the configured settings and tags', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        MultiRegion: true,
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        PendingWindowInDays: 30,
        Description: 'Multi-region key for application data',
        Tags: Match.arrayWith([
          { Key: 'data-classification', Value: 'confidential' },
          { Key: 'project', Value: 'kms-mrk' },
        ]),
      }),
    });
  });

  test('the key policy delegates to the account and, without principals configured, only denies grants not for AWS resources', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: [
          {
            Sid: 'EnableIamPoliciesOfTheAccount',
            Action: 'kms:*',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111111111111:root' },
            Resource: '*',
          },
          GRANT_GUARD,
        ],
      },
    });
  });

  test('the alias points at the key', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app-data', TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('the SSM parameter holds the key ARN at a name derived from project and alias', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/kms-mrk/app-data/primary-key-arn',
      Type: 'String',
      Value: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  test('outputs the key ARN and key ID for pipeline steps', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasOutput('PrimaryKeyArn', { Value: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasOutput('PrimaryKeyId', { Value: { Ref: keyId } });
  });
});

describe('PrimaryKeyStack with administrators and users', () => {
  const config = configWith((raw) => {
    raw.key.adminPrincipalArns = ['arn:aws:iam::111111111111:role/key-admin'];
    raw.key.userPrincipalArns = ['arn:aws:iam::111111111111:role/app'];
    raw.key.enableKeyRotation = false;
  });
  const { primaryTemplate: template } = synthesizeOnce(config);

  test('administrators manage (including ReplicateKey and UpdatePrimaryRegion) and users only use the key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: [
          Match.objectLike({ Sid: 'EnableIamPoliciesOfTheAccount' }),
          Match.objectLike({
            Sid: 'KeyAdministratorsManageButDoNotUse',
            Principal: { AWS: 'arn:aws:iam::111111111111:role/key-admin' },
            Action: Match.arrayWith(['kms:ReplicateKey', 'kms:ScheduleKeyDeletion', 'kms:UpdatePrimaryRegion']),
          }),
          Match.objectLike({
            Sid: 'KeyUsersUseButDoNotManage',
            Principal: { AWS: 'arn:aws:iam::111111111111:role/app' },
            Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt']),
          }),
          GRANT_GUARD,
        ],
      },
    });
  });

  test('rotation can be turned off, and then no rotation period is set', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: false, RotationPeriodInDays: Match.absent() });
  });
});
