import { z } from 'zod';
import { KMS_MULTI_REGION_REGIONS } from './aws-regions';
import { keyArnParameterName, PROJECT_TAG_KEY } from '../resource-names';

/**
 * The configuration schema, in zod. The validator parses with it, the README's configuration reference
 * is generated from its metadata, and so is the JSON Schema that editors read
 * (config/kms-pipeline-config.schema.json): the three cannot disagree.
 *
 * Every message is the middle of one line, `<field> <message>, got <value>` (see validate-config.ts).
 * Checks that are regular expressions use `.regex()`, so that the JSON Schema carries them as patterns.
 */

/** What the README's reference says of a field, kept in zod's metadata. */
export interface FieldDoc {
  /** What the field means; also its `description` in the JSON Schema. */
  readonly description: string;
  /** What is allowed, in words; also the end of the "must be a string" and "is required" messages. */
  readonly allowed: string;
  /** What changing the field on a deployed project does to the keys. */
  readonly onChange: string;
}

/** Renders a received value for an error message, short enough to stay on one line. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The message of a missing value, or of a value of the wrong type. */
function wrongType(what: string, allowed: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? `is required: ${allowed}` : `must be ${what} (${allowed})`);
}

/** The message of an unknown field (validate-config.ts names the field itself), or of a value that is not an object. */
function objectError(notAnObject: string, known: readonly string[]): (issue: z.core.$ZodRawIssue) => string {
  return (issue) =>
    issue.code === 'unrecognized_keys'
      ? `is not a known field (known fields of ${fieldPath(issue.path ?? [])}: ${known.join(', ')})`
      : notAnObject;
}

/** `config.key.tags["cost center"]`: a dotted path, with keys that would not read as one word quoted. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : /^[A-Za-z0-9_-]+$/.test(String(key)) ? `${text}.${String(key)}` : `${text}[${JSON.stringify(key)}]`,
    'config',
  );
}

const KNOWN_REGION = 'is not a known commercial AWS Region with KMS multi-region keys (for example us-east-1, eu-west-1)';

/** A Region from the closed list; `notAString` words the message for a value that is not a string at all. */
function region(notAString: (issue: { readonly input?: unknown }) => string) {
  return z.enum(KMS_MULTI_REGION_REGIONS as [string, ...string[]], {
    error: (issue) => (typeof issue.input === 'string' ? KNOWN_REGION : notAString(issue)),
  });
}

/** A Region as the item of a Region list; defined once, so the JSON Schema holds its list of Regions once. */
const LISTED_REGION = region(() => 'must be a string').meta({ id: 'region', description: 'An AWS Region with KMS multi-region keys.' });

/** Fails a list that holds an item twice. */
function noDuplicates(payload: z.core.ParsePayload<string[]>): void {
  const duplicate = payload.value.find((item, i) => payload.value.indexOf(item) !== i);
  if (duplicate !== undefined) {
    payload.issues.push({ code: 'custom', message: `lists ${show(duplicate)} more than once`, input: payload.value });
  }
}

