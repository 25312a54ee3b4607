import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ReplicaKey } from '../../lib/constructs/replica-key';
import { testApp } from '../helpers/app';

const PRIMARY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/mrk-1234567890abcdef1234567890abcdef';

function replicaStack(): { stack: Stack; replica: ReplicaKey } {
  const stack = new Stack(testApp(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const replica = new ReplicaKey(stack, 'ReplicaKey', {
    primaryKeyArn: PRIMARY_ARN,
    alias: 'alias/app',
    description: 'd',
    pendingWindowDays: 10,
    tags: { team: 'security' },
    userPrincipalArns: ['arn:aws:iam::111111111111:role/app'],
  });
  return { stack, replica };
}

describe('ReplicaKey', () => {
  test('is a retained replica of the given primary with an alias of the same name', () => {
    const template = Template.fromStack(replicaStack().stack);
    template.hasResource('AWS::KMS::ReplicaKey', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PrimaryKeyArn: PRIMARY_ARN,
        PendingWindowInDays: 10,
        Description: 'd',
        Enabled: true,
        Tags: [{ Key: 'team', Value: 'security' }],
      }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/app',
      TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicaKey'), 'KeyId'] },
    });
  });

  test('grants like any IKey: grantDecrypt names the replica ARN', () => {
    const { stack, replica } = replicaStack();
    const role = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    replica.grantDecrypt(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicaKey'), 'Arn'] } }],
      },
    });
    expect(replica.aliasName).toBe('alias/app');
  });

  test('refuses statements added to its key policy instead of dropping them silently', () => {
    const { replica } = replicaStack();
    const statement = new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      principals: [new iam.ServicePrincipal('logs.amazonaws.com')],
      resources: ['*'],
    });
    expect(() => replica.addToResourcePolicy(statement)).toThrow(
      /cannot add to its key policy .*set by adminPrincipalArns\/userPrincipalArns/,
    );
  });

  test('rejects a primary key ARN that is not multi-region', () => {
    const stack = new Stack(testApp(), 'Test');
    expect(
      () =>
        new ReplicaKey(stack, 'R', {
          primaryKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          alias: 'alias/app',
        }),
    ).toThrow(
      'primaryKeyArn must be the ARN of a multi-region key (key/mrk-...), got "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
    );
  });
});
