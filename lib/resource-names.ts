import { createHash } from 'crypto';

/**
 * Names derived from the configuration. Stack names and the parameter name are
 * part of a deployed key's identity: a new stack name is a new stack, with a
 * new key, so these functions are the one place that makes them.
 */

/** SSM parameter, in the primary Region, that holds the primary key ARN. */
export function primaryKeyArnParameterName(projectName: string, alias: string): string {
  return `/${projectName}/${alias.replace(/^alias\//, '')}/primary-key-arn`;
}

/** What names a key's SSM parameter and construct IDs. */
export interface KeyIdentity {
  /** The key's stable name. */
  readonly name: string;
  /** The key's alias (`alias/...`). */
  readonly alias: string;
  /** Whether the key keeps the single-key construct IDs and parameter name. */
  readonly legacyConstructIds: boolean;
}

/**
 * SSM parameter, in the primary Region, that holds the ARN of `key`: derived from the alias for the key that keeps
 * the single-key names (as before there were several keys), from the stable name for every other key, so that a
 * new alias does not move it.
 */
export function keyArnParameterName(projectName: string, key: KeyIdentity): string {
  return key.legacyConstructIds ? primaryKeyArnParameterName(projectName, key.alias) : `/${projectName}/${key.name}/primary-key-arn`;
}

/**
 * The construct ID, in a key stack, of the scope that holds every resource of the named key. Its logical IDs derive
 * from it, so it depends on the name alone: adding, removing or reordering other keys leaves it as it is.
 * The key that keeps the single-key IDs has no such scope: its resources sit at the stack's root, as they always did.
 */
export function keyScopeId(name: string): string {
  return `Key-${name}`;
}

/** What names an environment's stacks and pipeline stages. */
export interface EnvironmentIdentity {
  /** The environment's stable name. */
  readonly name: string;
  /** Whether the environment keeps the names of a configuration without environments. */
  readonly legacyStackNames: boolean;
}

/**
 * `<projectName>-<environment>`, or `<projectName>` for the environment that keeps the names it always had: the start
 * of every name of the environment's stacks, roles and scheduled verification.
 */
export function environmentPrefix(projectName: string, environment: EnvironmentIdentity): string {
  return environment.legacyStackNames ? projectName : `${projectName}-${environment.name}`;
}

/** CloudFormation stack name of an environment's primary key stack. */
export function primaryKeyStackName(projectName: string, environment: EnvironmentIdentity): string {
  return `${environmentPrefix(projectName, environment)}-primary-key`;
}

/** CloudFormation stack name of an environment's replica key stack in `region`. */
export function replicaKeyStackName(projectName: string, environment: EnvironmentIdentity, region: string): string {
  return `${environmentPrefix(projectName, environment)}-replica-key-${region}`;
}

/**
 * CloudFormation stack name of the stack, in an environment account other than the pipeline's, that holds the roles
 * the pipeline's steps assume there (lib/stacks/environment-access-stack.ts).
 */
export function environmentAccessStackName(projectName: string, environment: EnvironmentIdentity): string {
  return `${environmentPrefix(projectName, environment)}-pipeline-access`;
}

/**
 * Name of the role, in an environment account, that the pipeline step `step` (verify, preflight, protect) assumes
 * there; and of that step's own role in the pipeline account, which alone may assume it.
 */
export function environmentStepRoleName(projectName: string, environment: EnvironmentIdentity, step: string): string {
  return `${environmentPrefix(projectName, environment)}-${step}`;
}

/**
 * The construct ID prefix of an environment's pipeline stages and steps: empty for the environment that keeps the
 * names it always had (`Primary`, `Replica-eu-west-1`, `Replicas`, ...), the environment's name otherwise.
 */
export function environmentStagePrefix(environment: EnvironmentIdentity): string {
  return environment.legacyStackNames ? '' : `${environment.name}-`;
}

/** CloudFormation stack name of the pipeline stack. */
export function pipelineStackName(projectName: string): string {
  return `${projectName}-pipeline`;
}

/**
 * The project's own CDK bootstrap qualifier: the first 6 letters and digits of
 * `projectName` (so a person recognises it) and 4 hex digits of its SHA-256 (so
 * that `kms-mrk` and `kmsmrk`, or two long names with the same start, never
 * share one). It fits CDK's limit of 10 lowercase letters and digits, and it is
 * never the default `hnb659fds`. A qualifier of its own gives the project its
 * own bootstrap roles, so the execution policy and permissions boundary that
 * `npm run bootstrap` attaches govern this project's deploys and no other app's.
 */
export function bootstrapQualifier(projectName: string): string {
  const hash = createHash('sha256').update(projectName).digest('hex');
  return projectName.replace(/[^a-z0-9]/g, '').slice(0, 6) + hash.slice(0, 4);
}

/** CloudFormation stack name of the project's own bootstrap (toolkit) stack in each account and Region. */
export function toolkitStackName(projectName: string): string {
  return `${projectName}-cdk-toolkit`;
}

/** Name of the customer managed policy that CloudFormation deploys this project's stacks with. */
export function executionPolicyName(projectName: string): string {
  return `${projectName}-cfn-execution`;
}

/**
 * Name of the second execution policy: what CloudFormation needs for the alerts and the scheduled
 * verification (IAM's size limit for one managed policy leaves no room for them in the first).
 */
export function monitoringExecutionPolicyName(projectName: string): string {
  return `${projectName}-cfn-execution-monitoring`;
}

/**
 * Name of the customer managed policy that bounds every role of the project,
 * the CloudFormation execution role included.
 */
export function permissionsBoundaryName(projectName: string): string {
  return `${projectName}-permissions-boundary`;
}

/** CloudWatch Logs log group of every CodeBuild project of the pipeline, in the pipeline Region. */
export function pipelineBuildLogGroupName(projectName: string): string {
  return `/${projectName}/pipeline/builds`;
}

/** The SNS topic, in the pipeline Region, that every alert of the project reaches. */
export function alertsTopicName(projectName: string): string {
  return `${projectName}-alerts`;
}

/** The event bus, in the pipeline Region, to which every key Region forwards the key's activity. */
export function keyActivityBusName(projectName: string): string {
  return `${projectName}-key-activity`;
}

/**
 * Key of the tag that every KMS key of the project carries from its creation, with the project name as its
 * value. The execution policy and the permissions boundary allow managing a key only when it carries this tag
 * with this project's name (attribute-based access control), so a deploy of this project cannot act on the keys
 * of other apps in the account. The configuration may not set a tag with this key.
 */
export const PROJECT_TAG_KEY = 'kms-multi-region-pipeline:project';
