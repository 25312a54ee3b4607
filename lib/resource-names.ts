/**
 * Names derived from the configuration. Stack names and the parameter name are
 * part of a deployed key's identity: a new stack name is a new stack, with a
 * new key, so these functions are the one place that makes them.
 */

/** SSM parameter, in the primary Region, that holds the primary key ARN. */
export function primaryKeyArnParameterName(projectName: string, alias: string): string {
  return `/${projectName}/${alias.replace(/^alias\//, '')}/primary-key-arn`;
}

/** CloudFormation stack name of the primary key stack. */
export function primaryKeyStackName(projectName: string): string {
  return `${projectName}-primary-key`;
}

/** CloudFormation stack name of the replica key stack in `region`. */
export function replicaKeyStackName(projectName: string, region: string): string {
  return `${projectName}-replica-key-${region}`;
}

/** CloudFormation stack name of the pipeline stack. */
export function pipelineStackName(projectName: string): string {
  return `${projectName}-pipeline`;
}

/** CloudWatch Logs log group of every CodeBuild project of the pipeline, in the pipeline Region. */
export function pipelineBuildLogGroupName(projectName: string): string {
  return `/${projectName}/pipeline/builds`;
}
