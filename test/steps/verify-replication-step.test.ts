import { Match } from 'aws-cdk-lib/assertions';
import { VERIFY_KMS_ACTIONS, VERIFY_PERMISSION_WAIT_SECONDS } from '../../lib/steps/verify-replication-step';
import { configWith, synthesizeOnce } from '../helpers/app';
import { buildSpecOf, pipelineOf } from '../helpers/pipeline-template';

describe('VerifyReplicationStep in the pipeline of the example config', () => {
  const { pipelineTemplate: template } = synthesizeOnce(configWith());

  test('the verification step gets the key ARN from the primary stack output and the Regions as environment', () => {
    const verify = pipelineOf(template).Stages[4].Actions.find((a: any) => a.Name === 'VerifyReplication');
    expect(JSON.parse(verify.Configuration.EnvironmentVariables)).toEqual([
      {
        name: 'PRIMARY_KEY_ARN',
        type: 'PLAINTEXT',
        value: expect.stringMatching(/^#\{PipelinePrimaryKeyStack[0-9A-F]+\.PrimaryKeyArn\}$/),
      },
    ]);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        ComputeType: 'BUILD_GENERAL1_SMALL',
        EnvironmentVariables: Match.arrayWith([
          { Name: 'REPLICA_REGIONS', Type: 'PLAINTEXT', Value: 'eu-west-1' },
          { Name: 'NO_REPLICA_REGIONS', Type: 'PLAINTEXT', Value: 'ca-central-1' },
          { Name: 'KEY_ALIAS', Type: 'PLAINTEXT', Value: 'alias/app-data' },
        ]),
      }),
    });
  });

  test('the verification step runs the bundle with no install and publishes a JUnit report group', () => {
    const spec = buildSpecOf(template, 'PipelineReplicaeuwest1VerifyReplication');
    expect(spec).toContain('node verify-replication.js');
    expect(spec).not.toMatch(/npm (ci|install)/);
    expect(spec).toContain('VerificationReports');
    expect(spec).toContain('"file-format\\": \\"JUNITXML');
    const verify = pipelineOf(template).Stages[4].Actions.find((a: any) => a.Name === 'VerifyReplication');
    expect(verify.InputArtifacts).toEqual([{ Name: 'Synth_dist_verify' }]);
    template.resourceCountIs('AWS::CodeBuild::ReportGroup', 2);
  });

  test('the verification role may use the key with the project alias where it lives, and only Decrypt where no replica may be', () => {
    const policies = Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('VerifyReplication'));
    expect(policies).toHaveLength(1);
    const kmsStatements = policies[0][1].Properties.PolicyDocument.Statement.filter(
      (s: any) => [s.Action].flat().some((a: string) => a.startsWith('kms:')) && s.Sid,
    );
    expect(kmsStatements).toEqual([
      {
        Sid: 'UseTheProjectKeyWhereItLives',
        Effect: 'Allow',
        Action: [...VERIFY_KMS_ACTIONS].sort(),
        Resource: ['eu-west-1', 'us-east-1'].map((r) => `arn:aws:kms:${r}:111111111111:key/mrk-*`),
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/app-data'] } },
      },
      {
        Sid: 'ProveNoReplicaElsewhere',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: 'arn:aws:kms:ca-central-1:111111111111:key/mrk-*',
      },
    ]);
  });

  test('the verification step waits out KMS applying a new alias to authorization', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        EnvironmentVariables: Match.arrayWith([
          { Name: 'VERIFY_PERMISSION_WAIT_SECONDS', Type: 'PLAINTEXT', Value: String(VERIFY_PERMISSION_WAIT_SECONDS) },
        ]),
      }),
    });
    expect(VERIFY_PERMISSION_WAIT_SECONDS).toBeGreaterThanOrEqual(300);
  });
});
