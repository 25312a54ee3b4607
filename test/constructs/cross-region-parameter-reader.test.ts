import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CrossRegionParameterReader } from '../../lib/constructs/cross-region-parameter-reader';
import { testApp } from '../helpers/app';

function readerTemplate(refreshToken?: string): Template {
  const stack = new Stack(testApp(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  new CrossRegionParameterReader(stack, 'Reader', { parameterName: '/p/app/primary-key-arn', parameterRegion: 'us-east-1', refreshToken });
  return Template.fromStack(stack);
}

describe('CrossRegionParameterReader', () => {
  const template = readerTemplate('abc123');

  test('may read exactly one parameter in the other Region, nothing with a * resource', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'ssm:GetParameter', Effect: 'Allow', Resource: 'arn:aws:ssm:us-east-1:111111111111:parameter/p/app/primary-key-arn' },
        ]),
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect(statement.Resource).not.toEqual('*');
      }
    }
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('deploys its handler inline, so the stack has no asset to publish', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Code: { ZipFile: Match.stringLikeRegexp('GetParameterCommand') },
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AssetParameters|cdk-assets|S3Key/);
  });

  test('passes the parameter, its Region and the refresh token to the custom resource', () => {
    template.hasResourceProperties('Custom::CrossRegionParameterReader', {
      ParameterName: '/p/app/primary-key-arn',
      ParameterRegion: 'us-east-1',
      SourceVersion: 'abc123',
      ServiceTimeout: '300',
    });
    readerTemplate().hasResourceProperties('Custom::CrossRegionParameterReader', { SourceVersion: 'static' });
  });

  test.each([
    [
      'parameterName',
      { parameterName: 'no-slash', parameterRegion: 'us-east-1' },
      'parameterName must start with "/" and hold only A-Z a-z 0-9 _ . - /, got "no-slash"',
    ],
    [
      'parameterRegion',
      { parameterName: '/p', parameterRegion: 'mars' },
      'parameterRegion must be a Region name such as us-east-1, got "mars"',
    ],
  ])('rejects a bad %s', (_field, props, message) => {
    expect(() => new CrossRegionParameterReader(new Stack(testApp(), 'S'), 'R', props)).toThrow(message);
  });
});
