/** IAM's limit for a managed policy document, in characters without white space. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** An AWS managed (`iam::aws:`) or customer managed (`iam::ACCOUNT:`) policy ARN. */
export const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** A customer managed policy the user creates before bootstrapping. */
export interface CustomerManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly document: PolicyDocument;
}

/** ARN of a customer managed policy of `account`. */
export function customerManagedPolicyArn(account: string, name: string): string {
  return `arn:aws:iam::${account}:policy/${name}`;
}

/** The document as IAM counts it against {@link MANAGED_POLICY_MAX_CHARS}. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}
