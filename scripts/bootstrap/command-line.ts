import { parseArgs } from 'node:util';
import { CONFIG_FILE_CONTEXT_KEY } from '../../lib/config/load-config';
import { CDK_DEFAULT_EXECUTION_POLICY_ARN, MANAGED_POLICY_ARN } from './execution-policy';

/** Wrong flags or values. The message says what to change. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type ExecutionPolicyChoice =
  | { readonly kind: 'managed'; readonly arn: string }
  /** The customer managed policy printed by the script, named after the project. */
  | { readonly kind: 'least-privilege' };

export interface BootstrapOptions {
  readonly help: boolean;
  /** Execute the commands instead of printing them. */
  readonly run: boolean;
  /** The configuration file (`--config FILE` or `-c config=FILE`); cdk.json otherwise. */
  readonly configFile?: string;
  readonly executionPolicy: ExecutionPolicyChoice;
}

export const USAGE = `Usage: npm run bootstrap -- [options]

Prints the "cdk bootstrap" commands this project needs, from the same configuration
"cdk synth" reads: one for the pipeline account and Region, and one for every Region
the pipeline deploys a key stack to (primary, replicas, retired replicas), trusting
the pipeline account. No-replica Regions get none: nothing is deployed there.
Nothing runs unless you pass --run.

  --config FILE, -c config=FILE   read the configuration from FILE instead of the
                                  "kmsMultiRegion" context in cdk.json (as cdk synth does)
  --execution-policy ARN          managed policy that CloudFormation deploys with in every
                                  Region, default ${CDK_DEFAULT_EXECUTION_POLICY_ARN}
                                  (the CDK default)
  --least-privilege               use the customer managed policy <projectName>-cfn-execution
                                  instead, and print its document and the command that
                                  creates it (create it before bootstrapping)
  --run                           run the commands one after the other with your AWS
                                  credentials; stop at the first that fails
  -h, --help                      print this help

Exit codes: 0 printed (or every command succeeded); 2 bad option or configuration;
with --run, the exit code of the first command that failed.`;

/** Reads the command line. Throws {@link UsageError}. */
export function parseCommandLine(argv: readonly string[]): BootstrapOptions {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean', short: 'h' },
        run: { type: 'boolean' },
        config: { type: 'string' },
        context: { type: 'string', short: 'c' },
        'execution-policy': { type: 'string' },
        'least-privilege': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`${flagProblem(error)}: run with --help for the options`);
  }
  if (values.help) {
    return { help: true, run: false, executionPolicy: { kind: 'managed', arn: CDK_DEFAULT_EXECUTION_POLICY_ARN } };
  }
  return {
    help: false,
    run: values.run === true,
    configFile: configFile(values.config, values.context),
    executionPolicy: executionPolicy(values['execution-policy'], values['least-privilege'] === true),
  };
}

function configFile(config: string | undefined, context: string | undefined): string | undefined {
  const prefix = `${CONFIG_FILE_CONTEXT_KEY}=`;
  if (context !== undefined && !context.startsWith(prefix)) {
    throw new UsageError(`-c takes ${prefix}FILE only, got "${context}"`);
  }
  const fromContext = context?.slice(prefix.length);
  if (config !== undefined && fromContext !== undefined && config !== fromContext) {
    throw new UsageError(`--config ${config} and -c ${context} name different files: pass one of them`);
  }
  const file = config ?? fromContext;
  if (file !== undefined && file.trim() === '') {
    throw new UsageError('--config needs the path of a JSON file');
  }
  return file;
}

function executionPolicy(arn: string | undefined, leastPrivilege: boolean): ExecutionPolicyChoice {
  if (arn !== undefined && leastPrivilege) {
    throw new UsageError('--execution-policy and --least-privilege both choose the execution policy: pass one of them');
  }
  if (leastPrivilege) {
    return { kind: 'least-privilege' };
  }
  if (arn !== undefined && !MANAGED_POLICY_ARN.test(arn)) {
    throw new UsageError(
      `--execution-policy must be a managed policy ARN such as arn:aws:iam::aws:policy/PowerUserAccess or arn:aws:iam::123456789012:policy/NAME, got "${arn}"`,
    );
  }
  return { kind: 'managed', arn: arn ?? CDK_DEFAULT_EXECUTION_POLICY_ARN };
}

/** Node's parseArgs messages are long; keep what is wrong. */
function flagProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const quoted = /'([^' ,]+)/.exec(String((error as Error).message))?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option ${quoted} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted}`;
    default:
      return String((error as Error).message).split('\n')[0];
  }
}