interface ListOptions extends FieldDoc {
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** A list of distinct items; JSON Schema's `uniqueItems` says the same as the check. */
function list(item: z.ZodType<string>, doc: ListOptions) {
  const { minItems, maxItems, ...fieldDoc } = doc;
  let schema = z.array(item, { error: wrongType('a list', doc.allowed) });
  if (minItems !== undefined) schema = schema.min(minItems, { error: `must list at least ${minItems} (${doc.allowed})` });
  if (maxItems !== undefined) schema = schema.max(maxItems, { error: `must list at most ${maxItems} (${doc.allowed})` });
  return schema.check(noDuplicates).meta({ ...fieldDoc, uniqueItems: true });
}

/** A regions list field. */
function regionList(doc: ListOptions) {
  return list(LISTED_REGION, doc);
}

/** An integer within bounds, with one message for every way of missing them. */
function boundedInteger(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

const ACCOUNT = /^\d{12}$/;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PARTITION = 'aws(?:-[a-z]+)*';
const CONNECTION_ARN = new RegExp(`^arn:${PARTITION}:(?:codeconnections|codestar-connections):([a-z0-9-]+):\\d{12}:connection/${UUID}$`);
/** The same ARN in a Region of the closed list: a pattern, so that the JSON Schema checks the Region too. */
const CONNECTION_ARN_IN_KNOWN_REGION = new RegExp(
  `^arn:${PARTITION}:(?:codeconnections|codestar-connections):(?:${KMS_MULTI_REGION_REGIONS.join('|')}):\\d{12}:connection/${UUID}$`,
);
const PRINCIPAL_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(?:root|role/[\\w+=,.@/-]{1,512}|user/[\\w+=,.@/-]{1,512})$`);
/**
 * The rules of `git check-ref-format --branch` short of the ones that need a repository: not empty, not "@", no
 * control character, space or any of ~^:?*[\, no start with / . or -, no // .. @{ or /., no end with / . or .lock.
 */
// eslint-disable-next-line no-control-regex -- git refuses control characters in a branch name, and so does this pattern
const GIT_BRANCH_NAME = /^(?!@$)(?![/.-])(?!.*(?:\/\/|\.\.|@\{|\/\.))(?!.*(?:\/|\.|\.lock)$)[^\x00-\x1f\x7f\s~^:?*[\\]+$/;

/** An e-mail address as SNS subscriptions take it; the alerts construct checks its props with the same rule. */
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** How many e-mail addresses the alerts topic is subscribed to, at most. */
export const MAX_ALERT_EMAILS = 10;
/** How many tags a KMS key holds, at most. */
const MAX_TAGS = 50;

/** The default schedule of the verification outside the pipeline. */
export const DEFAULT_VERIFY_SCHEDULE = 'rate(1 hour)';
/** The value of `monitoring.verifySchedule` that turns the scheduled verification off. */
export const VERIFY_SCHEDULE_OFF = 'off';
const MIN_VERIFY_INTERVAL_MINUTES = 5;
const MAX_VERIFY_INTERVAL_MINUTES = 12 * 60;
const RATE_UNIT_MINUTES: Readonly<Record<string, number>> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };
/** "off", or a Scheduler rate: the singular unit for 1, the plural otherwise. */
const VERIFY_SCHEDULE_FORM = /^(?:off|rate\((?:1 (?:minute|hour|day)|(?:[2-9]|[1-9][0-9]+) (?:minutes|hours|days))\))$/;

/** The interval of an EventBridge Scheduler rate expression in minutes, or undefined when it is not one. */
export function verifyIntervalMinutes(schedule: string): number | undefined {
  const match = /^rate\(([1-9][0-9]*) (minutes?|hours?|days?)\)$/.exec(schedule);
  if (!match) return undefined;
  const value = Number(match[1]);
  // Scheduler wants the singular unit for 1 and the plural otherwise.
  if ((value === 1) !== !match[2].endsWith('s')) return undefined;
  return value * RATE_UNIT_MINUTES[match[2]];
}

/** Fails a rate whose interval is out of range; "off" and malformed values are left to the form's pattern. */
function verifyIntervalInRange(payload: z.core.ParsePayload<string>): void {
  const minutes = verifyIntervalMinutes(payload.value) ?? MIN_VERIFY_INTERVAL_MINUTES;
  if (minutes < MIN_VERIFY_INTERVAL_MINUTES || minutes > MAX_VERIFY_INTERVAL_MINUTES) {
    payload.issues.push({
      code: 'custom',
      message: `must be from ${MIN_VERIFY_INTERVAL_MINUTES} minutes to ${MAX_VERIFY_INTERVAL_MINUTES / 60} hours (two periods of its alarm fit in CloudWatch's one-day evaluation range)`,
      input: payload.value,
    });
  }
}

