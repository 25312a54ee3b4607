import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PipelineBuildLogs } from '../../lib/constructs/pipeline-build-logs';
import { testApp } from '../helpers/app';

function buildLogsStack(logGroupName = '/kms-mrk/pipeline/builds', retention?: logs.RetentionDays): Stack {
  const stack = new Stack(testApp(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const encryptionKey = new kms.Key(stack, 'Key');
  new PipelineBuildLogs(stack, 'BuildLogs', { logGroupName, encryptionKey, retention });
  return stack;
}

describe('PipelineBuildLogs', () => {
  const template = Template.fromStack(buildLogsStack());
  const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];

  test('is a named log group, encrypted with the key, kept one year, retained unless its own create rolls back', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: { LogGroupName: '/kms-mrk/pipeline/builds', KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 365 },
    });
  });

  test("lets CloudWatch Logs of the stack's Region use the key for that log group only", () => {
    const policy = Object.values<any>(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy;
    const forLogs = policy.Statement.filter((s: any) => JSON.stringify(s.Principal ?? {}).includes('logs.'));
    expect(forLogs).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Resource: '*',
        Condition: {
          ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:/kms-mrk/pipeline/builds' },
        },
      },
    ]);
  });

  test('keeps logs as long as asked', () => {
    Template.fromStack(buildLogsStack('/p/builds', logs.RetentionDays.ONE_MONTH)).hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
    });
  });

  test.each(['', 'has space', 'x'.repeat(513)])('refuses a log group name CloudWatch Logs would refuse: %j', (name) => {
    expect(() => buildLogsStack(name)).toThrow(`logGroupName must be 1 to 512 of A-Z a-z 0-9 _ - / . #, got ${JSON.stringify(name)}`);
  });
});
