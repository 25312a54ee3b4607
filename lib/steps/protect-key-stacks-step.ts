import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { acknowledgeStackIdWildcards, keyStackArns } from './key-stack-arns';

export interface ProtectKeyStacksStepProps {
  /** The stack that owns the pipeline (for ARNs). */
  readonly pipelineStack: Stack;
  /** The key stacks to protect. */
  readonly keyStacks: readonly Stack[];
  /** Any file set: CodePipeline's build actions need an input, the commands use none. */
  readonly input: pipelines.IFileSetProducer;
}

/**
 * Turns on termination protection of every key stack.
 *
 * `terminationProtection` on a stack only takes effect through `cdk deploy`:
 * CodePipeline's CloudFormation action has no such setting, so the pipeline
 * sets it itself after each deploy. The step may do that and nothing else.
 */
export class ProtectKeyStacksStep extends pipelines.CodeBuildStep {
  private readonly stackArns: readonly string[];

  constructor(id: string, props: ProtectKeyStacksStepProps) {
    const stackArns = keyStackArns(props.keyStacks, props.pipelineStack);
    super(id, {
      input: props.input,
      commands: props.keyStacks.map(
        (s) =>
          `aws cloudformation update-termination-protection --enable-termination-protection --region ${s.region} --stack-name ${s.stackName}`,
      ),
      rolePolicyStatements: [new iam.PolicyStatement({ actions: ['cloudformation:UpdateTerminationProtection'], resources: stackArns })],
      timeout: Duration.minutes(10),
    });
    this.stackArns = stackArns;
  }

  /** Acknowledges the stack-ID wildcards of its role; call after the pipeline is built. */
  public acknowledgeStackIdWildcards(): void {
    acknowledgeStackIdWildcards(this.project.role!, this.stackArns);
  }
}