/** KMS alias rules: `alias/` + 1..250 of [A-Za-z0-9/_-], never under the reserved `alias/aws/`. */
function withAliasRules(schema: z.ZodString): z.ZodString {
  return schema
    .regex(/^alias\//, { error: 'must start with "alias/"' })
    .regex(/^(?!alias\/[Aa][Ww][Ss]\/)/, { error: 'must not be under "alias/aws/", which is reserved for AWS managed keys' })
    .regex(/^alias\/[A-Za-z0-9/_-]{1,250}$/, { error: 'must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -' });
}
const ALIAS_NAME = withAliasRules(z.string());

/** What is wrong with a KMS alias name, or undefined when it is fine. */
export function aliasCheck(alias: string): string | undefined {
  const result = ALIAS_NAME.safeParse(alias);
  return result.success ? undefined : result.error.issues[0].message;
}

/** Fails a map with more entries than `max`; the received value in the message is the count. */
function atMostEntries(max: number) {
  return (payload: z.core.ParsePayload<Record<string, string>>): void => {
    const entries = Object.keys(payload.value).length;
    if (entries > max) payload.issues.push({ code: 'custom', message: `must have at most ${max} entries`, input: entries });
  };
}

const PRINCIPAL_LIST = {
  allowed: 'IAM ARNs: arn:aws:iam::ACCOUNT:role/NAME, user/NAME or root',
  onChange: 'no (key policy updated in place)',
};
/** The account of an IAM principal ARN that PRINCIPAL_ARN accepts. */
export function principalAccount(arn: string): string {
  return arn.split(':')[4];
}
const principalArn = z.string({ error: 'must be a string' }).regex(PRINCIPAL_ARN, { error: 'must be an IAM role, user or account root ARN' });

const PIPELINE_FIELDS = {
  account: z
    .string({ error: wrongType('a string', '12 digits') })
    .regex(ACCOUNT, { error: 'must be a 12-digit AWS account ID' })
    .meta({
      description: 'AWS account of the pipeline (the tooling account); without environments, also of every key stack.',
      allowed: '12 digits',
      onChange: 'a new pipeline; without environments, also new keys in that account',
    }),
  region: region(wrongType('a string', 'a known AWS Region')).meta({
    description: 'Region of the pipeline stack.',
    allowed: 'a known AWS Region',
    onChange: 'a new pipeline; keys unchanged',
  }),
  manualApproval: z.boolean({ error: 'must be true or false' }).optional().meta({
    description:
      'Without environments: whether a person approves before the replica wave deploys (default true). With environments, each environment says so itself.',
    allowed: 'true or false; not with environments',
    onChange: 'no',
  }),
};

const SOURCE_FIELDS = {
  connectionArn: z
    .string({ error: wrongType('a string', 'arn:aws:codeconnections:REGION:ACCOUNT:connection/UUID (codestar-connections also accepted)') })
    .regex(CONNECTION_ARN, { error: 'must be a connection ARN such as arn:aws:codeconnections:us-east-1:123456789012:connection/UUID' })
    .regex(CONNECTION_ARN_IN_KNOWN_REGION, {
      error: (issue) => `names Region "${CONNECTION_ARN.exec(String(issue.input))?.[1]}", which is not a known AWS Region`,
    })
    .meta({
      description: 'ARN of an AWS CodeConnections connection, authorized in the console.',
      allowed: 'arn:aws:codeconnections:REGION:ACCOUNT:connection/UUID (codestar-connections also accepted)',
      onChange: 'no',
    }),
  repository: z
    .string({ error: wrongType('a string', 'owner/repo') })
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'must be "owner/repo"' })
    .meta({ description: 'The repository, as owner/repo.', allowed: 'owner/repo', onChange: 'no' }),
  branch: z
    .string({ error: wrongType('a string', 'a git branch name') })
    .regex(GIT_BRANCH_NAME, { error: 'must be a valid git branch name' })
    .default('main')
    .meta({ description: 'Branch whose pushes start the pipeline.', allowed: 'a git branch name', onChange: 'no' }),
};

const KEY_FIELDS = {
  alias: withAliasRules(z.string({ error: wrongType('a string', 'alias/ followed by 1 to 250 of A-Z a-z 0-9 / _ -, not under alias/aws/') })).meta({
    description: 'Alias of the key, the same in every Region.',
    allowed: 'alias/ followed by 1 to 250 of A-Z a-z 0-9 / _ -, not under alias/aws/',
    onChange: 'new aliases (the old alias names are deleted); keys unchanged; the SSM parameter moves to a new name',
  }),
  description: z
    .string({ error: wrongType('a string', 'up to 8192 characters') })
    .max(8192, { error: 'must be at most 8192 characters' })
    .default('Multi-region key deployed by the kms-multi-region-pipeline')
    .meta({ description: 'Description of the key in every Region.', allowed: 'up to 8192 characters', onChange: 'no (updated in place)' }),
  enableKeyRotation: z.boolean({ error: 'must be true or false' }).default(true).meta({
    description: 'Automatic rotation of the key material (set on the primary, shared by replicas).',
    allowed: 'true or false',
    onChange: 'no (updated in place)',
  }),
  rotationPeriodDays: boundedInteger(90, 2560)
    .default(365)
    .meta({ description: 'Days between automatic rotations.', allowed: 'an integer from 90 to 2560', onChange: 'no (updated in place)' }),
  pendingWindowDays: boundedInteger(7, 30).default(30).meta({
    description: 'Waiting period, in days, before KMS deletes a key scheduled for deletion.',
    allowed: 'an integer from 7 to 30',
    onChange: 'no (applies to a future deletion)',
  }),
  tags: z
    .record(
      z
        .string()
        .min(1, { error: 'must be 1 to 128 characters' })
        .max(128, { error: 'must be 1 to 128 characters' })
        .regex(/^(?![Aa][Ww][Ss]:)/, { error: 'must not start with "aws:", which is reserved' })
        // The key has no character that a regular expression treats specially.
        .regex(new RegExp(`^(?!${PROJECT_TAG_KEY}$)`), {
          error: `must not be ${PROJECT_TAG_KEY}, which the project sets to projectName on every key (the deploy role manages only keys with it)`,
        }),
      z.string({ error: 'must be a string' }).max(256, { error: 'must be at most 256 characters' }),
      {
        error: wrongType(
          'an object of strings',
          `up to 50; keys 1 to 128 characters not starting with aws: and other than ${PROJECT_TAG_KEY}, values up to 256 characters`,
        ),
      },
    )
    .check(atMostEntries(MAX_TAGS))
    .default({})
    .meta({
      description: 'Tags of the key in every Region.',
      allowed: `up to 50; keys 1 to 128 characters not starting with aws: and other than ${PROJECT_TAG_KEY}, values up to 256 characters`,
      onChange: 'no (updated in place)',
      maxProperties: MAX_TAGS,
    }),
  adminPrincipalArns: list(principalArn, {
    ...PRINCIPAL_LIST,
    description:
      "IAM roles or users that manage the key (no cryptographic use). With environments, a principal of one environment's account is named only in that environment's key policies.",
  }).default([]),
  userPrincipalArns: list(principalArn, {
    ...PRINCIPAL_LIST,
    description:
      "IAM roles or users that use the key for cryptography (no management). With environments, a principal of one environment's account is named only in that environment's key policies.",
  }).default([]),
};

