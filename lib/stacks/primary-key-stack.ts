import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { KeyActivityForwarding, KeyActivityRules } from '../constructs/key-activity-rules';
import { MultiRegionKey, MultiRegionKeyProps } from '../constructs/multi-region-key';

export interface PrimaryKeyStackProps extends StackProps {
  /** Settings of the primary key. */
  readonly key: MultiRegionKeyProps;
  /**
   * Name of the SSM parameter that publishes the key ARN to the replica Regions.
   * Changing it moves the parameter; replicas read the new name on their next deploy.
   */
  readonly keyArnParameterName: string;
  /**
   * Where the rules on the key's dangerous activity forward their events.
   *
   * @default - no rules
   */
  readonly keyActivity?: KeyActivityForwarding;
}

/**
 * The multi-region primary key, its alias, and the SSM parameter that
 * publishes its ARN to the replica stacks in other Regions.
 */
export class PrimaryKeyStack extends Stack {
  public readonly primaryKey: MultiRegionKey;
  /** Output with the key ARN, for pipeline steps (`envFromCfnOutputs`). */
  public readonly keyArnOutput: CfnOutput;
  /** Output with the key ID (`mrk-...`). */
  public readonly keyIdOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: PrimaryKeyStackProps) {
    super(scope, id, { terminationProtection: true, ...props });

    this.primaryKey = new MultiRegionKey(this, 'PrimaryKey', props.key);

    new ssm.StringParameter(this, 'PrimaryKeyArnParameter', {
      parameterName: props.keyArnParameterName,
      description: `ARN of the multi-region primary key ${props.key.alias}, read by the replica stacks`,
      stringValue: this.primaryKey.keyArn,
      tier: ssm.ParameterTier.STANDARD,
    });

    this.keyArnOutput = new CfnOutput(this, 'PrimaryKeyArn', {
      value: this.primaryKey.keyArn,
      description: 'ARN of the multi-region primary key',
    });
    this.keyIdOutput = new CfnOutput(this, 'PrimaryKeyId', {
      value: this.primaryKey.keyId,
      description: 'ID of the multi-region key (mrk-...), the same in every Region',
    });
    if (props.keyActivity !== undefined) {
      new KeyActivityRules(this, 'KeyActivity', {
        ...props.keyActivity,
        keyId: this.primaryKey.keyId,
        alias: this.primaryKey.aliasName,
        account: this.account,
      });
    }
    new CfnOutput(this, 'PrimaryKeyAlias', { value: this.primaryKey.aliasName, description: 'Alias of the key in every Region' });
  }
}
