import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentAccessStack, EnvironmentAccessStackProps } from '../lib/stacks/environment-access-stack';
import { PrimaryKeyStack, PrimaryKeyStackProps } from '../lib/stacks/primary-key-stack';

export interface PrimaryStageProps extends StageProps {
  /** Props of the primary key stack (its `env` comes from the stage). */
  readonly keyStack: Omit<PrimaryKeyStackProps, 'env'>;
  /**
   * Props of the stack of roles that the pipeline's steps assume, for an environment outside the pipeline account
   * (its `env` comes from the stage).
   *
   * @default - no such stack: the environment is in the pipeline account
   */
  readonly accessStack?: Omit<EnvironmentAccessStackProps, 'env'>;
}

/**
 * The deployable unit of an environment's primary Region: the primary key stack, with every key, and, in an account
 * other than the pipeline's, the roles that the pipeline's later steps assume there.
 */
export class PrimaryStage extends Stage {
  public readonly keyStack: PrimaryKeyStack;
  public readonly accessStack?: EnvironmentAccessStack;

  constructor(scope: Construct, id: string, props: PrimaryStageProps) {
    super(scope, id, props);
    this.keyStack = new PrimaryKeyStack(this, 'KeyStack', props.keyStack);
    if (props.accessStack !== undefined) this.accessStack = new EnvironmentAccessStack(this, 'AccessStack', props.accessStack);
  }
}
