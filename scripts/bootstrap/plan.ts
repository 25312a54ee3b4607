import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { bootstrapQualifier, permissionsBoundaryName, toolkitStackName } from '../../lib/resource-names';

/** What the pipeline puts into an environment. */
export type EnvironmentRole = 'pipeline' | 'primary key' | 'replica key' | 'retired replica key';

/** One account/Region pair that `cdk bootstrap` must prepare. */
export interface BootstrapEnvironment {
  readonly account: string;
  readonly region: string;
  /** Everything this project deploys (or once deployed) here, in pipeline order. */
  readonly roles: readonly EnvironmentRole[];
  /**
   * Whether the pipeline deploys stacks here, so the Region's deploy and lookup
   * roles must trust the pipeline account (`--trust`, `--trust-for-lookup`).
   */
  readonly trustsPipelineAccount: boolean;
}

/** A Region the configuration names that needs no bootstrap, and why. */
export interface SkippedRegion {
  readonly region: string;
  readonly reason: string;
}

export interface BootstrapPlan {
  readonly projectName: string;
  /** The project's own bootstrap qualifier, which the app's synthesizer uses for every stack. */
  readonly qualifier: string;
  /** The project's own bootstrap stack, so that the default CDKToolkit stack of other apps is never touched. */
  readonly toolkitStackName: string;
  /** The customer managed policy that bounds the execution role and every role of the project. */
  readonly permissionsBoundaryName: string;
  readonly pipelineAccount: string;
  /** One entry per Region, pipeline Region first, then primary, replicas and retired replicas. */
  readonly environments: readonly BootstrapEnvironment[];
  readonly skipped: readonly SkippedRegion[];
}

/** The `npx cdk bootstrap` arguments for one environment (what follows `npx`). */
export interface BootstrapCommand {
  readonly environment: BootstrapEnvironment;
  readonly args: readonly string[];
}

const NO_REPLICA_REASON =
  'no-replica Region: nothing is deployed there; the verification step only calls KMS in it to prove that decryption is refused';

/**
 * Every environment the pipeline deploys to, one per Region.
 *
 * The pipeline Region holds the pipeline stack. The primary, replica and retired
 * replica Regions hold key stacks that the pipeline deploys (or deployed: a
 * retired Region's stack stays, and CloudFormation keeps using that Region's
 * execution role for it, including to delete it). A Region with two roles gets
 * one command with the flags of both. No-replica Regions are left out: the
 * verification step calls KMS there and needs no stack.
 */
export function bootstrapPlan(config: KmsPipelineConfig): BootstrapPlan {
  const account = config.pipeline.account;
  const byRegion = new Map<string, { roles: EnvironmentRole[]; trustsPipelineAccount: boolean }>();
  const add = (region: string, role: EnvironmentRole, deployedByPipeline: boolean): void => {
    const entry = byRegion.get(region) ?? { roles: [], trustsPipelineAccount: false };
    entry.roles.push(role);
    entry.trustsPipelineAccount ||= deployedByPipeline;
    byRegion.set(region, entry);
  };
  add(config.pipeline.region, 'pipeline', false);
  add(config.primaryRegion, 'primary key', true);
  config.replicaRegions.forEach((region) => add(region, 'replica key', true));
  config.retiredReplicaRegions.forEach((region) => add(region, 'retired replica key', true));

  return {
    projectName: config.projectName,
    qualifier: bootstrapQualifier(config.projectName),
    toolkitStackName: toolkitStackName(config.projectName),
    permissionsBoundaryName: permissionsBoundaryName(config.projectName),
    pipelineAccount: account,
    environments: [...byRegion].map(([region, entry]) => ({ account, region, ...entry })),
    skipped: config.noReplicaRegions.filter((region) => !byRegion.has(region)).map((region) => ({ region, reason: NO_REPLICA_REASON })),
  };
}

/**
 * One `cdk bootstrap` command per environment: the project's own qualifier and
 * bootstrap stack, the execution policy and the permissions boundary on the
 * execution role in every Region.
 */
export function bootstrapCommands(plan: BootstrapPlan, executionPolicyArn: string): BootstrapCommand[] {
  return plan.environments.map((environment) => ({
    environment,
    args: [
      'cdk',
      'bootstrap',
      `aws://${environment.account}/${environment.region}`,
      '--qualifier',
      plan.qualifier,
      '--toolkit-stack-name',
      plan.toolkitStackName,
      ...(environment.trustsPipelineAccount ? ['--trust', plan.pipelineAccount, '--trust-for-lookup', plan.pipelineAccount] : []),
      '--cloudformation-execution-policies',
      executionPolicyArn,
      '--custom-permissions-boundary',
      plan.permissionsBoundaryName,
    ],
  }));
}

/** The command as a person types it. Every argument is an account, Region or validated ARN, so none needs quoting. */
export function commandLine(command: BootstrapCommand): string {
  return ['npx', ...command.args].join(' ');
}