/** How many keys one configuration holds, at most (the verification program checks up to as many in one run). */
export const MAX_KEYS = 25;
const KEY_NAME_ALLOWED = '2 to 32 of a-z 0-9 -, starting with a letter, not ending with -';
/** A key's stable name: lowercase, so that it reads the same in a construct ID, an SSM parameter path and a report. */
export const KEY_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const keyName = z
  .string({ error: wrongType('a string', KEY_NAME_ALLOWED) })
  .regex(KEY_NAME, { error: 'must be 2 to 32 of a-z 0-9 -, start with a letter and not end with -' });

const NAMED_KEY_FIELDS = {
  name: keyName.meta({
    description: 'Stable name of the key: its construct and logical IDs and its SSM parameter /<projectName>/<name>/primary-key-arn derive from it.',
    allowed: `${KEY_NAME_ALLOWED}; unique in keys`,
    onChange: 'a new key in every Region; the old one stays in the account (retained), no longer managed: never rename a deployed key',
  }),
  legacyConstructIds: z.boolean({ error: 'must be true or false' }).default(false).meta({
    description:
      'The key keeps the construct IDs, logical IDs, outputs and SSM parameter name (from its alias) that the one key of a single-key configuration (key) has: set it on that key when you move from key to keys.',
    allowed: 'true or false; true on at most one key',
    onChange: 'a new key in every Region (the old one stays, retained, no longer managed) and a new SSM parameter: set it only when moving from key to keys',
  }),
  ...KEY_FIELDS,
};

/** The Regions of one environment: where the primary keys and their replicas live, and where none may be. */
const REGION_FIELDS = {
  primaryRegion: region(wrongType('a string', 'a known AWS Region, not in any other region list')).meta({
    description: 'Region of the multi-region primary key.',
    allowed: 'a known AWS Region, not in any other region list',
    onChange:
      'a new, unrelated primary key (and replicas of it); the old ones stay (retained). To make another Region primary in KMS, see docs/runbooks/regional-outage.md',
  }),
  replicaRegions: regionList({
    description: 'Regions that hold a replica; each gets its own stage in the replica wave.',
    allowed: '1 or more known AWS Regions, no duplicates',
    onChange: 'adding deploys a new replica; removing stops managing it, and the replica stays (list it in retiredReplicaRegions)',
    minItems: 1,
  }),
  noReplicaRegions: regionList({
    description: 'Regions that must not be able to decrypt; the verification step proves it.',
    allowed: '1 or more known AWS Regions, none of them a primary, replica or retired Region',
    onChange: 'no',
    minItems: 1,
  }),
  retiredReplicaRegions: regionList({
    description: 'Regions removed from replicaRegions whose retained replica may still exist; synth warns, verification tolerates them.',
    allowed: '0 or more known AWS Regions, not in another region list',
    onChange: 'no',
  }),
};

