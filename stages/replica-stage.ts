import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ReplicaKeyStack, ReplicaKeyStackProps } from '../lib/stacks/replica-key-stack';

export interface ReplicaStageProps extends StageProps {
  /** Props of the replica key stack (its `env` comes from the stage). */
  readonly keyStack: Omit<ReplicaKeyStackProps, 'env'>;
}

/** The deployable unit of one replica Region: the replica key stack, with a replica of every key. */
export class ReplicaStage extends Stage {
  public readonly keyStack: ReplicaKeyStack;

  constructor(scope: Construct, id: string, props: ReplicaStageProps) {
    super(scope, id, props);
    this.keyStack = new ReplicaKeyStack(this, 'KeyStack', props.keyStack);
  }
}
