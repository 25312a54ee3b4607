import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface PipelineArtifactStoreProps {
  /**
   * Days after which pipeline artifacts (source zips, templates, the verifier bundle) expire.
   *
   * @default 90
   */
  readonly artifactExpirationDays?: number;
}

/**
 * The pipeline's artifact bucket: encrypted with its own rotating KMS key
 * (which the pipeline's CodeBuild projects then use too), TLS only, no public
 * access, and server access logs in a separate bucket.
 */
export class PipelineArtifactStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly encryptionKey: kms.Key;
  /** Receives the server access logs of the project's buckets. */
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PipelineArtifactStoreProps = {}) {
    super(scope, id);
    const expiration = Duration.days(props.artifactExpirationDays ?? 90);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.accessLogsBucket = accessLogs;
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the server access log destination of the artifact bucket; logging it into itself would loop.',
    });

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'Encrypts the artifacts and build outputs of the KMS multi-region pipeline',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{ expiration }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
