import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { bootstrapQualifier, permissionsBoundaryName, toolkitStackName } from '../../lib/resource-names';
import { accountScope, supportStackRegions } from './accounts';

/**
 * What the pipeline puts into an account and Region: the pipeline, or a key stack of an environment. For the
 * environment of a configuration without `environments` (which keeps its names), the bare kind, as it always was;
 * for a named environment, the kind and the environment's name, such as `primary key (staging)`.
 */
export type EnvironmentRole = string;

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
  readonly account: string;
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
  /** Every account, the pipeline account first, then the environments' accounts in configuration order. */
  readonly accounts: readonly string[];
  /**
   * One entry per account and Region, grouped by account in the order of `accounts`; in the pipeline account the
   * pipeline Region first, then, environment after environment, primary, replicas and retired replicas.
   */
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
const SUPPORT_STACK_REASON =
  "cross-Region support stack of the pipeline only: CDK deploys it with the bootstrap roles of the pipeline's own Region";

/**
 * Every account and Region the pipeline deploys to.
 *
 * The pipeline Region of the pipeline account holds the pipeline stack. Each
 * environment's primary, replica and retired replica Regions, in its account,
 * hold key stacks that the pipeline deploys (or deployed: a retired Region's
 * stack stays, and CloudFormation keeps using that Region's execution role for
 * it, including to delete it); an environment in another account also gets the
 * roles that the pipeline's steps assume there, in its primary Region. A Region
 * with two roles gets one command with the flags of both. No-replica Regions are
 * left out: the verification step calls KMS there and needs no stack. So are the
 * Regions where the pipeline account holds only a cross-Region support stack:
 * CDK deploys those with the roles of the pipeline Region.
 */
export function bootstrapPlan(config: KmsPipelineConfig): BootstrapPlan {
  const pipelineAccount = config.pipeline.account;
  const entries = new Map<string, { account: string; region: string; roles: EnvironmentRole[]; trustsPipelineAccount: boolean }>();
  const add = (account: string, region: string, role: EnvironmentRole, deployedByPipeline: boolean): void => {
    const key = `${account}/${region}`;
    const entry = entries.get(key) ?? { account, region, roles: [], trustsPipelineAccount: false };
    entry.roles.push(role);
    entry.trustsPipelineAccount ||= deployedByPipeline;
    entries.set(key, entry);
  };
  add(pipelineAccount, config.pipeline.region, 'pipeline', false);
  for (const environment of config.environments) {
    const named = (role: string) => (environment.legacyStackNames ? role : `${role} (${environment.name})`);
    const { account } = environment;
    add(account, environment.primaryRegion, named('primary key'), true);
    if (account !== pipelineAccount) add(account, environment.primaryRegion, named('pipeline access roles'), true);
    environment.replicaRegions.forEach((region) => add(account, region, named('replica key'), true));
    environment.retiredReplicaRegions.forEach((region) => add(account, region, named('retired replica key'), true));
  }
  const accounts = [...new Set([pipelineAccount, ...config.environments.map((e) => e.account)])];
  const environments = accounts.flatMap((account) => [...entries.values()].filter((e) => e.account === account));

  const skipped: SkippedRegion[] = [];
  const skip = (account: string, region: string, reason: string): void => {
    if (!entries.has(`${account}/${region}`) && !skipped.some((s) => s.account === account && s.region === region)) {
      skipped.push({ account, region, reason });
    }
  };
  for (const account of accounts) {
    for (const environment of config.environments.filter((e) => e.account === account)) {
      environment.noReplicaRegions.forEach((region) => skip(account, region, NO_REPLICA_REASON));
    }
  }
  if (accountScope(config).supportKeyRegions.length > 0) {
    supportStackRegions(config).forEach((region) => skip(pipelineAccount, region, SUPPORT_STACK_REASON));
  }

  return {
    projectName: config.projectName,
    qualifier: bootstrapQualifier(config.projectName),
    toolkitStackName: toolkitStackName(config.projectName),
    permissionsBoundaryName: permissionsBoundaryName(config.projectName),
    pipelineAccount,
    accounts,
    environments,
    skipped,
  };
}

/**
 * One `cdk bootstrap` command per environment: the project's own qualifier and
 * bootstrap stack, the execution policy of the environment's account (`executionPolicyArn`
 * gives its ARNs, comma-separated) and the permissions boundary on the execution role
 * in every Region.
 */
export function bootstrapCommands(plan: BootstrapPlan, executionPolicyArn: (account: string) => string): BootstrapCommand[] {
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
      executionPolicyArn(environment.account),
      '--custom-permissions-boundary',
      plan.permissionsBoundaryName,
    ],
  }));
}

/** The command as a person types it. Every argument is an account, Region or validated ARN, so none needs quoting. */
export function commandLine(command: BootstrapCommand): string {
  return ['npx', ...command.args].join(' ');
}
