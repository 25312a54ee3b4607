import { parseArgs } from 'node:util';
import { CONFIG_FILE_CONTEXT_KEY } from '../../lib/config/load-config';
import { ADMINISTRATOR_ACCESS_ARN } from './execution-policy';
import { MANAGED_POLICY_ARN } from './policy-document';

/** Wrong flags or values. The message says what to change. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type ExecutionPolicyChoice =
  /** The project's customer managed policy, printed by the script: the default. */
  | { readonly kind: 'least-privilege' }
  /** AdministratorAccess, chosen with --admin. */
  | { readonly kind: 'administrator'; readonly arn: string }
  /** A managed policy of the user's, chosen with --execution-policy. */
  | { readonly kind: 'managed'; readonly arn: string };

export interface BootstrapOptions {
  readonly help: boolean;
  /** Execute the commands instead of printing them. */
  readonly run: boolean;
  /** The configuration file (`--config FILE` or `-c config=FILE`); cdk.json otherwise. */
  readonly configFile?: string;
  readonly executionPolicy: ExecutionPolicyChoice;
  /** Only this account's policies and commands (`--account`): what one set of credentials can apply. */
  readonly account?: string;
}

export const USAGE = `Usage: npm run bootstrap -- [options]

Prints the "cdk bootstrap" commands this project needs, from the same configuration
"cdk synth" reads: one for the pipeline account and Region, and one for every account
and Region the pipeline deploys a key stack to (each environment's primary, replicas,
retired replicas), trusting the pipeline account. No-replica Regions get none: nothing
is deployed there.
Every command uses the project's own qualifier and bootstrap stack, so it never
changes the CDKToolkit stack or the deploy roles of other apps in the account.
It also prints the customer managed policies to create first, in each account: the
execution policy and the permissions boundary of every role of the project.
Nothing runs unless you pass --run.

  --config FILE, -c config=FILE   read the configuration from FILE instead of the
                                  "kmsMultiRegion" context in cdk.json (as cdk synth does)
  --least-privilege               the default: CloudFormation deploys with the project's
                                  customer managed policy <projectName>-cfn-execution
  --admin                         CloudFormation deploys with ${ADMINISTRATOR_ACCESS_ARN}
                                  instead (the permissions boundary still applies)
  --execution-policy ARN          CloudFormation deploys with this managed policy instead
  --account ACCOUNT               only the policies and commands of this account (with
                                  environments in several accounts, each needs its own
                                  credentials: run once per account)
  --run                           run the bootstrap commands one after the other with your
                                  AWS credentials; stop at the first that fails (create the
                                  policies first: --run does not). With several accounts,
                                  --run needs --account
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
        admin: { type: 'boolean' },
        account: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`${flagProblem(error)}: run with --help for the options`);
  }
  if (values.help) {
    return { help: true, run: false, executionPolicy: { kind: 'least-privilege' } };
  }
  return {
    help: false,
    run: values.run === true,
    configFile: configFile(values.config, values.context),
    executionPolicy: executionPolicy(values['execution-policy'], values['least-privilege'] === true, values.admin === true),
    ...(values.account === undefined ? {} : { account: accountOption(values.account) }),
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

function executionPolicy(arn: string | undefined, leastPrivilege: boolean, admin: boolean): ExecutionPolicyChoice {
  const chosen = [arn !== undefined && '--execution-policy', leastPrivilege && '--least-privilege', admin && '--admin'].filter(
    (flag): flag is string => typeof flag === 'string',
  );
  if (chosen.length > 1) {
    throw new UsageError(`${chosen.join(' and ')} ${chosen.length === 2 ? 'both' : 'all'} choose the execution policy: pass one of them`);
  }
  if (admin) {
    return { kind: 'administrator', arn: ADMINISTRATOR_ACCESS_ARN };
  }
  if (arn === undefined) {
    return { kind: 'least-privilege' };
  }
  if (!MANAGED_POLICY_ARN.test(arn)) {
    throw new UsageError(
      `--execution-policy must be a managed policy ARN such as arn:aws:iam::aws:policy/PowerUserAccess or arn:aws:iam::123456789012:policy/NAME, got "${arn}"`,
    );
  }
  return { kind: 'managed', arn };
}

function accountOption(account: string): string {
  if (!/^\d{12}$/.test(account)) throw new UsageError(`--account must be a 12-digit AWS account ID, got "${account}"`);
  return account;
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
