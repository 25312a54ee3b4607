/**
 * An in-memory model of KMS multi-region keys across Regions, shared by the SDK-mock tests
 * and the HTTP stub server. It keeps only what the verification observes: key state,
 * primary/replica relations, aliases, rotation, and ciphertext that names its key.
 */

export const ACCOUNT_ID = '111111111111';
export const KEY_ID = 'mrk-1234abcd1234abcd1234abcd1234abcd';
export const OTHER_KEY_ID = 'mrk-99999999999999999999999999999999';

export function keyArn(region: string, keyId: string = KEY_ID): string {
  return `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${keyId}`;
}

export type KmsOperation = 'DescribeKey' | 'Encrypt' | 'Decrypt' | 'GetKeyRotationStatus';

/** An error KMS would answer with; the adapters turn it into an SDK exception or a JSON error body. */
export class FakeKmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly httpStatus: number = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export interface FakeKey {
  readonly keyId: string;
  readonly region: string;
  readonly arn: string;
  keyState: string;
  type: 'PRIMARY' | 'REPLICA';
  primaryArn: string;
  /** For a primary: the Regions listed in `ReplicaKeys`. */
  replicaRegions: string[];
  rotationEnabled: boolean;
}

export interface KmsCall {
  readonly region: string;
  readonly operation: KmsOperation;
  readonly input: Record<string, unknown>;
}

/** Returns an error to answer a call with, `'hang'` to never answer, or undefined to proceed. */
export type Interceptor = (call: KmsCall) => FakeKmsError | 'hang' | undefined;

const CIPHERTEXT_PREFIX = 'fake-kms-ciphertext:';

export class FakeKms {
  /** By `region/keyId`. */
  readonly keys = new Map<string, FakeKey>();
  /** `region/alias/name` to key ID. */
  readonly aliases = new Map<string, string>();
  readonly calls: KmsCall[] = [];
  readonly interceptors: Interceptor[] = [];

  /** A primary with enabled replicas in `replicaRegions`, the alias in all of them, rotation on. */
  static healthy(options: { primaryRegion: string; replicaRegions: readonly string[]; alias?: string }): FakeKms {
    const kms = new FakeKms();
    kms.addHealthyKey(options);
    return kms;
  }

  /** Adds a healthy multi-region key: its primary, enabled replicas and the alias in all of them. */
  addHealthyKey(options: { primaryRegion: string; replicaRegions: readonly string[]; alias?: string; keyId?: string }): void {
    const keyId = options.keyId ?? KEY_ID;
    const primaryArn = keyArn(options.primaryRegion, keyId);
    this.addKey(options.primaryRegion, { keyId, type: 'PRIMARY', primaryArn, replicaRegions: [...options.replicaRegions] });
    for (const region of options.replicaRegions) {
      this.addKey(region, { keyId, type: 'REPLICA', primaryArn });
    }
    if (options.alias !== undefined) {
      for (const region of [options.primaryRegion, ...options.replicaRegions]) {
        this.aliases.set(`${region}/${options.alias}`, keyId);
      }
    }
  }

  addKey(region: string, props: Partial<Omit<FakeKey, 'region' | 'arn'>> = {}): FakeKey {
    const keyId = props.keyId ?? KEY_ID;
    const key: FakeKey = {
      keyId,
      region,
      arn: keyArn(region, keyId),
      keyState: props.keyState ?? 'Enabled',
      type: props.type ?? 'REPLICA',
      primaryArn: props.primaryArn ?? keyArn(region, keyId),
      replicaRegions: props.replicaRegions ?? [],
      rotationEnabled: props.rotationEnabled ?? true,
    };
    this.keys.set(`${region}/${keyId}`, key);
    return key;
  }

  /** The key, for tests to break. */
  key(region: string, keyId: string = KEY_ID): FakeKey {
    const key = this.keys.get(`${region}/${keyId}`);
    if (key === undefined) {
      throw new Error(`test setup: no fake key ${keyId} in ${region}`);
    }
    return key;
  }

  callsTo(operation: KmsOperation, region?: string): KmsCall[] {
    return this.calls.filter((call) => call.operation === operation && (region === undefined || call.region === region));
  }

