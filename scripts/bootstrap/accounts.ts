import { createHash } from 'node:crypto';
import { EnvironmentDefinition, KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { environmentStepRoleName, keyActivityBusName, pipelineStackName } from '../../lib/resource-names';

/**
 * What the project deploys in one account: IAM policies are per account, so every account that the pipeline
 * deploys to gets its own execution policy and permissions boundary, naming that account and what is deployed there.
 */
export interface AccountScope {
  readonly account: string;
  /** Whether this is the pipeline account: the pipeline stack and its cross-Region support stacks deploy here. */
  readonly holdsPipeline: boolean;
  /** The environments whose key stacks deploy here, in configuration order. */
  readonly environments: readonly EnvironmentDefinition[];
  /** The replica Regions of those environments: the only Regions that kms:ReplicateKey may name here. */
  readonly replicaRegions: readonly string[];
  /** The no-replica Regions of those environments, where the verification proves that decryption fails. */
  readonly noReplicaRegions: readonly string[];
  /**
   * In the pipeline account, the environments of other accounts: the pipeline's step roles assume their
   * access roles (lib/stacks/environment-access-stack.ts). Empty in every other account.
   */
  readonly remoteEnvironments: readonly EnvironmentDefinition[];
  /**
   * In the pipeline account when an environment is in another account (CDK Pipelines' `crossAccountKeys`),
   * the Regions whose cross-Region support stack holds a KMS key and an alias for its replication bucket.
   */
  readonly supportKeyRegions: readonly string[];
}

/** Every account the configuration deploys to: the pipeline account first, then the environments' accounts in order. */
export function accountScopes(config: KmsPipelineConfig): AccountScope[] {
  const accounts = [config.pipeline.account, ...config.environments.map((e) => e.account)];
  return [...new Set(accounts)].map((account) => accountScope(config, account));
}

/** What the configuration deploys in `account` (the pipeline account by default). */
export function accountScope(config: KmsPipelineConfig, account: string = config.pipeline.account): AccountScope {
  const holdsPipeline = account === config.pipeline.account;
  const environments = config.environments.filter((e) => e.account === account);
  const remoteEnvironments = holdsPipeline ? config.environments.filter((e) => e.account !== account) : [];
  return {
    account,
    holdsPipeline,
    environments,
    replicaRegions: unique(environments.flatMap((e) => e.replicaRegions)),
    noReplicaRegions: unique(environments.flatMap((e) => e.noReplicaRegions)),
    remoteEnvironments,
    supportKeyRegions: remoteEnvironments.length === 0 ? [] : supportStackRegions(config),
  };
}

/** Whether the pipeline deploys to an account other than its own (and so to more than one account). */
export function isCrossAccount(config: KmsPipelineConfig): boolean {
  return config.environments.some((e) => e.account !== config.pipeline.account);
}

/**
 * The Regions of the pipeline's cross-Region support stacks: CodePipeline needs a replication bucket in every
 * Region of a deploy action other than its own, and every environment's primary and replica Regions have one.
 */
export function supportStackRegions(config: KmsPipelineConfig): string[] {
  return unique(config.environments.flatMap((e) => [e.primaryRegion, ...e.replicaRegions])).filter((r) => r !== config.pipeline.region);
}

/** The roles that the pipeline's steps assume in an environment of another account (lib/pipeline-stack.ts, addEnvironment). */
export const ACCESS_ROLE_STEPS: readonly string[] = ['verify', 'preflight', 'protect'];

/** ARNs of the access roles of `environment`, in its account. */
export function accessRoleArns(projectName: string, environment: EnvironmentDefinition): string[] {
  return ACCESS_ROLE_STEPS.map(
    (step) => `arn:aws:iam::${environment.account}:role/${environmentStepRoleName(projectName, environment, step)}`,
  );
}

/** The key-activity bus in the pipeline account and Region, to which the key stacks of every account forward. */
export function keyActivityBusArn(config: KmsPipelineConfig): string {
  return `arn:aws:events:${config.pipeline.region}:${config.pipeline.account}:event-bus/${keyActivityBusName(config.projectName)}`;
}

/**
 * The alias that CDK generates for the KMS key of the pipeline's cross-Region support stack in `region`
 * (aws-cdk-lib/aws-codepipeline, CrossRegionSupportConstruct: an `AliasWithShorterGeneratedName`, the last 44
 * characters of the physical name that aws-cdk-lib/core's generatePhysicalName makes from the stack name, the
 * construct's unique ID, the Region and the account). Reproduced here so that the execution policy names exactly
 * these aliases and no other; test/iam/environments-execution-policy.test.ts checks it against the synthesized
 * support stacks, so a CDK upgrade that changes the names fails there, not in a deploy.
 */
export function supportStackAliasName(config: KmsPipelineConfig, region: string): string {
  const account = config.pipeline.account;
  const stackName = `${pipelineStackName(config.projectName)}-support-${region}`;
  // Names.nodeUniqueId: the path below the app without `Default`, alphanumerics of each part, then 8 hex of its MD5.
  const path = [`cross-region-stack-${account}:${region}`, 'CrossRegionCodePipelineReplicationBucketEncryptionAlias'];
  const pathHash = createHash('md5').update(path.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const uniqueId = path.map((part) => part.replace(/[^A-Za-z0-9]/g, '')).join('') + pathHash;
  const hash = createHash('sha256').update(stackName).update(uniqueId).update(region).update(account).digest('hex').slice(0, 12);
  const physicalName = `${stackName.slice(0, 25)}${uniqueId.slice(-24)}${hash}`.toLowerCase();
  return `alias/${physicalName.slice(-44)}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
