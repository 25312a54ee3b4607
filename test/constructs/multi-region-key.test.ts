import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MultiRegionKey, MultiRegionKeyProps } from '../../lib/constructs/multi-region-key';
import { testApp } from '../helpers/app';

function keyTemplate(props: MultiRegionKeyProps): Template {
  const stack = new Stack(testApp(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  new MultiRegionKey(stack, 'PrimaryKey', props);
  return Template.fromStack(stack);
}

describe('MultiRegionKey', () => {
  test('is a retained, rotating, symmetric multi-region key with its alias', () => {
    const template = keyTemplate({ alias: 'alias/app', description: 'd', pendingWindowDays: 7, rotationPeriodDays: 180 });
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        MultiRegion: true,
        EnableKeyRotation: true,
        RotationPeriodInDays: 180,
        PendingWindowInDays: 7,
        Description: 'd',
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
      }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app' });
  });

  test('can turn rotation off', () => {
    const template = keyTemplate({ alias: 'alias/app', enableKeyRotation: false });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: false, RotationPeriodInDays: Match.absent() });
  });

  test.each([
    [{ alias: 'alias/app', pendingWindowDays: 45 }, 'pendingWindowDays must be an integer 7..30, got 45'],
    [{ alias: 'alias/app', rotationPeriodDays: 30 }, 'rotationPeriodDays must be an integer 90..2560, got 30'],
    [{ alias: 'app' }, 'alias must start with "alias/", got "app"'],
    [{ alias: 'alias/aws/s3' }, 'alias must not be under "alias/aws/", which is reserved for AWS managed keys, got "alias/aws/s3"'],
    [
      { alias: 'alias/app', enableKeyRotation: false, rotationPeriodDays: 90 },
      'rotationPeriodDays needs enableKeyRotation true, got rotationPeriodDays 90 with rotation off',
    ],
  ])('rejects bad props: %j', (props, message) => {
    expect(() => keyTemplate(props as MultiRegionKeyProps)).toThrow(message);
  });
});