/** How many environments one pipeline deploys to, at most. */
export const MAX_ENVIRONMENTS = 10;
const ENVIRONMENT_NAME_ALLOWED = '2 to 16 of a-z 0-9 -, starting with a letter, not ending with -';
/** An environment's stable name: it is part of its stack names and its pipeline stage names. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,14}[a-z0-9]$/;

const ENVIRONMENT_FIELDS = {
  name: z
    .string({ error: wrongType('a string', ENVIRONMENT_NAME_ALLOWED) })
    .regex(ENVIRONMENT_NAME, { error: 'must be 2 to 16 of a-z 0-9 -, start with a letter and not end with -' })
    .meta({
      description: 'Stable name of the environment (for example staging, production): its stack names <projectName>-<name>-primary-key and <projectName>-<name>-replica-key-<region> and its pipeline stages derive from it.',
      allowed: `${ENVIRONMENT_NAME_ALLOWED}; unique in environments`,
      onChange: 'new stacks with new keys in that account; the old stacks and keys stay (retained): never rename a deployed environment',
    }),
  account: z
    .string({ error: wrongType('a string', '12 digits') })
    .regex(ACCOUNT, { error: 'must be a 12-digit AWS account ID' })
    .meta({
      description: 'AWS account of the environment\'s key stacks; the pipeline account or another account that trusts it (npm run bootstrap).',
      allowed: '12 digits',
      onChange: 'new keys in that account; the old ones stay (retained)',
    }),
  ...REGION_FIELDS,
  retiredReplicaRegions: REGION_FIELDS.retiredReplicaRegions.default([]),
  manualApproval: z.boolean({ error: 'must be true or false' }).default(true).meta({
    description: 'Whether a person approves before the environment\'s replica wave deploys.',
    allowed: 'true or false',
    onChange: 'no',
  }),
  legacyStackNames: z.boolean({ error: 'must be true or false' }).default(false).meta({
    description:
      'The environment keeps the stack names <projectName>-primary-key and <projectName>-replica-key-<region> (and the pipeline stage names) of a configuration without environments: set it on that environment when you move to environments.',
    allowed: 'true or false; true on at most one environment',
    onChange: 'new stacks with new keys (the old ones stay, retained): set it only when moving to environments',
  }),
};

const MONITORING_FIELDS = {
  verifySchedule: z
    .string({
      error: wrongType(
        'a string',
        `rate(N minutes), rate(N hours) or rate(N days) from ${MIN_VERIFY_INTERVAL_MINUTES} minutes to ${MAX_VERIFY_INTERVAL_MINUTES / 60} hours, or "off"`,
      ),
    })
    .regex(VERIFY_SCHEDULE_FORM, { error: 'must be a rate such as "rate(1 hour)" or "rate(30 minutes)", or "off"' })
    .check(verifyIntervalInRange)
    .default(DEFAULT_VERIFY_SCHEDULE)
    .meta({
      description: 'How often the verification program runs outside the pipeline, as an EventBridge Scheduler rate; "off" turns it off.',
      allowed: `rate(N minutes), rate(N hours) or rate(N days) from ${MIN_VERIFY_INTERVAL_MINUTES} minutes to ${MAX_VERIFY_INTERVAL_MINUTES / 60} hours, or "off"`,
      onChange: 'no',
    }),
  alertEmails: list(z.string({ error: 'must be a string' }).regex(EMAIL, { error: 'must be an e-mail address such as ops@example.com' }), {
    description: 'E-mail addresses subscribed to the alerts topic; each must confirm the subscription.',
    allowed: `up to ${MAX_ALERT_EMAILS} e-mail addresses`,
    onChange: 'no',
    maxItems: MAX_ALERT_EMAILS,
  }).default([]),
};

/** An object of known fields only. */
function section<Shape extends z.core.$ZodLooseShape>(shape: Shape, description: string) {
  return z.strictObject(shape, { error: objectError('must be an object', Object.keys(shape)) }).meta({ description });
}

const CONFIG_FIELDS = {
  projectName: z
    .string({ error: wrongType('a string', '2 to 24 of a-z 0-9 -, starting with a letter, not ending with -') })
    // Names that CloudFormation and CDK generate keep the first 25 characters of a stack name; the execution policy matches them by `<projectName>-`.
    .regex(/^[a-z][a-z0-9-]{0,22}[a-z0-9]$/, { error: 'must be 2 to 24 of a-z 0-9 -, start with a letter and not end with -' })
    .meta({
      description: 'Prefix of every stack name, of the SSM parameter path and of the bootstrap qualifier.',
      allowed: '2 to 24 of a-z 0-9 -, starting with a letter, not ending with -',
      onChange:
        'new stacks with new keys, and the old stacks and keys stay (retained); the old stacks keep their aliases, so change key.alias too or delete the old stacks first',
    }),
  pipeline: section(PIPELINE_FIELDS, 'Where the pipeline runs.'),
  source: section(SOURCE_FIELDS, 'The repository whose pushes start the pipeline.'),
  primaryRegion: REGION_FIELDS.primaryRegion.optional(),
  replicaRegions: REGION_FIELDS.replicaRegions.optional(),
  noReplicaRegions: REGION_FIELDS.noReplicaRegions.optional(),
  retiredReplicaRegions: REGION_FIELDS.retiredReplicaRegions.optional(),
  environments: z
    .array(section(ENVIRONMENT_FIELDS, 'One environment: an account and its Regions, where every key is deployed, verified and protected.'), {
      error: wrongType('a list', `1 to ${MAX_ENVIRONMENTS} environments`),
    })
    .min(1, { error: `must list at least 1 environment (1 to ${MAX_ENVIRONMENTS} environments)` })
    .max(MAX_ENVIRONMENTS, { error: `must list at most ${MAX_ENVIRONMENTS} environments (1 to ${MAX_ENVIRONMENTS} environments)` })
    .optional()
    .meta({
      description:
        'Accounts and Regions that every key is deployed to, in this order (for example staging, then production); each environment is deployed, verified and protected before the next starts. Without it, primaryRegion, replicaRegions and noReplicaRegions name one environment in the pipeline account.',
      allowed: `1 to ${MAX_ENVIRONMENTS} environments, names unique; environments in one account use different Regions`,
      onChange:
        'adding deploys every key to the new environment; removing stops managing its stacks, and its keys stay (retained); renaming one is removing it and adding another',
    }),
  key: section(KEY_FIELDS, 'Settings of the one key of a single-key configuration (its primary and every replica); give key or keys.').optional(),
  keys: z
    .array(section(NAMED_KEY_FIELDS, 'One key of the list: its stable name, and the settings of its primary and every replica.'), {
      error: wrongType('a list', `1 to ${MAX_KEYS} keys`),
    })
    .min(1, { error: `must list at least 1 key (1 to ${MAX_KEYS} keys)` })
    .max(MAX_KEYS, { error: `must list at most ${MAX_KEYS} keys (1 to ${MAX_KEYS} keys)` })
    .optional()
    .meta({
      description: 'Several keys in the same account and Regions, deployed by one pipeline, each with a stable name; give key or keys.',
      allowed: `1 to ${MAX_KEYS} keys, names and aliases unique`,
      onChange:
        'adding deploys a new key in the primary and every replica stack; removing stops managing it: the key stays (retained), its aliases and SSM parameter are deleted (list its name in retiredKeys)',
    }),
  retiredKeys: list(keyName, {
    description: 'Names of keys removed from keys whose retained key still exists; synth warns, the verification leaves them out.',
    allowed: '0 or more key names, none of them in keys',
    onChange: 'no',
  }).default([]),
  // Every field of monitoring has a default, so the section may be left out; `prefault` parses {} in its place.
  monitoring: section(MONITORING_FIELDS, 'Continuous proof between pushes: the scheduled verification and the alerts on the key.').prefault({}),
};

