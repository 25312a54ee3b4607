import { Match } from 'aws-cdk-lib/assertions';
import { configWith, synthesizeOnce } from '../helpers/app';

const REGIONS = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];

describe('ReplicaKeyStack', () => {
  const config = configWith((raw) => {
    raw.replicaRegions = REGIONS;
  });
  const synthesized = synthesizeOnce(config, { sourceVersion: '0123abcd' });

  test.each(REGIONS)('%s: one replica key fed by the reader, retained, with its alias', (region) => {
    const template = synthesized.replicaTemplate(region);
    template.resourceCountIs('AWS::KMS::ReplicaKey', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const readerId = Object.keys(template.findResources('Custom::CrossRegionParameterReader'))[0];
    template.hasResource('AWS::KMS::ReplicaKey', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PrimaryKeyArn: { 'Fn::GetAtt': [readerId, 'Value'] },
        PendingWindowInDays: 30,
        Description: 'Multi-region key for application data',
      }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app-data' });
  });

  test.each(REGIONS)('%s: the reader reads the primary Region parameter, re-read per source commit', (region) => {
    synthesized.replicaTemplate(region).hasResourceProperties('Custom::CrossRegionParameterReader', {
      ParameterName: '/kms-mrk/app-data/primary-key-arn',
      ParameterRegion: 'us-east-1',
      SourceVersion: '0123abcd',
    });
  });

  test.each(REGIONS)('%s: the reader role may read only that parameter ARN', (region) => {
    synthesized.replicaTemplate(region).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'ssm:GetParameter',
            Effect: 'Allow',
            Resource: 'arn:aws:ssm:us-east-1:111111111111:parameter/kms-mrk/app-data/primary-key-arn',
          },
        ]),
      },
    });
  });

  test('replicas carry the same key policy and tags as the primary', () => {
    const primaryKey = Object.values(synthesized.primaryTemplate.findResources('AWS::KMS::Key'))[0];
    for (const region of REGIONS) {
      const replica = Object.values(synthesized.replicaTemplate(region).findResources('AWS::KMS::ReplicaKey'))[0];
      expect(replica.Properties.KeyPolicy).toEqual(primaryKey.Properties.KeyPolicy);
      expect(replica.Properties.Tags).toEqual(primaryKey.Properties.Tags);
    }
  });

  test('each replica stack lives in its Region with a stable name, and asks for termination protection (for `cdk deploy`)', () => {
    expect(synthesized.stack.replicaStages).toHaveLength(REGIONS.length);
    for (const stage of synthesized.stack.replicaStages) {
      const region = stage.keyStack.region;
      expect(REGIONS).toContain(region);
      expect(stage.keyStack.stackName).toBe(`kms-mrk-replica-key-${region}`);
      expect(stage.keyStack.terminationProtection).toBe(true);
    }
  });

  test('outside CodeBuild the refresh token is the fixed value "local"', () => {
    synthesizeOnce(configWith())
      .replicaTemplate('eu-west-1')
      .hasResourceProperties('Custom::CrossRegionParameterReader', { SourceVersion: 'local' });
  });
});
