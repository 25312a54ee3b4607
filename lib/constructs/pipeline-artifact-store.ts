import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { controlTowerRule } from '../control-tower-checks';
import { denyGrantsNotForAwsResources } from './key-grant-guard';

/** How long an overwritten or deleted object version is kept: versioning is there to recover, not to archive. */
export const NONCURRENT_VERSION_EXPIRATION = Duration.days(30);

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
 * (which the pipeline's CodeBuild projects and build logs then use too), TLS
 * only, no public access, versioned with old versions expiring, and server
 * access logs in a separate bucket (SSE-S3, the only default encryption that
 * server access logging supports for its destination).
 */
export class PipelineArtifactStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly encryptionKey: kms.Key;
  /** Receives the server access logs of the project's buckets. */
  public readonly accessLogsBucket: s3.Bucket;
  /** How long artifacts are kept. */
  public readonly artifactExpiration: Duration;

  constructor(scope: Construct, id: string, props: PipelineArtifactStoreProps = {}) {
    super(scope, id);
    const days = props.artifactExpirationDays;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) {
      throw new Error(`artifactExpirationDays must be an integer 1..3650, got ${days}`);
    }
    this.artifactExpiration = Duration.days(props.artifactExpirationDays ?? 90);

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'Encrypts the artifacts and build outputs of the KMS multi-region pipeline',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.encryptionKey.addToResourcePolicy(denyGrantsNotForAwsResources());

    // S3 server access logging supports only SSE-S3 as the target bucket's default encryption.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: NONCURRENT_VERSION_EXPIRATION }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.accessLogsBucket = accessLogs;
    Validations.of(accessLogs).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason: 'This bucket is the server access log destination of the artifact bucket; logging it into itself would loop.',
      },
      {
        id: controlTowerRule('s3_bucket_logging_enabled_check'),
        reason: 'CT.S3.PR.2: this bucket is the server access log destination of the artifact bucket; logging it into itself would loop.',
      },
      {
        id: controlTowerRule('s3_event_notifications_enabled_check'),
        reason: 'CT.S3.PR.4: nothing reacts to new access log objects; S3 delivers them in batches and they expire after 365 days.',
      },
      {
        id: controlTowerRule('s3_bucket_object_lock_enabled_check'),
        reason:
          'CT.S3.PR.9: Object Lock would hold access logs past their 365-day expiration and cannot be turned off; versioning already keeps an overwritten or deleted log for 30 days.',
      },
      {
        id: controlTowerRule('s3_bucket_default_encryption_kms_check'),
        reason:
          'CT.S3.PR.10: S3 server access logging supports only SSE-S3 (not SSE-KMS) as the default encryption of its destination bucket; the logs are encrypted at rest with S3-managed keys.',
      },
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      versioned: true,
      lifecycleRules: [{ expiration: this.artifactExpiration, noncurrentVersionExpiration: NONCURRENT_VERSION_EXPIRATION }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge(
      {
        id: controlTowerRule('s3_event_notifications_enabled_check'),
        reason:
          'CT.S3.PR.4: only CodePipeline and its CodeBuild projects use this bucket, one action after another; nothing reacts to its object events, and every request is in the access logs.',
      },
      {
        id: controlTowerRule('s3_bucket_object_lock_enabled_check'),
        reason:
          'CT.S3.PR.9: pipeline artifacts are written anew on every run and expire; Object Lock would hold each one past expiration, cannot be turned off, and would block deleting the bucket.',
      },
    );
  }
}