/** SSM parameter names may be at most 15 levels deep. */
const SSM_MAX_HIERARCHY_LEVELS = 15;

type CheckedConfig = z.output<z.ZodObject<typeof CONFIG_FIELDS>>;

/** The Regions of one environment, where they are: the top level of a configuration without environments, or an entry. */
interface ConfiguredEnvironment {
  readonly path: readonly (string | number)[];
  readonly primaryRegion: string;
  readonly replicaRegions: readonly string[];
  readonly noReplicaRegions: readonly string[];
  readonly retiredReplicaRegions: readonly string[];
}

/** Every environment of the configuration with its place; only once environmentShape has passed. */
function configuredEnvironments(config: CheckedConfig): ConfiguredEnvironment[] {
  if (config.environments !== undefined) return config.environments.map((environment, i) => ({ ...environment, path: ['environments', i] }));
  return [
    {
      path: [],
      primaryRegion: config.primaryRegion!,
      replicaRegions: config.replicaRegions!,
      noReplicaRegions: config.noReplicaRegions!,
      retiredReplicaRegions: config.retiredReplicaRegions ?? [],
    },
  ];
}

/** The fields that name the one environment of a configuration without environments. */
const TOP_LEVEL_ENVIRONMENT_FIELDS = ['primaryRegion', 'replicaRegions', 'noReplicaRegions', 'retiredReplicaRegions'] as const;
/** Of those, the ones without a default. */
const REQUIRED_WITHOUT_ENVIRONMENTS = ['primaryRegion', 'replicaRegions', 'noReplicaRegions'] as const;

/** Either environments, or the Regions of the one environment at the top level: not both, not neither. */
function environmentShape(payload: z.core.ParsePayload<CheckedConfig>): void {
  const config = payload.value;
  if (config.environments !== undefined) {
    const misplaced = TOP_LEVEL_ENVIRONMENT_FIELDS.find((field) => config[field] !== undefined);
    if (misplaced !== undefined) {
      payload.issues.push({
        code: 'custom',
        path: [misplaced],
        message: `must not be given with environments: each environment names its own (${fieldPath(['environments', 0, misplaced])})`,
        input: config[misplaced],
      });
    } else if (config.pipeline.manualApproval !== undefined) {
      payload.issues.push({
        code: 'custom',
        path: ['pipeline', 'manualApproval'],
        message: `must not be given with environments: each environment's manualApproval gates its own replica wave (${fieldPath(['environments', 0, 'manualApproval'])})`,
        input: config.pipeline.manualApproval,
      });
    }
    return;
  }
  const missing = REQUIRED_WITHOUT_ENVIRONMENTS.find((field) => config[field] === undefined);
  if (missing !== undefined) {
    const allowed = REGION_FIELDS[missing].meta()?.allowed as string;
    payload.issues.push({ code: 'custom', path: [missing], message: `is required without environments: ${allowed}`, input: undefined });
  }
}

