import { Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { multiRegionKeyPolicy } from './key-policy';
import { KeySettingsProps, validateIntegerRange, validateKeySettings } from './key-settings';

export interface MultiRegionKeyProps extends KeySettingsProps {
  /**
   * Whether KMS rotates the key material automatically. Rotation is set on the
   * primary and applies to every replica.
   *
   * @default true
   */
  readonly enableKeyRotation?: boolean;
  /**
   * Days between automatic rotations (90..2560); only with rotation on.
   *
   * @default 365
   */
  readonly rotationPeriodDays?: number;
}

/**
 * A symmetric multi-region primary key (`mrk-...`) with its alias.
 *
 * The key is retained when its stack or this construct goes away: deleting a
 * key makes every ciphertext under it unreadable. `multiRegion`, `keySpec` and
 * `keyUsage` are fixed here because changing any of them replaces the key.
 */
export class MultiRegionKey extends Construct {
  /** The primary key. */
  public readonly key: kms.Key;
  /** The alias of the primary key. */
  public readonly alias: kms.IAlias;
  /** ARN of the primary key. */
  public readonly keyArn: string;
  /** ID of the primary key (`mrk-...`), the same in every Region. */
  public readonly keyId: string;
  /** Name of the alias (`alias/...`). */
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: MultiRegionKeyProps) {
    super(scope, id);
    validateKeySettings(props);
    validateIntegerRange('rotationPeriodDays', props.rotationPeriodDays, 90, 2560);
    const enableKeyRotation = props.enableKeyRotation ?? true;
    if (!enableKeyRotation && props.rotationPeriodDays !== undefined) {
      throw new Error(
        `rotationPeriodDays needs enableKeyRotation true, got rotationPeriodDays ${props.rotationPeriodDays} with rotation off`,
      );
    }

    this.key = new kms.Key(this, 'Key', {
      multiRegion: true,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      description: props.description,
      enableKeyRotation,
      rotationPeriod: enableKeyRotation ? Duration.days(props.rotationPeriodDays ?? 365) : undefined,
      pendingWindow: Duration.days(props.pendingWindowDays ?? 30),
      policy: multiRegionKeyPolicy(props),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!enableKeyRotation) {
      Validations.of(this.key).acknowledge({
        id: 'AwsSolutions-KMS5',
        reason: `Automatic rotation of ${props.alias} is turned off on purpose by its owner (enableKeyRotation: false).`,
      });
    }
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      Tags.of(this.key).add(key, value);
    }
    this.alias = new kms.Alias(this, 'Alias', { aliasName: props.alias, targetKey: this.key });

    this.keyArn = this.key.keyArn;
    this.keyId = this.key.keyId;
    this.aliasName = props.alias;
  }
}