  /** Runs one call. Throws {@link FakeKmsError} for KMS errors; returns `'hang'` when told to. */
  handle(region: string, operation: KmsOperation, input: Record<string, unknown>): Record<string, unknown> | 'hang' {
    const call = { region, operation, input };
    this.calls.push(call);
    for (const interceptor of this.interceptors) {
      const outcome = interceptor(call);
      if (outcome === 'hang') {
        return 'hang';
      }
      if (outcome !== undefined) {
        throw outcome;
      }
    }
    switch (operation) {
      case 'DescribeKey':
        return { KeyMetadata: this.metadata(this.resolve(region, input.KeyId)) };
      case 'Encrypt':
        return this.encrypt(region, input);
      case 'Decrypt':
        return this.decrypt(region, input);
      case 'GetKeyRotationStatus': {
        const key = this.resolve(region, input.KeyId);
        return { KeyId: key.arn, KeyRotationEnabled: key.rotationEnabled };
      }
    }
  }

  private encrypt(region: string, input: Record<string, unknown>): Record<string, unknown> {
    const key = this.usable(this.resolve(region, input.KeyId));
    const envelope = {
      keyId: key.keyId,
      context: input.EncryptionContext ?? {},
      plaintext: Buffer.from(input.Plaintext as Uint8Array).toString('base64'),
    };
    return {
      KeyId: key.arn,
      CiphertextBlob: new Uint8Array(Buffer.from(CIPHERTEXT_PREFIX + JSON.stringify(envelope))),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  }

  private decrypt(region: string, input: Record<string, unknown>): Record<string, unknown> {
    const text = Buffer.from(input.CiphertextBlob as Uint8Array).toString();
    if (!text.startsWith(CIPHERTEXT_PREFIX)) {
      throw new FakeKmsError('InvalidCiphertextException', 'The ciphertext is not valid');
    }
    const envelope = JSON.parse(text.slice(CIPHERTEXT_PREFIX.length)) as {
      keyId: string;
      context: Record<string, string>;
      plaintext: string;
    };
    const key = this.usable(this.resolve(region, input.KeyId ?? envelope.keyId));
    if (key.keyId !== envelope.keyId) {
      throw new FakeKmsError('IncorrectKeyException', 'The key ID in the request does not identify the key of the ciphertext');
    }
    if (JSON.stringify(sorted(input.EncryptionContext ?? {})) !== JSON.stringify(sorted(envelope.context))) {
      throw new FakeKmsError('InvalidCiphertextException', 'The encryption context does not match');
    }
    return {
      KeyId: key.arn,
      Plaintext: new Uint8Array(Buffer.from(envelope.plaintext, 'base64')),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  }

  private resolve(region: string, keyRef: unknown): FakeKey {
    const ref = String(keyRef);
    let keyId: string | undefined = ref;
    if (ref.startsWith('alias/')) {
      keyId = this.aliases.get(`${region}/${ref}`);
    } else if (ref.startsWith('arn:')) {
      const [, , , arnRegion, , resource] = ref.split(':');
      keyId = arnRegion === region ? resource.replace(/^key\//, '') : undefined;
    }
    const key = keyId === undefined ? undefined : this.keys.get(`${region}/${keyId}`);
    if (key === undefined) {
      throw new FakeKmsError('NotFoundException', `Key '${ref}' does not exist`);
    }
    return key;
  }

  private usable(key: FakeKey): FakeKey {
    if (key.keyState === 'Disabled') {
      throw new FakeKmsError('DisabledException', `${key.arn} is disabled.`);
    }
    if (key.keyState !== 'Enabled') {
      throw new FakeKmsError('KMSInvalidStateException', `${key.arn} is ${key.keyState}`);
    }
    return key;
  }

  private metadata(key: FakeKey): Record<string, unknown> {
    const primary = this.keys.get(`${regionOf(key.primaryArn)}/${key.keyId}`);
    return {
      KeyId: key.keyId,
      Arn: key.arn,
      AWSAccountId: ACCOUNT_ID,
      KeyState: key.keyState,
      Enabled: key.keyState === 'Enabled',
      KeyManager: 'CUSTOMER',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: key.type,
        PrimaryKey: { Arn: key.primaryArn, Region: regionOf(key.primaryArn) },
        ReplicaKeys: (primary?.replicaRegions ?? key.replicaRegions).map((region) => ({
          Arn: keyArn(region, key.keyId),
          Region: region,
        })),
      },
    };
  }
}

function regionOf(arn: string): string {
  return arn.split(':')[3];
}

function sorted(context: unknown): [string, unknown][] {
  return Object.entries(context as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
}
