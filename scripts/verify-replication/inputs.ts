import { parseArgs } from 'node:util';
import { isAwsRegionName, parseMultiRegionKeyArn, roleArnPartition } from './key-arn';
import { aliasProblem, KeyInputs, MAX_KEYS, parseKeyList } from './key-list';

export type { KeyInputs } from './key-list';

/** Settings that every key of a run shares. */
export interface SharedInputs {
  /** Regions that must hold an enabled replica of the primary key. */
  readonly replicaRegions: readonly string[];
  /** Regions where the primary's ciphertext must not decrypt. */
  readonly noReplicaRegions: readonly string[];
  /** Regions taken out of service whose replicas may be retained; reported, never tested. */
  readonly retiredReplicaRegions: readonly string[];
  /** Where the JUnit report is written. */
  readonly reportPath: string;
  /** Per-attempt limit for one KMS request, in milliseconds. */
  readonly timeoutMs: number;
  /** Attempts per KMS call, retries included. */
  readonly maxAttempts: number;
  /**
   * How long to keep retrying a call that IAM denies in the primary and replica
   * Regions, in seconds: a role scoped to the key's alias is denied until KMS
   * applies a new alias to authorization (up to five minutes). 0 does not wait.
   */
  readonly permissionWaitSeconds: number;
}

/** Everything the checks of one key need. */
export type VerificationInputs = KeyInputs & SharedInputs;

/** Everything one run needs, validated. */
export interface RunInputs extends SharedInputs {
  /** In the order given; every primary is in the same account and Region. */
  readonly keys: readonly KeyInputs[];
  /** An IAM role whose temporary credentials every KMS call uses; absent: the SDK's standard chain. */
  readonly roleArn?: string;
}

export type CommandLine = { readonly help: true } | { readonly help: false; readonly inputs: RunInputs };

/** Bad or missing input. The message names the input and says how to fix it. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export const DEFAULT_REPORT_PATH = 'reports/verify-replication.xml';
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
const TIMEOUT_MS_RANGE = { min: 100, max: 300_000 };
const MAX_ATTEMPTS_RANGE = { min: 1, max: 10 };
export const DEFAULT_PERMISSION_WAIT_SECONDS = 0;
const PERMISSION_WAIT_RANGE = { min: 0, max: 900 };

interface InputSource {
  readonly flag: string;
  readonly envVar: string;
}

const PRIMARY_KEY_ARN: InputSource = { flag: 'primary-key-arn', envVar: 'PRIMARY_KEY_ARN' };
const REPLICA_REGIONS: InputSource = { flag: 'replica-regions', envVar: 'REPLICA_REGIONS' };
const NO_REPLICA_REGIONS: InputSource = { flag: 'no-replica-regions', envVar: 'NO_REPLICA_REGIONS' };
const RETIRED_REPLICA_REGIONS: InputSource = { flag: 'retired-replica-regions', envVar: 'RETIRED_REPLICA_REGIONS' };
const KEY_ALIAS: InputSource = { flag: 'alias', envVar: 'KEY_ALIAS' };
const EXPECT_KEY_ROTATION: InputSource = { flag: 'expect-key-rotation', envVar: 'EXPECT_KEY_ROTATION' };
const REPORT_PATH: InputSource = { flag: 'report', envVar: 'REPORT_PATH' };
const TIMEOUT_MS: InputSource = { flag: 'timeout-ms', envVar: 'VERIFY_TIMEOUT_MS' };
const MAX_ATTEMPTS: InputSource = { flag: 'max-attempts', envVar: 'VERIFY_MAX_ATTEMPTS' };
const PERMISSION_WAIT: InputSource = { flag: 'permission-wait-seconds', envVar: 'VERIFY_PERMISSION_WAIT_SECONDS' };
const KEYS: InputSource = { flag: 'keys', envVar: 'VERIFY_KEYS' };
const ROLE_ARN: InputSource = { flag: 'role-arn', envVar: 'VERIFY_ROLE_ARN' };

/** The inputs that describe the one key of a single-key run; the key list replaces all three. */
const SINGLE_KEY_INPUTS = [PRIMARY_KEY_ARN, KEY_ALIAS, EXPECT_KEY_ROTATION];