/** Region lists must not overlap: each Region has exactly one role in its environment. */
function regionRoleClash(payload: z.core.ParsePayload<CheckedConfig>): void {
  for (const environment of configuredEnvironments(payload.value)) {
    const roles: Array<[string, readonly string[]]> = [
      ['primaryRegion', [environment.primaryRegion]],
      ['replicaRegions', environment.replicaRegions],
      ['retiredReplicaRegions', environment.retiredReplicaRegions],
      ['noReplicaRegions', environment.noReplicaRegions],
    ];
    for (const [i, [earlierName, earlierRegions]] of roles.entries()) {
      for (const [laterName, laterRegions] of roles.slice(i + 1)) {
        const clash = laterRegions.find((r) => earlierRegions.includes(r));
        if (clash !== undefined) {
          payload.issues.push({
            code: 'custom',
            path: [...environment.path, laterName],
            message: `must not contain ${show(clash)}, which is already in ${fieldPath([...environment.path, earlierName])}: a Region has one role`,
            input: laterRegions,
          });
          return;
        }
      }
    }
  }
}

/**
 * An environment's name identifies it, at most one keeps the stack names of a configuration without environments,
 * and two environments never deploy key stacks into the same account and Region (same stack names, same aliases).
 */
function environmentIdentities(payload: z.core.ParsePayload<CheckedConfig>): void {
  const { environments } = payload.value;
  if (environments === undefined) return;
  const problem = (path: (string | number)[], message: string, input: unknown): void => {
    payload.issues.push({ code: 'custom', path, message, input });
  };
  for (const [i, environment] of environments.entries()) {
    const earlier = environments.slice(0, i);
    const sameName = earlier.findIndex((other) => other.name === environment.name);
    if (sameName !== -1) {
      return problem(['environments', i, 'name'], `is also the name of ${fieldPath(['environments', sameName])}: a name identifies one environment`, environment.name);
    }
    const legacy = earlier.findIndex((other) => other.legacyStackNames);
    if (environment.legacyStackNames && legacy !== -1) {
      return problem(
        ['environments', i, 'legacyStackNames'],
        `must not be true on a second environment: ${fieldPath(['environments', legacy])} already keeps the stack names of a configuration without environments`,
        environment.legacyStackNames,
      );
    }
    const deployed = (e: Omit<ConfiguredEnvironment, 'path'>) => [e.primaryRegion, ...e.replicaRegions, ...e.retiredReplicaRegions];
    for (const [j, other] of earlier.entries()) {
      if (other.account !== environment.account) continue;
      const shared = deployed(environment).find((region) => deployed(other).includes(region));
      if (shared !== undefined) {
        return problem(
          ['environments', i, 'account'],
          `is also the account of ${fieldPath(['environments', j])}, and both deploy keys in ${shared}: environments in one account must use different Regions (their stacks and aliases would clash)`,
          environment.account,
        );
      }
    }
  }
}

/** A key of the configuration, where it is: `key`, or an entry of `keys`. */
interface ConfiguredKey {
  readonly path: readonly (string | number)[];
  readonly key: z.output<z.ZodObject<typeof KEY_FIELDS>>;
  /** The name of an entry of `keys`; undefined for `key`. */
  readonly name?: string;
  /** Whether the key keeps the single-key construct IDs and parameter name: always for `key`. */
  readonly legacyConstructIds: boolean;
}

/** Every key of the configuration with its place; `key` wins when both are given (keyShape reports that). */
function configuredKeys(config: CheckedConfig): ConfiguredKey[] {
  if (config.key !== undefined) return [{ path: ['key'], key: config.key, legacyConstructIds: true }];
  return (config.keys ?? []).map((key, i) => ({ path: ['keys', i], key, name: key.name, legacyConstructIds: key.legacyConstructIds }));
}

/** Exactly one of `key` and `keys`. */
function keyShape(payload: z.core.ParsePayload<CheckedConfig>): void {
  const { key, keys } = payload.value;
  if ((key === undefined) === (keys === undefined)) {
    const both = key !== undefined;
    payload.issues.push({
      code: 'custom',
      path: [],
      message: `must have ${both ? 'only one of key and keys' : 'key or keys'}: key holds one key, keys a list of 1 to ${MAX_KEYS} keys`,
      input: payload.value,
      params: { got: both ? 'both' : 'neither' },
    });
  }
}

