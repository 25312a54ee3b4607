import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CrossRegionParameterReader } from '../constructs/cross-region-parameter-reader';
import { KeyActivityForwarding, KeyActivityRules } from '../constructs/key-activity-rules';
import { KeySettingsProps } from '../constructs/key-settings';
import { ReplicaKey } from '../constructs/replica-key';
import { keyScope, KeyScopeProps, validateKeyScopes } from './key-scope';

/** One key of the replica key stack. */
export interface ReplicaKeyStackKey extends KeyScopeProps {
  /** Settings shared with the primary key (alias, description, policy, tags, pending window). */
  readonly key: KeySettingsProps;
  /** Name of the SSM parameter that holds the primary key ARN. */
  readonly keyArnParameterName: string;
}

export interface ReplicaKeyStackProps extends StackProps {
  /** The keys to replicate into this stack's Region; one stack holds them all. */
  readonly keys: readonly ReplicaKeyStackKey[];
  /** Region of the primary keys and of their ARN parameters. */
  readonly primaryRegion: string;
  /**
   * Makes the readers read the parameters again when it changes (the source commit).
   *
   * @default 'static'
   */
  readonly refreshToken?: string;
  /**
   * Where the rules on the keys' dangerous activity forward their events.
   *
   * @default - no rules
   */
  readonly keyActivity?: KeyActivityForwarding;
}

/** One deployed replica key of the stack. */
export interface DeployedReplicaKey {
  /** The key's stable name. */
  readonly name: string;
  readonly replicaKey: ReplicaKey;
  readonly replicaKeyArnOutput: CfnOutput;
}

/**
 * A replica of every primary key in this stack's Region, each fed by a reader
 * of its primary's SSM parameter in the primary Region.
 */
export class ReplicaKeyStack extends Stack {
  /** The replicas, in the order of the props. */
  public readonly keys: readonly DeployedReplicaKey[];

  constructor(scope: Construct, id: string, props: ReplicaKeyStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    validateKeyScopes(props.keys);
    this.keys = props.keys.map((key) => this.addKey(key, props));
  }

  private addKey(props: ReplicaKeyStackKey, stackProps: ReplicaKeyStackProps): DeployedReplicaKey {
    const scope = keyScope(this, props);
    const primaryKeyArn = new CrossRegionParameterReader(scope, 'PrimaryKeyArnReader', {
      parameterName: props.keyArnParameterName,
      parameterRegion: stackProps.primaryRegion,
      refreshToken: stackProps.refreshToken,
    });

    const replicaKey = new ReplicaKey(scope, 'ReplicaKey', { ...props.key, primaryKeyArn: primaryKeyArn.value });

    if (stackProps.keyActivity !== undefined) {
      new KeyActivityRules(scope, 'KeyActivity', {
        ...stackProps.keyActivity,
        keyId: replicaKey.keyId,
        alias: replicaKey.aliasName,
        account: this.account,
      });
    }

    const replicaKeyArnOutput = new CfnOutput(scope, 'ReplicaKeyArn', {
      value: replicaKey.keyArn,
      description: 'ARN of the replica key in this Region',
    });
    return { name: props.name, replicaKey, replicaKeyArnOutput };
  }
}
