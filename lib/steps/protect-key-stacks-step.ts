import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { acknowledgeStackIdWildcards, keyStackArns, KeyStackLocation } from './key-stack-arns';
import { ROLE_RETRY_INTERVAL_MS, ROLE_WAIT_MS } from './role-wait';
import { assumeAccessRoleStatement, StepAccess } from './step-access';

export interface ProtectKeyStacksStepProps {
  /** The stack that owns the pipeline (for ARNs). */
  readonly pipelineStack: Stack;
  /** The key stacks to protect. */
  readonly keyStacks: readonly KeyStackLocation[];
  /** Any file set: CodePipeline's build actions need an input, the commands use none. */
  readonly input: pipelines.IFileSetProducer;
  /**
   * The role in the environment account that the AWS CLI assumes, and the step's own role that alone may assume
   * it: for key stacks in another account.
   *
   * @default - the step's own role updates the stacks (key stacks in the pipeline account)
   */
  readonly access?: StepAccess;
}

/** How many times the step asks for its role in the environment account, ROLE_RETRY_INTERVAL_MS apart. */
const ROLE_ATTEMPTS = ROLE_WAIT_MS / ROLE_RETRY_INTERVAL_MS + 1;

/** The AWS CLI profile through which a step works in an environment account (see ProtectKeyStacksStep). */
export const ENVIRONMENT_PROFILE = 'environment';

/** What a step may do to protect the key stacks: turn on termination protection, nothing else. */
export function protectStatements(stackArns: readonly string[]): iam.PolicyStatement[] {
  return [new iam.PolicyStatement({ actions: ['cloudformation:UpdateTerminationProtection'], resources: [...stackArns] })];
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
    const { access } = props;
    // In another account, through a profile that assumes the role there with the build's own credentials: the AWS CLI's
    // `credential_source = EcsContainer` takes them from the container credentials endpoint that CodeBuild provides
    // (AWS CLI User Guide, "Using an IAM role in the AWS CLI", credential_source).
    const profile = access === undefined ? '' : ` --profile ${ENVIRONMENT_PROFILE}`;
    super(id, {
      input: props.input,
      commands: [
        ...(access === undefined
          ? []
          : [
              `aws configure set profile.${ENVIRONMENT_PROFILE}.role_arn ${access.roleArn}`,
              `aws configure set profile.${ENVIRONMENT_PROFILE}.credential_source EcsContainer`,
              // A role that the access stack has just created may be denied for a while (IAM is eventually
              // consistent): ask for it as long and as often as the verification and preflight programs do.
              // GetCallerIdentity needs no permission; it only proves that the role can be assumed.
              `for attempt in $(seq 1 ${ROLE_ATTEMPTS}); do aws sts get-caller-identity --profile ${ENVIRONMENT_PROFILE} > /dev/null && break; ` +
                `if [ "$attempt" = ${ROLE_ATTEMPTS} ]; then exit 1; fi; sleep ${ROLE_RETRY_INTERVAL_MS / 1000}; done`,
            ]),
        ...props.keyStacks.map(
          (s) =>
            `aws cloudformation update-termination-protection --enable-termination-protection --region ${s.region} --stack-name ${s.stackName}${profile}`,
        ),
      ],
      role: access?.stepRole,
      rolePolicyStatements: access === undefined ? protectStatements(stackArns) : [assumeAccessRoleStatement(access)],
      timeout: Duration.minutes(10),
    });
    this.stackArns = access === undefined ? stackArns : [];
  }

  /** Acknowledges the stack-ID wildcards of its role; call after the pipeline is built. */
  public acknowledgeStackIdWildcards(): void {
    acknowledgeStackIdWildcards(this.project.role!, this.stackArns);
  }
}