const ALL_INPUTS = [
  PRIMARY_KEY_ARN,
  REPLICA_REGIONS,
  NO_REPLICA_REGIONS,
  RETIRED_REPLICA_REGIONS,
  KEY_ALIAS,
  EXPECT_KEY_ROTATION,
  REPORT_PATH,
  TIMEOUT_MS,
  MAX_ATTEMPTS,
  PERMISSION_WAIT,
  KEYS,
  ROLE_ARN,
];

export const USAGE = `Usage: verify-replication [options]

Proves that KMS multi-region keys are replicated: the primary and every replica are
enabled and related, ciphertext round-trips both ways, the alias resolves everywhere,
rotation is as expected, and regions without a replica cannot decrypt.

Each option can also be set by the environment variable in brackets; the option wins.

One key:
  --primary-key-arn <arn>         [PRIMARY_KEY_ARN] required. ARN of the primary
                                  multi-region key (key ID mrk-...). The primary Region
                                  and account are taken from it.
  --alias <alias/name>            [KEY_ALIAS] optional. Alias that must resolve to the key
                                  in the primary and every replica Region.
  --expect-key-rotation <bool>    [EXPECT_KEY_ROTATION] true or false, default true.
                                  Rotation status the primary must report.
Several keys, instead of the three above:
  --keys <json>                   [VERIFY_KEYS] a JSON list of 1 to ${MAX_KEYS} keys, e.g.
                                  [{"name":"app-data","primaryKeyArn":"arn:...:key/mrk-...",
                                    "alias":"alias/app-data","expectKeyRotation":true}]
                                  name: a-z 0-9 -, unique, names the key's JUnit suite.
                                  alias is optional; expectKeyRotation defaults to true.
                                  Every primary is in the same account and Region.
For every key:
  --replica-regions <r1,r2>       [REPLICA_REGIONS] required. Regions that must hold a
                                  replica, comma-separated.
  --no-replica-regions <r1,r2>    [NO_REPLICA_REGIONS] required. Regions that must NOT
                                  be able to decrypt, comma-separated.
  --retired-replica-regions <r>   [RETIRED_REPLICA_REGIONS] optional. Regions removed
                                  from service that may still hold a retained replica:
                                  reported when the primary still lists them, not tested.
  --role-arn <arn>                [VERIFY_ROLE_ARN] optional. IAM role to assume (STS
                                  AssumeRole in the primary Region, one-hour session); every
                                  KMS call uses its credentials.
  --report <path>                 [REPORT_PATH] JUnit XML report, default
                                  ${DEFAULT_REPORT_PATH}. Parent directories are created.
  --timeout-ms <ms>               [VERIFY_TIMEOUT_MS] limit for each KMS or STS request attempt,
                                  default ${DEFAULT_TIMEOUT_MS} (${TIMEOUT_MS_RANGE.min}..${TIMEOUT_MS_RANGE.max}).
  --max-attempts <n>              [VERIFY_MAX_ATTEMPTS] attempts per KMS or STS call, retries
                                  included, default ${DEFAULT_MAX_ATTEMPTS} (${MAX_ATTEMPTS_RANGE.min}..${MAX_ATTEMPTS_RANGE.max}).
  --permission-wait-seconds <s>   [VERIFY_PERMISSION_WAIT_SECONDS] keep retrying a call that
                                  IAM denies in the primary or a replica Region for this long,
                                  for a role scoped to the key's alias (KMS takes up to five
                                  minutes to apply a new alias), and a denied --role-arn for
                                  up to 60 s of it (a role just created), default ${DEFAULT_PERMISSION_WAIT_SECONDS} (${PERMISSION_WAIT_RANGE.min}..${PERMISSION_WAIT_RANGE.max}).
  -h, --help                      Print this help and exit.

AWS credentials and endpoints come from the SDK's standard chain (AWS_PROFILE,
AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_STS, ...).

Exit codes: 0 every check passed; 1 a check failed or errored; 2 the verification
could not run (bad input, no credentials, KMS unreachable for every key, the role
cannot be assumed).
`;

