import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PipelineArtifactStore } from '../../lib/constructs/pipeline-artifact-store';
import { testApp } from '../helpers/app';

function storeStack(artifactExpirationDays?: number): Stack {
  const stack = new Stack(testApp(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  new PipelineArtifactStore(stack, 'Artifacts', { artifactExpirationDays });
  return stack;
}

describe('PipelineArtifactStore', () => {
  const template = Template.fromStack(storeStack());
  const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
  const sseKms = {
    ServerSideEncryptionConfiguration: [
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      },
    ],
  };

  const buckets = template.findResources('AWS::S3::Bucket');
  const accessLogs = Object.entries<any>(buckets).find(([id]) => id.includes('AccessLogs'))![1];
  const artifacts = Object.entries<any>(buckets).find(([id]) => !id.includes('AccessLogs'))![1];

  test('both buckets are versioned, expire old versions after 30 days, and are retained', () => {
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of [accessLogs, artifacts]) {
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
      ]);
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
  });

  test('artifacts are SSE-KMS under the artifact key; access logs SSE-S3, the only encryption server access logging supports', () => {
    expect(artifacts.Properties.BucketEncryption).toEqual(sseKms);
    expect(accessLogs.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  test('artifacts expire after 90 days and access logs after 365', () => {
    const expirations = Object.values<any>(template.findResources('AWS::S3::Bucket'))
      .map((b) => b.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays)
      .sort((a, b) => a - b);
    expect(expirations).toEqual([90, 365]);
  });

  test('S3 server access logging gets nothing from the artifact key', () => {
    const [key] = Object.values<any>(template.findResources('AWS::KMS::Key'));
    expect(JSON.stringify(key.Properties.KeyPolicy)).not.toContain('logging.s3.amazonaws.com');
  });

  test.each([0, 3651, 1.5])('refuses artifactExpirationDays %p', (days) => {
    expect(() => storeStack(days)).toThrow(`artifactExpirationDays must be an integer 1..3650, got ${days}`);
  });
});
