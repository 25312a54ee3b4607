import { KMSClientConfig } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import { classifyError, ErrorKind } from './sdk-errors';

/** STS's default, and the most a role session chained from another role may last; a run takes minutes. */
export const ROLE_SESSION_SECONDS = 3600;

/** A function that a KMS client accepts as its credentials. */
export type CredentialsProvider = Extract<KMSClientConfig['credentials'], (...args: never[]) => unknown>;

/**
 * Names the run in the role's CloudTrail events: `kms-mrk-<program>-` and the start of the run id. In another account,
 * the role's owner sees this name in CloudTrail too (STS API Reference, AssumeRole, RoleSessionName:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 */
export function roleSessionName(runId: string, program: 'verify' | 'preflight' = 'verify'): string {
  return `kms-mrk-${program}-${runId.slice(0, 8)}`;
}

/**
 * The role's temporary credentials, from one AssumeRole call that every KMS client shares;
 * asked for again only when they are about to expire.
 */
export function assumedRoleCredentials(sts: STSClient, roleArn: string, sessionName: string): CredentialsProvider {
  const assume = async () => {
    const { Credentials: credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: ROLE_SESSION_SECONDS }),
    );
    if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) {
      throw new Error('STS answered AssumeRole without credentials');
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
  };
  return memoizeIdentityProvider(assume, isIdentityExpired, doesIdentityRequireRefresh) ?? assume;
}

/** How long a run keeps asking for a role that STS denies, and how it waits. */
export interface RoleWait {
  /** How long after the first denial to keep asking, in milliseconds. */
  readonly waitMs: number;
  /** Pause between two asks, in milliseconds. */
  readonly intervalMs: number;
  /** Milliseconds on a monotonic clock. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** How long a denied AssumeRole is asked again, and how often (lib/steps/role-wait.ts). */
export { ROLE_RETRY_INTERVAL_MS, ROLE_WAIT_MS } from '../../lib/steps/role-wait';

/**
 * The role's first credentials, asked up front: a denial (AccessDenied) is asked again every `intervalMs` until
 * `waitMs` after the first one; any other failure, or a denial past the wait, is thrown.
 */
export async function firstRoleCredentials(credentials: CredentialsProvider, wait: RoleWait): Promise<void> {
  let deadline: number | undefined;
  for (;;) {
    try {
      await credentials();
      return;
    } catch (error) {
      if (!isRoleDenial(error)) throw error;
      deadline ??= wait.now() + wait.waitMs;
      const left = deadline - wait.now();
      if (left <= 0) throw error;
      await wait.sleep(Math.min(wait.intervalMs, left));
    }
  }
}

/** STS's answer to a caller that may not assume the role: the error code AccessDenied (HTTP 403). */
function isRoleDenial(error: unknown): boolean {
  return classifyError(error).type === 'AccessDenied';
}

/** Why the role could not be assumed and what to do about it, for the one line of a run that cannot run. */
export function assumeRoleFailure(roleArn: string, error: unknown): string {
  const { kind, detail } = classifyError(error);
  return `cannot assume the role ${roleArn} (${detail}): ${FIXES[kind] ?? TRUST_FIX}`;
}

const TRUST_FIX = 'check that the role exists, that its trust policy allows this caller, and that the caller may call sts:AssumeRole on it';

const FIXES: Partial<Record<ErrorKind, string>> = {
  credentials:
    'no AWS credentials to call STS with: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role',
  authentication: "STS rejected the caller's credentials: check AWS_PROFILE or the caller's session",
  network: 'could not reach STS: check network access and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_STS',
  timeout: 'could not reach STS: check network access and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_STS',
  throttling: 'STS throttled the call: run again later',
  server: 'STS failed to answer: run again later',
};
