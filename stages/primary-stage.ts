import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PrimaryKeyStack, PrimaryKeyStackProps } from '../lib/stacks/primary-key-stack';

export interface PrimaryStageProps extends StageProps {
  /** Props of the primary key stack (its `env` comes from the stage). */
  readonly keyStack: Omit<PrimaryKeyStackProps, 'env'>;
}

/** The deployable unit of the primary Region: the primary key stack, with every key. */
export class PrimaryStage extends Stage {
  public readonly keyStack: PrimaryKeyStack;

  constructor(scope: Construct, id: string, props: PrimaryStageProps) {
    super(scope, id, props);
    this.keyStack = new PrimaryKeyStack(this, 'KeyStack', props.keyStack);
  }
}