/** A name identifies one key, an alias names one key, one key at most keeps the single-key IDs, and a key is deployed or retired. */
function keyIdentities(payload: z.core.ParsePayload<CheckedConfig>): void {
  const { keys } = payload.value;
  // A configuration of one key (`key`) has no names to compare: nothing can clash.
  if (keys === undefined) return;
  const problem = (path: (string | number)[], message: string, input: unknown): void => {
    payload.issues.push({ code: 'custom', path, message, input });
  };
  for (const [i, key] of keys.entries()) {
    const earlier = keys.slice(0, i);
    const sameName = earlier.findIndex((other) => other.name === key.name);
    if (sameName !== -1) return problem(['keys', i, 'name'], `is also the name of ${fieldPath(['keys', sameName])}: a name identifies one key`, key.name);
    const sameAlias = earlier.findIndex((other) => other.alias === key.alias);
    if (sameAlias !== -1) {
      return problem(['keys', i, 'alias'], `is also the alias of ${fieldPath(['keys', sameAlias])}: an alias names one key in every Region`, key.alias);
    }
    const legacy = earlier.findIndex((other) => other.legacyConstructIds);
    if (key.legacyConstructIds && legacy !== -1) {
      return problem(
        ['keys', i, 'legacyConstructIds'],
        `must not be true on a second key: ${fieldPath(['keys', legacy])} already keeps the single-key construct IDs`,
        key.legacyConstructIds,
      );
    }
  }
  const { retiredKeys } = payload.value;
  for (const name of retiredKeys) {
    const deployed = keys.findIndex((key) => key.name === name);
    if (deployed !== -1) {
      return problem(
        ['retiredKeys'],
        `must not contain ${show(name)}, which is the name of ${fieldPath(['keys', deployed])}: a key is deployed or retired, not both`,
        retiredKeys,
      );
    }
  }
}

/** Administrators and users are kept apart, key by key. */
function adminUserOverlap(payload: z.core.ParsePayload<CheckedConfig>): void {
  for (const { path, key } of configuredKeys(payload.value)) {
    const { adminPrincipalArns, userPrincipalArns } = key;
    const overlap = adminPrincipalArns.find((arn) => userPrincipalArns.includes(arn));
    if (overlap !== undefined) {
      payload.issues.push({
        code: 'custom',
        path: [...path, 'userPrincipalArns'],
        message: `must not repeat a principal of ${fieldPath([...path, 'adminPrincipalArns'])}: administrators and users are kept apart`,
        input: overlap,
      });
      return;
    }
  }
}

/** The SSM parameter that holds each primary key's ARN must fit SSM's hierarchy, and belong to one key. */
function keyParameters(payload: z.core.ParsePayload<CheckedConfig>): void {
  const { projectName } = payload.value;
  const taken = new Map<string, readonly (string | number)[]>();
  for (const { path, key, name, legacyConstructIds } of configuredKeys(payload.value)) {
    const parameterName = keyArnParameterName(projectName, { name: name ?? '', alias: key.alias, legacyConstructIds });
    // The parameter of the key with the single-key names derives from its alias, every other from its name.
    const [field, value] = legacyConstructIds ? ['alias', key.alias] : ['name', name];
    const levels = parameterName.split('/').length - 1;
    if (levels > SSM_MAX_HIERARCHY_LEVELS) {
      payload.issues.push({
        code: 'custom',
        path: [...path, field],
        message: `makes the SSM parameter ${parameterName} ${levels} levels deep, over SSM's ${SSM_MAX_HIERARCHY_LEVELS}: use fewer "/" in the alias`,
        input: value,
      });
      return;
    }
    const owner = taken.get(parameterName);
    if (owner !== undefined) {
      payload.issues.push({
        code: 'custom',
        path: [...path, field],
        message: `makes the SSM parameter ${parameterName}, which ${fieldPath(owner)} already uses: rename one of the two keys`,
        input: value,
      });
      return;
    }
    taken.set(parameterName, path);
  }
}

/** Lets a configuration file name its JSON Schema for editors; the app ignores it. */
const EDITOR_SCHEMA = z
  .string({ error: wrongType('a string', 'a path or URL of the JSON Schema') })
  .optional()
  .meta({
    description: 'The JSON Schema of this file, for editors; the app ignores it.',
    allowed: 'a path or URL of the JSON Schema',
    onChange: 'no',
  });

/**
 * The whole configuration. The cross-field rules run only once every field is valid, in this order, and each
 * stops at its first problem: validate-config.ts reports the first problem of all.
 */
export const CONFIG_SCHEMA = z
  .strictObject({ $schema: EDITOR_SCHEMA, ...CONFIG_FIELDS }, { error: objectError('must be a JSON object', Object.keys(CONFIG_FIELDS)) })
  .check(keyShape, environmentShape, regionRoleClash, environmentIdentities, keyIdentities, adminUserOverlap, keyParameters)
  .meta({
    title: 'KMS multi-region pipeline configuration',
    description: 'The configuration of the kms-multi-region-pipeline app.',
    allOf: [
      // What keyShape checks, for editors: exactly one of key and keys.
      { oneOf: [{ required: ['key'] }, { required: ['keys'] }] },
      // What environmentShape checks: environments, or the Regions of the one environment at the top level.
      {
        oneOf: [
          {
            required: ['environments'],
            not: { anyOf: TOP_LEVEL_ENVIRONMENT_FIELDS.map((field) => ({ required: [field] })) },
            properties: { pipeline: { type: 'object', not: { required: ['manualApproval'] } } },
          },
          { required: [...REQUIRED_WITHOUT_ENVIRONMENTS], not: { required: ['environments'] } },
        ],
      },
    ],
  });
