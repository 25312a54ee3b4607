import * as iam from 'aws-cdk-lib/aws-iam';

/** How a step reaches an environment in another account. */
export interface StepAccess {
  /** The step's own role, in the pipeline account, named so that the role in the environment account can trust it. */
  readonly stepRole: iam.IRole;
  /** The ARN of the role in the environment account that the step assumes. */
  readonly roleArn: string;
}

/** The statement that lets a step's role assume its role in an environment account, and nothing else there. */
export function assumeAccessRoleStatement(access: Pick<StepAccess, 'roleArn'>): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: 'AssumeTheEnvironmentRole', actions: ['sts:AssumeRole'], resources: [access.roleArn] });
}
