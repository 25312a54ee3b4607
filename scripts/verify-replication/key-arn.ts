/** The parts of a multi-region key ARN that the checks need to address the same key in other Regions. */
export interface MultiRegionKeyArn {
  /** The full ARN as given. */
  readonly arn: string;
  /** `aws`, `aws-cn`, `aws-us-gov`, ... */
  readonly partition: string;
  /** The Region of the key, which for the primary is the primary Region. */
  readonly region: string;
  readonly accountId: string;
  /** `mrk-` followed by 32 hex digits; every related multi-region key shares it. */
  readonly keyId: string;
}

const AWS_REGION_NAME = /^[a-z]{2}(?:-[a-z]+)?-[a-z]+-\d{1,2}$/;
const MULTI_REGION_KEY_ARN = /^arn:(aws(?:-[a-z]+)*):kms:([^:]*):([^:]*):key\/(.*)$/;
const MULTI_REGION_KEY_ID = /^mrk-[0-9a-f]{32}$/;

/** Whether `name` has the shape of an AWS Region name (`us-east-1`, `us-gov-west-1`, `ap-southeast-7`). */
export function isAwsRegionName(name: string): boolean {
  return AWS_REGION_NAME.test(name);
}

/**
 * Parses a multi-region key ARN.
 *
 * @returns the parsed ARN, or a sentence saying what is wrong with it
 */
export function parseMultiRegionKeyArn(value: string): MultiRegionKeyArn | string {
  const match = MULTI_REGION_KEY_ARN.exec(value);
  if (!match) {
    return `must look like arn:aws:kms:<region>:<account>:key/mrk-<32 hex digits>, got "${value}"`;
  }
  const [, partition, region, accountId, keyId] = match;
  if (!isAwsRegionName(region)) {
    return `has "${region}" as its Region, which is not an AWS Region name`;
  }
  if (!/^\d{12}$/.test(accountId)) {
    return `has "${accountId}" as its account, which is not a 12-digit AWS account ID`;
  }
  if (!MULTI_REGION_KEY_ID.test(keyId)) {
    return `has key ID "${keyId}", which is not a multi-region key ID (mrk- followed by 32 hex digits)`;
  }
  return { arn: value, partition, region, accountId, keyId };
}

/** The ARN that the related multi-region key has (or would have) in `region`. */
export function keyArnInRegion(key: MultiRegionKeyArn, region: string): string {
  return `arn:${key.partition}:kms:${region}:${key.accountId}:key/${key.keyId}`;
}

/** `arn:<partition>:iam::<account>:role/<path/><name>`, with IAM's limits on the path and the name. */
const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::\d{12}:role\/(?:[\u0021-\u007e]{1,510}\/)?[\w+=,.@-]{1,64}$/;

/**
 * The partition of an IAM role ARN, or undefined when `value` is not one. A role must be in the partition of the keys:
 * STS cannot hand out credentials for another partition.
 */
export function roleArnPartition(value: string): string | undefined {
  return ROLE_ARN.exec(value)?.[1];
}
