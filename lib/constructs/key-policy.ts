import * as iam from 'aws-cdk-lib/aws-iam';
import { denyGrantsNotForAwsResources } from './key-grant-guard';

/**
 * Management actions for key administrators: everything needed to run the key
 * (policy, rotation, state, tags, aliases, replication, deletion), and no
 * cryptographic action. `kms:CreateGrant` is left out because a grant hands out
 * cryptographic use directly. This separates duties by convention, not by force:
 * an administrator can still edit the key policy (`kms:PutKeyPolicy`), and the
 * account statement lets IAM policies grant anything; CloudTrail records both.
 */
export const KEY_ADMIN_ACTIONS: readonly string[] = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:ListKeyPolicies',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:UpdateKeyDescription',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ReplicateKey',
  'kms:UpdatePrimaryRegion',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/** Cryptographic actions for key users (symmetric encryption), plus DescribeKey, which SDKs call first. */
export const KEY_USER_ACTIONS: readonly string[] = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

export interface KeyPolicyProps {
  /**
   * IAM principals that manage the key (no cryptographic use).
   *
   * @default - no administrator statement; the account's IAM policies decide
   */
  readonly adminPrincipalArns?: readonly string[];
  /**
   * IAM principals that use the key for cryptography (no management).
   *
   * @default - no user statement; the account's IAM policies decide
   */
  readonly userPrincipalArns?: readonly string[];
}

/**
 * The key policy shared by the primary key and every replica, so a replica
 * never answers differently from its primary.
 *
 * The first statement is KMS's default delegation to the account: without it
 * IAM policies could not grant use of the key, and a policy mistake could lock
 * the account out of its own key for good. The last statement denies grants
 * that are not for an AWS resource (`denyGrantsNotForAwsResources`).
 */
export function multiRegionKeyPolicy(props: KeyPolicyProps = {}): iam.PolicyDocument {
  const statements = [
    new iam.PolicyStatement({
      sid: 'EnableIamPoliciesOfTheAccount',
      principals: [new iam.AccountRootPrincipal()],
      actions: ['kms:*'],
      resources: ['*'],
    }),
  ];
  const groups: Array<[string, readonly string[] | undefined, readonly string[]]> = [
    ['KeyAdministratorsManageButDoNotUse', props.adminPrincipalArns, KEY_ADMIN_ACTIONS],
    ['KeyUsersUseButDoNotManage', props.userPrincipalArns, KEY_USER_ACTIONS],
  ];
  for (const [sid, arns, actions] of groups) {
    if (arns === undefined || arns.length === 0) continue;
    // In a key policy, Resource "*" means this key.
    statements.push(
      new iam.PolicyStatement({ sid, principals: arns.map((arn) => new iam.ArnPrincipal(arn)), actions: [...actions], resources: ['*'] }),
    );
  }
  statements.push(denyGrantsNotForAwsResources());
  return new iam.PolicyDocument({ statements });
}
