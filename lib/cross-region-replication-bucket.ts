import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { denyGrantsNotForAwsResources } from './constructs/key-grant-guard';
import { controlTowerRule } from './control-tower-checks';
import { NONCURRENT_VERSION_EXPIRATION } from './constructs/pipeline-artifact-store';

/**
 * Brings the artifact bucket that aws-cdk-lib creates in each cross-Region
 * support stack up to the artifact bucket's rules, in place: versioning, and
 * a lifecycle that expires artifacts like the artifact bucket does (without
 * one the bucket grows with every run); with cross-account keys, its key gets
 * the grant guard and is retained. The bucket stays where aws-cdk-lib put
 * it, so no deployed pipeline has to move to a new bucket or stack; it is
 * already TLS-only, private and SSE-KMS (the account's aws/s3 key).
 *
 * What aws-cdk-lib's support stack cannot take is acknowledged here, on this
 * bucket, with its reason.
 */
export function hardenReplicationBucket(bucket: s3.IBucket, region: string, artifactExpiration: Duration): void {
  if (!(bucket instanceof s3.Bucket)) {
    throw new Error(`the replication bucket for ${region} must be the s3.Bucket of aws-cdk-lib's support stack, got ${bucket.node.path}`);
  }
  (bucket.node.defaultChild as s3.CfnBucket).versioningConfiguration = { status: 'Enabled' };
  // With cross-account keys, the bucket has a key of its own (through an alias): it gets the grant guard of every
  // key of the project (CT.KMS.PR.3), like the artifact key.
  const key = bucket.encryptionKey;
  if (key !== undefined) {
    const target = key instanceof kms.Alias ? key.aliasTargetKey : key;
    if (!(target instanceof kms.Key))
      throw new Error(`the replication bucket key for ${region} must be a kms.Key of the support stack, got ${target.node.path}`);
    target.addToResourcePolicy(denyGrantsNotForAwsResources());
    // aws-cdk-lib makes it DESTROY, but no deploy of this project may schedule a key's deletion (the execution
    // policy): deleting the support stack would stop at the key. Retained like every key of the project, it stays
    // when the stack goes, for docs/runbooks/delete-everything.md to schedule.
    target.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
  bucket.addLifecycleRule({ expiration: artifactExpiration, noncurrentVersionExpiration: NONCURRENT_VERSION_EXPIRATION });
  Validations.of(bucket).acknowledge(
    {
      id: controlTowerRule('s3_bucket_logging_enabled_check'),
      reason: `CT.S3.PR.2: CodePipeline's cross-Region artifact bucket for ${region} lives in aws-cdk-lib's support stack, which has no access-log bucket; it holds copies of artifacts that the logged artifact bucket already holds.`,
    },
    {
      id: controlTowerRule('s3_event_notifications_enabled_check'),
      reason: `CT.S3.PR.4: only CodePipeline writes and reads this cross-Region artifact bucket for ${region}, one action after another; nothing reacts to its object events.`,
    },
    {
      id: controlTowerRule('s3_bucket_object_lock_enabled_check'),
      reason: `CT.S3.PR.9: this cross-Region artifact bucket for ${region} receives new copies on every run that expire; Object Lock would hold them past expiration and cannot be turned off.`,
    },
  );
}
