import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CrossRegionParameterReader } from '../constructs/cross-region-parameter-reader';
import { KeyActivityForwarding, KeyActivityRules } from '../constructs/key-activity-rules';
import { KeySettingsProps } from '../constructs/key-settings';
import { ReplicaKey } from '../constructs/replica-key';

export interface ReplicaKeyStackProps extends StackProps {
  /** Settings shared with the primary key (alias, description, policy, tags, pending window). */
  readonly key: KeySettingsProps;
  /** Region of the primary key and of its ARN parameter. */
  readonly primaryRegion: string;
  /** Name of the SSM parameter that holds the primary key ARN. */
  readonly keyArnParameterName: string;
  /**
   * Makes the reader read the parameter again when it changes (the source commit).
   *
   * @default 'static'
   */
  readonly refreshToken?: string;
  /**
   * Where the rules on the key's dangerous activity forward their events.
   *
   * @default - no rules
   */
  readonly keyActivity?: KeyActivityForwarding;
}

/**
 * A replica of the primary key in this stack's Region, fed by a reader of the
 * primary Region's SSM parameter.
 */
export class ReplicaKeyStack extends Stack {
  public readonly replicaKey: ReplicaKey;
  public readonly replicaKeyArnOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: ReplicaKeyStackProps) {
    super(scope, id, { terminationProtection: true, ...props });

    const primaryKeyArn = new CrossRegionParameterReader(this, 'PrimaryKeyArnReader', {
      parameterName: props.keyArnParameterName,
      parameterRegion: props.primaryRegion,
      refreshToken: props.refreshToken,
    });

    this.replicaKey = new ReplicaKey(this, 'ReplicaKey', { ...props.key, primaryKeyArn: primaryKeyArn.value });

    if (props.keyActivity !== undefined) {
      new KeyActivityRules(this, 'KeyActivity', {
        ...props.keyActivity,
        keyId: this.replicaKey.keyId,
        alias: this.replicaKey.aliasName,
        account: this.account,
      });
    }

    this.replicaKeyArnOutput = new CfnOutput(this, 'ReplicaKeyArn', {
      value: this.replicaKey.keyArn,
      description: 'ARN of the replica key in this Region',
    });
  }
}