/** Reads and validates the command line and environment. Throws {@link InputError}. */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine {
  const flags = parseFlags(argv);
  if (flags.help) {
    return { help: true };
  }
  const read = (source: InputSource): string | undefined => {
    const value = (flags.values[source.flag] ?? env[source.envVar])?.trim();
    return value === '' ? undefined : value;
  };

  const keys = keyInputs(read);
  const keySource = read(KEYS) === undefined ? PRIMARY_KEY_ARN : KEYS;
  const { region: primaryRegion, partition } = keys[0].primaryKey;

  const replicaRegions = requiredRegionList(REPLICA_REGIONS, read(REPLICA_REGIONS), 'the Regions that hold a replica');
  const noReplicaRegions = requiredRegionList(NO_REPLICA_REGIONS, read(NO_REPLICA_REGIONS), 'the Regions that must not decrypt');
  const retired = read(RETIRED_REPLICA_REGIONS);
  const retiredReplicaRegions = retired === undefined ? [] : regionList(RETIRED_REPLICA_REGIONS, retired);

  for (const [source, regions] of [
    [REPLICA_REGIONS, replicaRegions],
    [NO_REPLICA_REGIONS, noReplicaRegions],
    [RETIRED_REPLICA_REGIONS, retiredReplicaRegions],
  ] as const) {
    if (regions.includes(primaryRegion)) {
      throw new InputError(`${label(source)} includes ${primaryRegion}, the primary Region of ${keySource.envVar}: remove it`);
    }
  }
  rejectOverlap(REPLICA_REGIONS, replicaRegions, NO_REPLICA_REGIONS, noReplicaRegions);
  rejectOverlap(REPLICA_REGIONS, replicaRegions, RETIRED_REPLICA_REGIONS, retiredReplicaRegions);

  return {
    help: false,
    inputs: {
      keys,
      replicaRegions,
      noReplicaRegions,
      retiredReplicaRegions,
      reportPath: read(REPORT_PATH) ?? DEFAULT_REPORT_PATH,
      timeoutMs: integerInRange(TIMEOUT_MS, read(TIMEOUT_MS), DEFAULT_TIMEOUT_MS, TIMEOUT_MS_RANGE),
      maxAttempts: integerInRange(MAX_ATTEMPTS, read(MAX_ATTEMPTS), DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_RANGE),
      permissionWaitSeconds: integerInRange(PERMISSION_WAIT, read(PERMISSION_WAIT), DEFAULT_PERMISSION_WAIT_SECONDS, PERMISSION_WAIT_RANGE),
      roleArn: roleArn(read(ROLE_ARN), partition),
    },
  };
}

/** The keys to verify: the key list, or the one key of the single-key inputs. */
function keyInputs(read: (source: InputSource) => string | undefined): KeyInputs[] {
  const list = read(KEYS);
  if (list !== undefined) {
    const clash = SINGLE_KEY_INPUTS.find((source) => read(source) !== undefined);
    if (clash !== undefined) {
      throw new InputError(
        `${label(KEYS)} and ${label(clash)} are both set: set only ${KEYS.envVar}, ` +
          "with each key's alias and expectKeyRotation in its entry, or only the single-key inputs",
      );
    }
    const keys = parseKeyList(list);
    if (typeof keys === 'string') {
      throw new InputError(`${label(KEYS)} ${keys}`);
    }
    return keys;
  }

  const primaryKeyArn = read(PRIMARY_KEY_ARN);
  if (primaryKeyArn === undefined) {
    throw new InputError(`${label(PRIMARY_KEY_ARN)} is required: set it to the primary multi-region key ARN`);
  }
  const primaryKey = parseMultiRegionKeyArn(primaryKeyArn);
  if (typeof primaryKey === 'string') {
    throw new InputError(`${label(PRIMARY_KEY_ARN)} ${primaryKey}: set it to the primary multi-region key ARN`);
  }
  return [
    {
      primaryKey,
      alias: aliasName(read(KEY_ALIAS)),
      expectKeyRotation: booleanValue(EXPECT_KEY_ROTATION, read(EXPECT_KEY_ROTATION), true),
    },
  ];
}

