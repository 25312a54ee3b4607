import {
  DecryptCommand,
  DecryptCommandOutput,
  DescribeKeyCommand,
  DescribeKeyCommandOutput,
  EncryptCommand,
  EncryptCommandOutput,
  GetKeyRotationStatusCommand,
  GetKeyRotationStatusCommandOutput,
  KMSClient,
  KMSClientConfig,
} from '@aws-sdk/client-kms';
import { STSClient, STSClientConfig } from '@aws-sdk/client-sts';
import { classifyError } from './sdk-errors';

export interface KmsClientSettings {
  /** Attempts per call, retries included. */
  readonly maxAttempts: number;
  /** Limit for connecting and for each request attempt, in milliseconds. */
  readonly timeoutMs: number;
  /** Credentials of an assumed role; absent: the SDK's standard chain. */
  readonly credentials?: KMSClientConfig['credentials'];
}

/** Makes the client for one Region. Tests replace it to point at mocks or a local stub. */
export type KmsClientFactory = (region: string, settings: KmsClientSettings) => KMSClient;

/**
 * The production client: credentials (unless a role's are given) and endpoint come from the
 * SDK's standard chain (`AWS_PROFILE`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_KMS`, ...), so it
 * runs unchanged against a local emulator.
 *
 * @param overrides client settings that win over the defaults, e.g. a retry strategy without backoff
 */
export function createKmsClient(region: string, settings: KmsClientSettings, overrides: Partial<KMSClientConfig> = {}): KMSClient {
  return new KMSClient({
    region,
    maxAttempts: settings.maxAttempts,
    requestHandler: {
      connectionTimeout: settings.timeoutMs,
      requestTimeout: settings.timeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes, and the call hangs on.
      throwOnRequestTimeout: true,
    },
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    ...overrides,
  });
}

/** Makes the STS client that assumes the role. Tests replace it. */
export type StsClientFactory = (region: string, settings: KmsClientSettings) => STSClient;

/**
 * The client that assumes the role, with the KMS calls' attempts and timeouts. Its own credentials
 * and endpoint come from the standard chain (`AWS_PROFILE`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`, ...).
 */
export function createStsClient(region: string, settings: KmsClientSettings, overrides: Partial<STSClientConfig> = {}): STSClient {
  return new STSClient({
    region,
    maxAttempts: settings.maxAttempts,
    requestHandler: { connectionTimeout: settings.timeoutMs, requestTimeout: settings.timeoutMs, throwOnRequestTimeout: true },
    ...overrides,
  });
}

/** A KMS call that did not return; keeps which call it was for the report. */
export class KmsCallError extends Error {
  constructor(
    readonly operation: string,
    readonly region: string,
    readonly cause: unknown,
  ) {
    super(`${operation} in ${region} failed`);
    this.name = 'KmsCallError';
  }
}

/**
 * How long to keep retrying a call that IAM denies, in Regions where the caller's
 * permission depends on the key's alias (a `kms:ResourceAliases` condition): KMS
 * may take up to five minutes to apply a new alias to authorization.
 */
export interface PermissionWait {
  /** Regions where an IAM denial may be a new alias that KMS has not applied yet. */
  readonly regions: readonly string[];
  /** How long after the first denial of the run to keep retrying; 0 turns waiting off. */
  readonly waitMs: number;
  /** Pause between retries, in milliseconds. */
  readonly intervalMs: number;
  /** Milliseconds on a monotonic clock. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const NO_PERMISSION_WAIT: PermissionWait = { regions: [], waitMs: 0, intervalMs: 0, now: () => 0, sleep: async () => undefined };

/** One KMS client per Region, created on first use; every call names its Region. */
export class RegionalKms {
  private readonly clients = new Map<string, KMSClient>();
  /** One deadline for the whole run, set by the first denial: waiting never adds up across calls. */
  private permissionDeadline: number | undefined;

  constructor(
    private readonly factory: KmsClientFactory,
    private readonly settings: KmsClientSettings,
    private readonly permissionWait: PermissionWait = NO_PERMISSION_WAIT,
  ) {}

  describeKey(region: string, keyId: string): Promise<DescribeKeyCommandOutput> {
    return this.call('DescribeKey', region, (client) => client.send(new DescribeKeyCommand({ KeyId: keyId })));
  }

  encrypt(region: string, keyId: string, plaintext: Uint8Array, encryptionContext: Record<string, string>): Promise<EncryptCommandOutput> {
    return this.call('Encrypt', region, (client) =>
      client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: encryptionContext })),
    );
  }

  decrypt(region: string, keyId: string, ciphertext: Uint8Array, encryptionContext: Record<string, string>): Promise<DecryptCommandOutput> {
    return this.call('Decrypt', region, (client) =>
      client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: ciphertext, EncryptionContext: encryptionContext })),
    );
  }

  getKeyRotationStatus(region: string, keyId: string): Promise<GetKeyRotationStatusCommandOutput> {
    return this.call('GetKeyRotationStatus', region, (client) => client.send(new GetKeyRotationStatusCommand({ KeyId: keyId })));
  }

  /** Releases the clients' sockets so that the process can exit promptly. */
  destroy(): void {
    for (const client of this.clients.values()) {
      client.destroy();
    }
    this.clients.clear();
  }

  private async call<T>(operation: string, region: string, send: (client: KMSClient) => Promise<T>): Promise<T> {
    const wait = this.permissionWait;
    for (;;) {
      try {
        return await send(this.client(region));
      } catch (error) {
        if (wait.waitMs > 0 && wait.regions.includes(region) && classifyError(error).kind === 'permission') {
          this.permissionDeadline ??= wait.now() + wait.waitMs;
          const left = this.permissionDeadline - wait.now();
          if (left > 0) {
            await wait.sleep(Math.min(wait.intervalMs, left));
            continue;
          }
        }
        throw new KmsCallError(operation, region, error);
      }
    }
  }

  private client(region: string): KMSClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = this.factory(region, this.settings);
      this.clients.set(region, client);
    }
    return client;
  }
}
