/**
 * Prints (and with --run, runs) the `cdk bootstrap` commands this project needs,
 * read from the same configuration as `cdk synth`. Run with --help for the options.
 *
 *   npm run bootstrap                                # print the commands for cdk.json
 *   npm run bootstrap -- --config my-env.json        # ... for another configuration file
 *   npm run bootstrap -- --admin                     # ... with AdministratorAccess as the execution policy
 *   npm run bootstrap -- --run                       # run them
 *   npm run bootstrap -- --account 222222222222      # only one account's policies and commands (with --run, run them)
 */
import { spawnSync, SpawnSyncOptions, SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';
import { KmsPipelineConfig } from '../lib/config/kms-pipeline-config';
import { ConfigError } from '../lib/config/validate-config';
import { ExecutionPolicyChoice, parseCommandLine, USAGE, UsageError } from './bootstrap/command-line';
import { accountScope } from './bootstrap/accounts';
import { executionPolicies } from './bootstrap/execution-policy';
import { dryRunLines, planNotes, ResolvedExecutionPolicy, ResolvedPolicies } from './bootstrap/output';
import { permissionsBoundary } from './bootstrap/permissions-boundary';
import { BootstrapPlan, bootstrapCommands, bootstrapPlan, commandLine } from './bootstrap/plan';
import { MANAGED_POLICY_MAX_CHARS, policySize } from './bootstrap/policy-document';
import { projectConfig } from './support/project-config';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

/** Runs one command and returns its exit status, or why it could not start. */
export type CommandRunner = (command: string, args: readonly string[]) => { readonly status: number; readonly error?: string };

export interface BootstrapIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

export interface BootstrapDeps {
  readonly io: BootstrapIo;
  readonly runner: CommandRunner;
  /** Directory that `--config FILE` is relative to. */
  readonly cwd: string;
  /** The cdk.json whose `kmsMultiRegion` context is the configuration when no file is named. */
  readonly cdkJsonPath: string;
}

type Spawn = (command: string, args: readonly string[], options: SpawnSyncOptions) => Pick<SpawnSyncReturns<unknown>, 'status' | 'error'>;

/** Runs commands with the terminal attached, so `cdk bootstrap` shows its own progress and prompts. */
export function spawnRunner(spawn: Spawn = spawnSync): CommandRunner {
  return (command, args) => {
    const result = spawn(command, args, { stdio: 'inherit' });
    if (result.error) {
      return { status: 127, error: result.error.message };
    }
    // A command killed by a signal has no status; it did not succeed.
    return { status: result.status ?? 1 };
  };
}

const DEFAULT_DEPS: BootstrapDeps = {
  io: { stdout: (line) => process.stdout.write(`${line}\n`), stderr: (line) => process.stderr.write(`${line}\n`) },
  runner: spawnRunner(),
  cwd: process.cwd(),
  cdkJsonPath: path.resolve(__dirname, '..', 'cdk.json'),
};

/**
 * The whole program.
 *
 * @returns the exit code: 0 printed or every command succeeded, 2 bad option or configuration,
 *   otherwise the exit code of the first command that failed
 */
export function main(argv: readonly string[], deps: Partial<BootstrapDeps> = {}): number {
  const { io, runner, cwd, cdkJsonPath } = { ...DEFAULT_DEPS, ...deps };
  const fail = (message: string): number => {
    io.stderr(`bootstrap: ${message.replace(/\s*\n\s*/g, ' ')}`);
    return EXIT_USAGE;
  };

  let options;
  let config: KmsPipelineConfig;
  try {
    options = parseCommandLine(argv);
    if (options.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    config = projectConfig({ configFile: options.configFile, cwd, cdkJsonPath });
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message);
    if (error instanceof ConfigError) return fail(`Invalid configuration: ${error.message}`);
    throw error;
  }

  const fullPlan = bootstrapPlan(config);
  if (options.account !== undefined && !fullPlan.accounts.includes(options.account)) {
    return fail(`--account ${options.account} is not an account of this configuration: ${fullPlan.accounts.join(', ')}`);
  }
  if (options.run && options.account === undefined && fullPlan.accounts.length > 1) {
    return fail(
      `--run uses one set of credentials, and this configuration deploys to ${fullPlan.accounts.length} accounts: ` +
        `run it once per account with that account's credentials and --account, for ${fullPlan.accounts.join(', ')}`,
    );
  }
  const plan = options.account === undefined ? fullPlan : onlyAccount(fullPlan, options.account);
  // Every account has its own policies (a managed policy belongs to one account), naming that account and what it holds.
  const policies: ResolvedPolicies[] = plan.accounts.map((account) => ({
    account,
    execution: resolveExecutionPolicy(options.executionPolicy, config, account),
    boundary: permissionsBoundary(config, account),
  }));
  // The policies name every key's alias, every replica Region and the project name many times: with many keys, long
  // aliases, many replica Regions or a long project name, IAM would refuse them at create-policy.
  for (const { account, execution, boundary } of policies) {
    for (const policy of [...(execution.kind === 'least-privilege' ? execution.policies : []), boundary]) {
      const size = policySize(policy.document);
      if (size > MANAGED_POLICY_MAX_CHARS) {
        const replicaRegions = accountScope(config, account).replicaRegions.length;
        return fail(
          `the policy ${policy.name}${fullPlan.accounts.length > 1 ? ` of account ${account}` : ''} would hold ${size} characters, ` +
            `over IAM's ${MANAGED_POLICY_MAX_CHARS} for a managed policy: ` +
            `it names the alias of each of the ${config.keys.length} key(s), each of the ${replicaRegions} replica Region(s) ` +
            `and the ${config.projectName.length}-character projectName; use fewer keys, shorter aliases, fewer replica Regions ` +
            `or a shorter projectName` +
            (policy === boundary ? '' : ', or --admin'),
        );
      }
    }
  }
  const executionArns = new Map(policies.map((p) => [p.account, p.execution.arn]));
  const commands = bootstrapCommands(plan, (account) => executionArns.get(account)!);

  if (!options.run) {
    dryRunLines(plan, commands, policies).forEach((line) => io.stdout(line));
    return EXIT_OK;
  }
  planNotes(plan, policies, true).forEach((line) => io.stdout(line));
  for (const command of commands) {
    const line = commandLine(command);
    io.stdout(`$ ${line}`);
    const result = runner('npx', command.args);
    if (result.status !== 0) {
      const why = result.error === undefined ? `exited with ${result.status}` : `could not start (${result.error})`;
      io.stderr(
        `bootstrap: "${line}" ${why}: fix the cause shown above and run again (the commands before it succeeded; running them again changes nothing).`,
      );
      return result.status;
    }
  }
  return EXIT_OK;
}

function resolveExecutionPolicy(choice: ExecutionPolicyChoice, config: KmsPipelineConfig, account: string): ResolvedExecutionPolicy {
  switch (choice.kind) {
    case 'administrator':
      return choice;
    case 'managed':
      // A customer managed policy belongs to one account: each account's execution role gets the policy of that name there.
      return { kind: 'managed', arn: choice.arn.replace(/:iam::\d{12}:/, `:iam::${account}:`) };
    case 'least-privilege': {
      const policies = executionPolicies(config, account);
      return { kind: 'least-privilege', arn: policies.map((p) => p.arn).join(','), policies };
    }
  }
}

/** The part of the plan in one account. */
function onlyAccount(plan: BootstrapPlan, account: string): BootstrapPlan {
  return {
    ...plan,
    accounts: [account],
    environments: plan.environments.filter((e) => e.account === account),
    skipped: plan.skipped.filter((s) => s.account === account),
  };
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
