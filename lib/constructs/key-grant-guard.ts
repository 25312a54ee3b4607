import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A key policy statement that lets grants on the key be created only by AWS
 * services acting for a resource (`kms:GrantIsForAWSResource`, set by KMS when
 * an integrated service such as EBS or RDS sends CreateGrant for a caller) or
 * by a service principal itself (`aws:PrincipalIsAWSService`). Every other
 * CreateGrant is denied, whatever an IAM policy or the account statement
 * allows: a grant hands out cryptographic use outside the key policy and the
 * IAM policies that are reviewed. This is AWS Control Tower's CT.KMS.PR.3.
 *
 * It denies nothing else: the account statement still delegates to IAM, and
 * `kms:PutKeyPolicy` stays possible, so the key cannot be locked out by it.
 * Nothing in this project creates grants itself; S3, CloudWatch Logs,
 * CodePipeline and CodeBuild use the keys without grants.
 */
export function denyGrantsNotForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsNotForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    // In a key policy, Resource "*" means this key.
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}
