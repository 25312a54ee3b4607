import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { KeyActivityForwarding, KeyActivityRules } from '../constructs/key-activity-rules';
import { MultiRegionKey, MultiRegionKeyProps } from '../constructs/multi-region-key';
import { keyScope, KeyScopeProps, validateKeyScopes } from './key-scope';

/** One key of the primary key stack. */
export interface PrimaryKeyStackKey extends KeyScopeProps {
  /** Settings of the primary key. */
  readonly key: MultiRegionKeyProps;
  /**
   * Name of the SSM parameter that publishes the key ARN to the replica Regions.
   * Changing it moves the parameter; replicas read the new name on their next deploy.
   */
  readonly keyArnParameterName: string;
}

export interface PrimaryKeyStackProps extends StackProps {
  /** The keys, each with its alias, SSM parameter, outputs and rules; one stack holds them all. */
  readonly keys: readonly PrimaryKeyStackKey[];
  /**
   * Where the rules on the keys' dangerous activity forward their events.
   *
   * @default - no rules
   */
  readonly keyActivity?: KeyActivityForwarding;
}

/** One deployed primary key of the stack, with what pipeline steps read of it. */
export interface DeployedPrimaryKey {
  /** The key's stable name. */
  readonly name: string;
  readonly primaryKey: MultiRegionKey;
  /** Output with the key ARN, for pipeline steps (`envFromCfnOutputs`). */
  readonly keyArnOutput: CfnOutput;
  /** Output with the key ID (`mrk-...`). */
  readonly keyIdOutput: CfnOutput;
}

/**
 * Every multi-region primary key of the project, each with its alias, and the
 * SSM parameter that publishes its ARN to the replica stacks in other Regions.
 */
export class PrimaryKeyStack extends Stack {
  /** The keys, in the order of the props. */
  public readonly keys: readonly DeployedPrimaryKey[];

  constructor(scope: Construct, id: string, props: PrimaryKeyStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    validateKeyScopes(props.keys);
    this.keys = props.keys.map((key) => this.addKey(key, props.keyActivity));
  }

  private addKey(props: PrimaryKeyStackKey, keyActivity: KeyActivityForwarding | undefined): DeployedPrimaryKey {
    const scope = keyScope(this, props);
    const primaryKey = new MultiRegionKey(scope, 'PrimaryKey', props.key);

    new ssm.StringParameter(scope, 'PrimaryKeyArnParameter', {
      parameterName: props.keyArnParameterName,
      description: `ARN of the multi-region primary key ${props.key.alias}, read by the replica stacks`,
      stringValue: primaryKey.keyArn,
      tier: ssm.ParameterTier.STANDARD,
    });

    const keyArnOutput = new CfnOutput(scope, 'PrimaryKeyArn', {
      value: primaryKey.keyArn,
      description: 'ARN of the multi-region primary key',
    });
    const keyIdOutput = new CfnOutput(scope, 'PrimaryKeyId', {
      value: primaryKey.keyId,
      description: 'ID of the multi-region key (mrk-...), the same in every Region',
    });
    if (keyActivity !== undefined) {
      new KeyActivityRules(scope, 'KeyActivity', {
        ...keyActivity,
        keyId: primaryKey.keyId,
        alias: primaryKey.aliasName,
        account: this.account,
      });
    }
    new CfnOutput(scope, 'PrimaryKeyAlias', { value: primaryKey.aliasName, description: 'Alias of the key in every Region' });
    return { name: props.name, primaryKey, keyArnOutput, keyIdOutput };
  }
}
