import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { MultiRegionKeyArn } from '../verify-replication/key-arn';

/**
 * How long KMS may take to apply a new tag to authorization: "up to five minutes" (AWS KMS Developer Guide, ABAC for
 * AWS KMS, https://docs.aws.amazon.com/kms/latest/developerguide/abac.html). The deploy role may replicate only keys
 * that carry the project tag (scripts/bootstrap/execution-policy.ts), and a primary key carries it from its creation.
 */
export const TAG_SETTLE_MS = 5 * 60 * 1000;

/** A wait before the replica wave, and the line that explains it. */
export interface TagSettleWait {
  readonly ms: number;
  readonly message: string;
}

/**
 * The wait that lets KMS apply a new primary key's tag before the replica wave asks it to replicate the key, or
 * undefined when the key is older than that (or its creation date cannot be read: the checks have already answered).
 */
export async function tagSettleWait(
  primaryKey: MultiRegionKeyArn,
  kms: Pick<KMSClient, 'send'>,
  now: Date,
): Promise<TagSettleWait | undefined> {
  let created: Date | undefined;
  try {
    created = (await kms.send(new DescribeKeyCommand({ KeyId: primaryKey.arn }))).KeyMetadata?.CreationDate;
  } catch {
    return undefined;
  }
  if (created === undefined) return undefined;
  const ms = created.getTime() + TAG_SETTLE_MS - now.getTime();
  if (ms <= 0) return undefined;
  return {
    ms,
    message:
      `${primaryKey.arn} was created at ${created.toISOString()}: waiting ${Math.ceil(ms / 1000)} s, until it is 5 minutes old, ` +
      'so that KMS applies its project tag before the replicas are created',
  };
}