function parseFlags(argv: readonly string[]): { help: boolean; values: Record<string, string | undefined> } {
  const options: Record<string, { type: 'string' } | { type: 'boolean'; short: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const input of ALL_INPUTS) {
    options[input.flag] = { type: 'string' };
  }
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    const { help, ...rest } = values;
    return { help: help === true, values: rest as Record<string, string | undefined> };
  } catch (error) {
    throw new InputError(`${flagProblem(error)}: run with --help for the list of options`);
  }
}

/** Node's parseArgs messages are long and suggest `--`; keep only what is wrong. */
export function flagProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const option = /'(-[^' ]+)/.exec(String((error as Error).message))?.[1] ?? 'an argument';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option ${option} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${option === 'an argument' ? '' : option}`.trim();
    default:
      return String((error as Error).message).split('\n')[0];
  }
}

function label(source: InputSource): string {
  return `${source.envVar} (--${source.flag})`;
}

function requiredRegionList(source: InputSource, value: string | undefined, what: string): string[] {
  const regions = value === undefined ? [] : regionList(source, value);
  if (regions.length === 0) {
    throw new InputError(`${label(source)} is required: set it to ${what}, comma-separated (e.g. eu-west-1,ap-southeast-2)`);
  }
  return regions;
}

function regionList(source: InputSource, value: string): string[] {
  const regions = [
    ...new Set(
      value
        .split(',')
        .map((region) => region.trim())
        .filter((region) => region !== ''),
    ),
  ];
  for (const region of regions) {
    if (!isAwsRegionName(region)) {
      throw new InputError(
        `${label(source)} has "${region}", which is not an AWS Region name: use names such as eu-west-1, comma-separated`,
      );
    }
  }
  return regions;
}

function rejectOverlap(a: InputSource, aRegions: readonly string[], b: InputSource, bRegions: readonly string[]): void {
  const both = aRegions.filter((region) => bRegions.includes(region));
  if (both.length > 0) {
    throw new InputError(`${both.join(', ')} is in both ${label(a)} and ${label(b)}: list each Region in only one of them`);
  }
}

function aliasName(value: string | undefined): string | undefined {
  const problem = value === undefined ? undefined : aliasProblem(value);
  if (problem !== undefined) {
    throw new InputError(`${label(KEY_ALIAS)} ${problem}, got "${value}": set it to the key's alias, e.g. alias/app-data`);
  }
  return value;
}

/** An IAM role ARN in the partition of the keys (see {@link roleArnPartition}). */
function roleArn(value: string | undefined, keyPartition: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const partition = roleArnPartition(value);
  if (partition === undefined) {
    throw new InputError(`${label(ROLE_ARN)} must be an IAM role ARN such as arn:aws:iam::111122223333:role/kms-verify, got "${value}"`);
  }
  if (partition !== keyPartition) {
    throw new InputError(
      `${label(ROLE_ARN)} is in the partition ${partition}, the keys in ${keyPartition}, got "${value}": use a role of the keys' partition`,
    );
  }
  return value;
}

function booleanValue(source: InputSource, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) {
    return fallback;
  }
  const normalized = value.toLowerCase();
  if (normalized !== 'true' && normalized !== 'false') {
    throw new InputError(`${label(source)} must be true or false, got "${value}"`);
  }
  return normalized === 'true';
}

function integerInRange(
  source: InputSource,
  value: string | undefined,
  fallback: number,
  range: { readonly min: number; readonly max: number },
): number {
  if (value === undefined) {
    return fallback;
  }
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(parsed >= range.min && parsed <= range.max)) {
    throw new InputError(`${label(source)} must be a whole number ${range.min}..${range.max}, got "${value}"`);
  }
  return parsed;
}
