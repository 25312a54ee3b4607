import { exampleRawConfig, moveToEnvironments, moveToKeys } from '../helpers/config';

/*
 * Bad configurations, one per row, with the exact message each one gets: the specification of the validator's
 * messages. bad-config.test.ts checks the messages; json-schema.test.ts checks that the JSON Schema rejects them too.
 */

/** A change to a fresh copy of the example config, or a whole config to use instead. */
export type BadInput = ((raw: Record<string, any>) => unknown) | { readonly whole: unknown };

const KNOWN_REGION = 'is not a known commercial AWS Region with KMS multi-region keys (for example us-east-1, eu-west-1)';
const PRINCIPAL = 'must be an IAM role, user or account root ARN';
const KNOWN_FIELDS =
  'projectName, pipeline, source, primaryRegion, replicaRegions, noReplicaRegions, retiredReplicaRegions, environments, key, keys, retiredKeys, monitoring';
const KEY_NAME_RULE = 'must be 2 to 32 of a-z 0-9 -, start with a letter and not end with -';

const toKeys = moveToKeys;

const ENV_NAME_RULE = 'must be 2 to 16 of a-z 0-9 -, start with a letter and not end with -';
const STAGING = { name: 'staging', account: '222222222222', primaryRegion: 'us-east-1', replicaRegions: ['eu-west-1'], noReplicaRegions: ['ca-central-1'] };
const PRODUCTION = { ...STAGING, name: 'production', account: '333333333333' };
const ENVIRONMENT_FIELDS = 'name, account, primaryRegion, replicaRegions, noReplicaRegions, retiredReplicaRegions, manualApproval, legacyStackNames';

/**
 * Moves the example to the shape with environments, as the README's migration does: the top-level Regions and
 * pipeline.manualApproval leave, and `environments` lists staging and production (changed by `change`). Returns the list.
 */
function toEnvironments(raw: Record<string, any>, change: (environments: Array<Record<string, any>>) => void = () => undefined): Array<Record<string, any>> {
  const environments = moveToEnvironments(raw, [{ ...STAGING }, { ...PRODUCTION }]);
  change(environments);
  return environments;
}

const LOGS = { name: 'logs', alias: 'alias/logs' };
const TWENTY_SIX_KEYS = Array.from({ length: 26 }, (_, i) => ({ name: `key-${i}`, alias: `alias/key-${i}` }));

/** One bad configuration per row, and the exact message, which names the field and the value received. */
export const BAD_CONFIGS: Array<[string, BadInput, string]> = [
  ['a malformed Region', (r) => (r.primaryRegion = 'US_EAST_1'), `config.primaryRegion ${KNOWN_REGION}, got "US_EAST_1"`],
  ['an unknown Region', (r) => (r.replicaRegions = ['eu-west-9']), `config.replicaRegions[0] ${KNOWN_REGION}, got "eu-west-9"`],
  ['a pipeline Region without its number', (r) => (r.pipeline.region = 'us-east'), `config.pipeline.region ${KNOWN_REGION}, got "us-east"`],
  [
    'a duplicate replica Region',
    (r) => (r.replicaRegions = ['eu-west-1', 'eu-west-1']),
    'config.replicaRegions lists "eu-west-1" more than once, got ["eu-west-1","eu-west-1"]',
  ],
  [
    'the primary Region listed as a replica',
    (r) => (r.replicaRegions = ['eu-west-1', 'us-east-1']),
    'config.replicaRegions must not contain "us-east-1", which is already in config.primaryRegion: a Region has one role, got ["eu-west-1","us-east-1"]',
  ],
  [
    'a no-replica Region that is also a replica',
    (r) => (r.noReplicaRegions = ['eu-west-1']),
    'config.noReplicaRegions must not contain "eu-west-1", which is already in config.replicaRegions: a Region has one role, got ["eu-west-1"]',
  ],
  [
    'the primary Region listed as a no-replica Region',
    (r) => (r.noReplicaRegions = ['us-east-1']),
    'config.noReplicaRegions must not contain "us-east-1", which is already in config.primaryRegion: a Region has one role, got ["us-east-1"]',
  ],
  [
    'a retired Region that is also a replica',
    (r) => (r.retiredReplicaRegions = ['eu-west-1']),
    'config.retiredReplicaRegions must not contain "eu-west-1", which is already in config.replicaRegions: a Region has one role, got ["eu-west-1"]',
  ],
  [
    'an account of 11 digits',
    (r) => (r.pipeline.account = '11111111111'),
    'config.pipeline.account must be a 12-digit AWS account ID, got "11111111111"',
  ],
  [
    'an account given as a number',
    (r) => (r.pipeline.account = 111111111111),
    'config.pipeline.account must be a string (12 digits), got 111111111111',
  ],
  ['an alias without the alias/ prefix', (r) => (r.key.alias = 'app-data'), 'config.key.alias must start with "alias/", got "app-data"'],
  [
    'an alias under alias/aws/',
    (r) => (r.key.alias = 'alias/aws/app-data'),
    'config.key.alias must not be under "alias/aws/", which is reserved for AWS managed keys, got "alias/aws/app-data"',
  ],
  [
    'an alias with so many "/" that the SSM parameter would be over 15 levels deep',
    (r) => (r.key.alias = 'alias/a/b/c/d/e/f/g/h/i/j/k/l/m/n'),
    'config.key.alias makes the SSM parameter /kms-mrk/a/b/c/d/e/f/g/h/i/j/k/l/m/n/primary-key-arn 16 levels deep, over SSM\'s 15: use fewer "/" in the alias, got "alias/a/b/c/d/e/f/g/h/i/j/k/l/m/n"',
  ],
  [
    'an alias with a space and a !',
    (r) => (r.key.alias = 'alias/app data!'),
    'config.key.alias must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -, got "alias/app data!"',
  ],
  [
    'a missing alias',
    (r) => delete r.key.alias,
    'config.key.alias is required: alias/ followed by 1 to 250 of A-Z a-z 0-9 / _ -, not under alias/aws/, got nothing',
  ],
  [
    'a pending window of 6 days',
    (r) => (r.key.pendingWindowDays = 6),
    'config.key.pendingWindowDays must be an integer from 7 to 30, got 6',
  ],
  [
    'a pending window of 31 days',
    (r) => (r.key.pendingWindowDays = 31),
    'config.key.pendingWindowDays must be an integer from 7 to 30, got 31',
  ],
  [
    'a pending window of 7.5 days',
    (r) => (r.key.pendingWindowDays = 7.5),
    'config.key.pendingWindowDays must be an integer from 7 to 30, got 7.5',
  ],
  [
    'a pending window given as a string',
    (r) => (r.key.pendingWindowDays = '30'),
    'config.key.pendingWindowDays must be an integer from 7 to 30, got "30"',
  ],
  [
    'a rotation period of 89 days',
    (r) => (r.key.rotationPeriodDays = 89),
    'config.key.rotationPeriodDays must be an integer from 90 to 2560, got 89',
  ],
  [
    'a rotation period of 2561 days',
    (r) => (r.key.rotationPeriodDays = 2561),
    'config.key.rotationPeriodDays must be an integer from 90 to 2560, got 2561',
  ],
  [
    'a connection ARN without a UUID',
    (r) => (r.source.connectionArn = 'arn:aws:codeconnections:us-east-1:111111111111:connection/not-a-uuid'),
    'config.source.connectionArn must be a connection ARN such as arn:aws:codeconnections:us-east-1:123456789012:connection/UUID, ' +
      'got "arn:aws:codeconnections:us-east-1:111111111111:connection/not-a-uuid"',
  ],
  [
    'a connection ARN in an unknown Region',
    (r) => (r.source.connectionArn = 'arn:aws:codeconnections:xx-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000'),
    'config.source.connectionArn names Region "xx-east-1", which is not a known AWS Region, ' +
      'got "arn:aws:codeconnections:xx-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000"',
  ],
  [
    'a repository without its owner',
    (r) => (r.source.repository = 'kms-multi-region-pipeline'),
    'config.source.repository must be "owner/repo", got "kms-multi-region-pipeline"',
  ],
  [
    'a branch name with ..',
    (r) => (r.source.branch = 'feature..x'),
    'config.source.branch must be a valid git branch name, got "feature..x"',
  ],
  [
    'a project name in capitals',
    (r) => (r.projectName = 'KMS_MRK'),
    'config.projectName must be 2 to 24 of a-z 0-9 -, start with a letter and not end with -, got "KMS_MRK"',
  ],
  [
    'a project name longer than the 24 characters that generated names keep',
    (r) => (r.projectName = 'payments-platform-keys-prod'),
    'config.projectName must be 2 to 24 of a-z 0-9 -, start with a letter and not end with -, got "payments-platform-keys-prod"',
  ],
  [
    'an unknown top-level field',
    (r) => (r.replicas = ['eu-west-1']),
    `config.replicas is not a known field (known fields of config: ${KNOWN_FIELDS}), got ["eu-west-1"]`,
  ],
  [
    'an unknown field of key',
    (r) => (r.key.rotation = true),
    'config.key.rotation is not a known field (known fields of config.key: alias, description, enableKeyRotation, rotationPeriodDays, ' +
      'pendingWindowDays, tags, adminPrincipalArns, userPrincipalArns), got true',
  ],
  [
    'a cron expression for the verification schedule',
    (r) => (r.monitoring = { verifySchedule: 'cron(0 * * * ? *)' }),
    'config.monitoring.verifySchedule must be a rate such as "rate(1 hour)" or "rate(30 minutes)", or "off", got "cron(0 * * * ? *)"',
  ],
  [
    'a plural unit for one hour',
    (r) => (r.monitoring = { verifySchedule: 'rate(1 hours)' }),
    'config.monitoring.verifySchedule must be a rate such as "rate(1 hour)" or "rate(30 minutes)", or "off", got "rate(1 hours)"',
  ],
  [
    'a verification every minute',
    (r) => (r.monitoring = { verifySchedule: 'rate(2 minutes)' }),
    'config.monitoring.verifySchedule must be from 5 minutes to 12 hours (two periods of its alarm fit in CloudWatch\'s one-day evaluation range), got "rate(2 minutes)"',
  ],
  [
    'a daily verification',
    (r) => (r.monitoring = { verifySchedule: 'rate(1 day)' }),
    'config.monitoring.verifySchedule must be from 5 minutes to 12 hours (two periods of its alarm fit in CloudWatch\'s one-day evaluation range), got "rate(1 day)"',
  ],
  [
    'false to turn the verification off',
    (r) => (r.monitoring = { verifySchedule: false }),
    'config.monitoring.verifySchedule must be a string (rate(N minutes), rate(N hours) or rate(N days) from 5 minutes to 12 hours, or "off"), got false',
  ],
  [
    'an alert address without a domain',
    (r) => (r.monitoring = { alertEmails: ['ops'] }),
    'config.monitoring.alertEmails[0] must be an e-mail address such as ops@example.com, got "ops"',
  ],
  [
    'eleven alert addresses',
    (r) => (r.monitoring = { alertEmails: Array.from({ length: 11 }, (_, i) => `ops${i}@example.com`) }),
    'config.monitoring.alertEmails must list at most 10 (up to 10 e-mail addresses), got ["ops0@example.com","ops1@example.com","ops2@example.com","ops3@example.com","ops4@example.com","ops5@example.com","o...',
  ],
  [
    'an unknown field of monitoring',
    (r) => (r.monitoring = { schedule: 'rate(1 hour)' }),
    'config.monitoring.schedule is not a known field (known fields of config.monitoring: verifySchedule, alertEmails), got "rate(1 hour)"',
  ],
  ['a string for a boolean', (r) => (r.key.enableKeyRotation = 'true'), 'config.key.enableKeyRotation must be true or false, got "true"'],
  [
    '"yes" for the approval switch',
    (r) => (r.pipeline.manualApproval = 'yes'),
    'config.pipeline.manualApproval must be true or false, got "yes"',
  ],
  [
    'an object for a list',
    (r) => (r.replicaRegions = { 'eu-west-1': true }),
    'config.replicaRegions must be a list (1 or more known AWS Regions, no duplicates), got {"eu-west-1":true}',
  ],
  ['a number in a Region list', (r) => (r.replicaRegions = [42]), 'config.replicaRegions[0] must be a string, got 42'],
  ['a string for an object', (r) => (r.pipeline = 'us-east-1'), 'config.pipeline must be an object, got "us-east-1"'],
  ['null for an object', (r) => (r.key = null), 'config.key must be an object, got null'],
  ['a list for an object', (r) => (r.source = []), 'config.source must be an object, got []'],
  [
    'an empty replica list',
    (r) => (r.replicaRegions = []),
    'config.replicaRegions must list at least 1 (1 or more known AWS Regions, no duplicates), got []',
  ],
  [
    'an empty no-replica list',
    (r) => (r.noReplicaRegions = []),
    'config.noReplicaRegions must list at least 1 (1 or more known AWS Regions, none of them a primary, replica or retired Region), got []',
  ],
  [
    'a tag key starting with aws:',
    (r) => (r.key.tags = { 'aws:cloudformation:stack-name': 'x' }),
    'config.key.tags key must not start with "aws:", which is reserved, got "aws:cloudformation:stack-name"',
  ],
  [
    "the project tag's key, which the project sets itself",
    (r) => (r.key.tags = { 'kms-multi-region-pipeline:project': 'another-project' }),
    'config.key.tags key must not be kms-multi-region-pipeline:project, which the project sets to projectName on every key ' +
      '(the deploy role manages only keys with it), got "kms-multi-region-pipeline:project"',
  ],
  [
    'an unknown field whose name holds a newline',
    (r) => (r['bad\nname'] = 1),
    `config["bad\\nname"] is not a known field (known fields of config: ${KNOWN_FIELDS}), got 1`,
  ],
  [
    '51 tags',
    (r) => (r.key.tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tag-${i}`, 'v']))),
    'config.key.tags must have at most 50 entries, got 51',
  ],
  ['a tag value that is a number', (r) => (r.key.tags = { project: 42 }), 'config.key.tags.project must be a string, got 42'],
  [
    'a tag value over 256 characters',
    (r) => (r.key.tags = { 'cost center': 'v'.repeat(257) }),
    `config.key.tags["cost center"] must be at most 256 characters, got "${'v'.repeat(116)}...`,
  ],
  [
    'tags given as a list',
    (r) => (r.key.tags = [{ Key: 'project', Value: 'kms-mrk' }]),
    'config.key.tags must be an object of strings (up to 50; keys 1 to 128 characters not starting with aws: ' +
      'and other than kms-multi-region-pipeline:project, values up to 256 characters), got [{"Key":"project","Value":"kms-mrk"}]',
  ],
  [
    'a description over 8192 characters',
    (r) => (r.key.description = 'x'.repeat(8193)),
    `config.key.description must be at most 8192 characters, got "${'x'.repeat(116)}...`,
  ],
  [
    'an IAM group as administrator',
    (r) => (r.key.adminPrincipalArns = ['arn:aws:iam::111111111111:group/admins']),
    `config.key.adminPrincipalArns[0] ${PRINCIPAL}, got "arn:aws:iam::111111111111:group/admins"`,
  ],
  [
    'a role name instead of a user ARN',
    (r) => (r.key.userPrincipalArns = ['app-role']),
    `config.key.userPrincipalArns[0] ${PRINCIPAL}, got "app-role"`,
  ],
  [
    'the same principal as administrator and user',
    (r) => {
      r.key.adminPrincipalArns = ['arn:aws:iam::111111111111:role/ops'];
      r.key.userPrincipalArns = ['arn:aws:iam::111111111111:role/ops'];
    },
    'config.key.userPrincipalArns must not repeat a principal of config.key.adminPrincipalArns: administrators and users are kept apart, ' +
      'got "arn:aws:iam::111111111111:role/ops"',
  ],
  [
    'both key and keys',
    (r) => (r.keys = [LOGS]),
    'config must have only one of key and keys: key holds one key, keys a list of 1 to 25 keys, got both',
  ],
  ['neither key nor keys', (r) => delete r.key, 'config must have key or keys: key holds one key, keys a list of 1 to 25 keys, got neither'],
  ['an empty key list', (r) => (toKeys(r).length = 0), 'config.keys must list at least 1 key (1 to 25 keys), got []'],
  [
    '26 keys',
    (r) => {
      delete r.key;
      r.keys = TWENTY_SIX_KEYS;
    },
    `config.keys must list at most 25 keys (1 to 25 keys), got ${JSON.stringify(TWENTY_SIX_KEYS).slice(0, 117)}...`,
  ],
  [
    'keys given as an object of keys',
    (r) => {
      delete r.key;
      r.keys = { logs: { alias: 'alias/logs' } };
    },
    'config.keys must be a list (1 to 25 keys), got {"logs":{"alias":"alias/logs"}}',
  ],
  ['a key name in capitals', (r) => toKeys(r, { ...LOGS, name: 'Logs' }), `config.keys[1].name ${KEY_NAME_RULE}, got "Logs"`],
  [
    'a key name of 33 characters',
    (r) => toKeys(r, { ...LOGS, name: `logs-${'x'.repeat(28)}` }),
    `config.keys[1].name ${KEY_NAME_RULE}, got "logs-${'x'.repeat(28)}"`,
  ],
  [
    'a key without a name',
    (r) => toKeys(r, { alias: 'alias/logs' }),
    'config.keys[1].name is required: 2 to 32 of a-z 0-9 -, starting with a letter, not ending with -, got nothing',
  ],
  [
    'two keys with the same name',
    (r) => toKeys(r, { ...LOGS, name: 'app-data' }),
    'config.keys[1].name is also the name of config.keys[0]: a name identifies one key, got "app-data"',
  ],
  [
    'two keys with the same alias',
    (r) => toKeys(r, { ...LOGS, alias: 'alias/app-data' }),
    'config.keys[1].alias is also the alias of config.keys[0]: an alias names one key in every Region, got "alias/app-data"',
  ],
  [
    'two keys that keep the single-key construct IDs',
    (r) => toKeys(r, { ...LOGS, legacyConstructIds: true }),
    'config.keys[1].legacyConstructIds must not be true on a second key: config.keys[0] already keeps the single-key construct IDs, got true',
  ],
  [
    'legacyConstructIds given as a string',
    (r) => toKeys(r, { ...LOGS, legacyConstructIds: 'yes' }),
    'config.keys[1].legacyConstructIds must be true or false, got "yes"',
  ],
  [
    'an unknown field of a key in keys',
    (r) => toKeys(r, { ...LOGS, legacy: true }),
    'config.keys[1].legacy is not a known field (known fields of config.keys[1]: name, legacyConstructIds, alias, description, ' +
      'enableKeyRotation, rotationPeriodDays, pendingWindowDays, tags, adminPrincipalArns, userPrincipalArns), got true',
  ],
  [
    'a pending window of 3 days on the second key',
    (r) => toKeys(r, { ...LOGS, pendingWindowDays: 3 }),
    'config.keys[1].pendingWindowDays must be an integer from 7 to 30, got 3',
  ],
  [
    'a retired key that is still in keys',
    (r) => {
      toKeys(r, LOGS);
      r.retiredKeys = ['logs'];
    },
    'config.retiredKeys must not contain "logs", which is the name of config.keys[1]: a key is deployed or retired, not both, got ["logs"]',
  ],
  [
    'a retired key named with a space',
    (r) => {
      toKeys(r, LOGS);
      r.retiredKeys = ['old logs'];
    },
    `config.retiredKeys[0] ${KEY_NAME_RULE}, got "old logs"`,
  ],
  [
    'a retired key listed twice',
    (r) => {
      toKeys(r, LOGS);
      r.retiredKeys = ['old-logs', 'old-logs'];
    },
    'config.retiredKeys lists "old-logs" more than once, got ["old-logs","old-logs"]',
  ],
  [
    'the same principal as administrator and user of the second key',
    (r) => toKeys(r, { ...LOGS, adminPrincipalArns: ['arn:aws:iam::111111111111:role/ops'], userPrincipalArns: ['arn:aws:iam::111111111111:role/ops'] }),
    'config.keys[1].userPrincipalArns must not repeat a principal of config.keys[1].adminPrincipalArns: administrators and users are kept apart, ' +
      'got "arn:aws:iam::111111111111:role/ops"',
  ],
  [
    'a key that keeps the single-key names with an alias that makes its SSM parameter over 15 levels deep',
    (r) => (toKeys(r, LOGS)[0].alias = 'alias/a/b/c/d/e/f/g/h/i/j/k/l/m/n'),
    'config.keys[0].alias makes the SSM parameter /kms-mrk/a/b/c/d/e/f/g/h/i/j/k/l/m/n/primary-key-arn 16 levels deep, over SSM\'s 15: use fewer "/" in the alias, got "alias/a/b/c/d/e/f/g/h/i/j/k/l/m/n"',
  ],
  [
    'a key whose name gives the SSM parameter that another key has from its alias',
    (r) => (toKeys(r, { name: 'logs', alias: 'alias/logs-v2' })[0].alias = 'alias/logs'),
    'config.keys[1].name makes the SSM parameter /kms-mrk/logs/primary-key-arn, which config.keys[0] already uses: rename one of the two keys, got "logs"',
  ],
  [
    'environments beside a top-level primaryRegion',
    (r) => {
      toEnvironments(r);
      r.primaryRegion = 'us-east-1';
    },
    'config.primaryRegion must not be given with environments: each environment names its own (config.environments[0].primaryRegion), got "us-east-1"',
  ],
  [
    'environments beside top-level retiredReplicaRegions',
    (r) => {
      toEnvironments(r);
      r.retiredReplicaRegions = [];
    },
    'config.retiredReplicaRegions must not be given with environments: each environment names its own (config.environments[0].retiredReplicaRegions), got []',
  ],
  [
    'environments beside pipeline.manualApproval',
    (r) => {
      toEnvironments(r);
      r.pipeline.manualApproval = false;
    },
    "config.pipeline.manualApproval must not be given with environments: each environment's manualApproval gates its own replica wave (config.environments[0].manualApproval), got false",
  ],
  [
    'neither environments nor a primaryRegion',
    (r) => delete r.primaryRegion,
    'config.primaryRegion is required without environments: a known AWS Region, not in any other region list, got nothing',
  ],
  ['an empty list of environments', (r) => toEnvironments(r, (e) => e.splice(0)), 'config.environments must list at least 1 environment (1 to 10 environments), got []'],
  [
    'eleven environments',
    (r) =>
      toEnvironments(r, (e) =>
        e.splice(0, 2, ...Array.from({ length: 11 }, (_, i) => ({ ...STAGING, name: `env-${i}`, account: String(100000000000 + i) }))),
      ),
    'config.environments must list at most 10 environments (1 to 10 environments), got [{"name":"env-0","account":"100000000000","primaryRegion":"us-east-1","replicaRegions":["eu-west-1"],"noReplicaRegion...',
  ],
  ['environments as an object', (r) => (toEnvironments(r), (r.environments = STAGING)), `config.environments must be a list (1 to 10 environments), got ${JSON.stringify(STAGING).slice(0, 117)}...`],
  ['an environment that is a string', (r) => toEnvironments(r, (e) => ((e as unknown[])[1] = 'production')), 'config.environments[1] must be an object, got "production"'],
  [
    'an environment without a name',
    (r) => toEnvironments(r, (e) => delete e[1].name),
    'config.environments[1].name is required: 2 to 16 of a-z 0-9 -, starting with a letter, not ending with -, got nothing',
  ],
  ['an environment name in capitals', (r) => toEnvironments(r, (e) => (e[1].name = 'Production')), `config.environments[1].name ${ENV_NAME_RULE}, got "Production"`],
  [
    'an environment name of 17 characters',
    (r) => toEnvironments(r, (e) => (e[1].name = 'production-europe')),
    `config.environments[1].name ${ENV_NAME_RULE}, got "production-europe"`,
  ],
  ['an environment name ending with -', (r) => toEnvironments(r, (e) => (e[1].name = 'prod-')), `config.environments[1].name ${ENV_NAME_RULE}, got "prod-"`],
  [
    'two environments with the same name',
    (r) => toEnvironments(r, (e) => (e[1].name = 'staging')),
    'config.environments[1].name is also the name of config.environments[0]: a name identifies one environment, got "staging"',
  ],
  [
    'an environment account of 11 digits',
    (r) => toEnvironments(r, (e) => (e[1].account = '33333333333')),
    'config.environments[1].account must be a 12-digit AWS account ID, got "33333333333"',
  ],
  [
    'an environment account as a number',
    (r) => toEnvironments(r, (e) => (e[1].account = 333333333333)),
    'config.environments[1].account must be a string (12 digits), got 333333333333',
  ],
  [
    'an environment without an account',
    (r) => toEnvironments(r, (e) => delete e[0].account),
    'config.environments[0].account is required: 12 digits, got nothing',
  ],
  [
    'an environment in an unknown Region',
    (r) => toEnvironments(r, (e) => (e[1].primaryRegion = 'eu-north-9')),
    `config.environments[1].primaryRegion ${KNOWN_REGION}, got "eu-north-9"`,
  ],
  [
    'an environment without replica Regions',
    (r) => toEnvironments(r, (e) => (e[1].replicaRegions = [])),
    'config.environments[1].replicaRegions must list at least 1 (1 or more known AWS Regions, no duplicates), got []',
  ],
  [
    'an environment without noReplicaRegions',
    (r) => toEnvironments(r, (e) => delete e[1].noReplicaRegions),
    'config.environments[1].noReplicaRegions is required: 1 or more known AWS Regions, none of them a primary, replica or retired Region, got nothing',
  ],
  [
    "an environment's primary Region listed as its replica",
    (r) => toEnvironments(r, (e) => (e[1].replicaRegions = ['us-east-1'])),
    'config.environments[1].replicaRegions must not contain "us-east-1", which is already in config.environments[1].primaryRegion: a Region has one role, got ["us-east-1"]',
  ],
  [
    "an environment's no-replica Region that is its replica",
    (r) => toEnvironments(r, (e) => (e[0].noReplicaRegions = ['eu-west-1'])),
    'config.environments[0].noReplicaRegions must not contain "eu-west-1", which is already in config.environments[0].replicaRegions: a Region has one role, got ["eu-west-1"]',
  ],
  [
    "an environment's retired Region that is still its replica",
    (r) => toEnvironments(r, (e) => (e[1].retiredReplicaRegions = ['eu-west-1'])),
    'config.environments[1].retiredReplicaRegions must not contain "eu-west-1", which is already in config.environments[1].replicaRegions: a Region has one role, got ["eu-west-1"]',
  ],
  [
    'two environments in one account with the same primary Region',
    (r) => toEnvironments(r, (e) => (e[1].account = '222222222222')),
    'config.environments[1].account is also the account of config.environments[0], and both deploy keys in us-east-1: environments in one account must use different Regions (their stacks and aliases would clash), got "222222222222"',
  ],
  [
    "two environments in one account where one's replica Region is the other's primary",
    (r) =>
      toEnvironments(r, (e) => {
        e[1].account = '222222222222';
        e[1].primaryRegion = 'eu-west-1';
        e[1].replicaRegions = ['ap-southeast-2'];
      }),
    'config.environments[1].account is also the account of config.environments[0], and both deploy keys in eu-west-1: environments in one account must use different Regions (their stacks and aliases would clash), got "222222222222"',
  ],
  [
    "two environments in one account where one's retired Region is the other's replica Region",
    (r) =>
      toEnvironments(r, (e) => {
        e[1].account = '222222222222';
        e[1].primaryRegion = 'ap-southeast-2';
        e[1].replicaRegions = ['ap-northeast-1'];
        e[1].noReplicaRegions = ['ca-central-1'];
        e[0].retiredReplicaRegions = ['ap-northeast-1'];
      }),
    'config.environments[1].account is also the account of config.environments[0], and both deploy keys in ap-northeast-1: environments in one account must use different Regions (their stacks and aliases would clash), got "222222222222"',
  ],
  [
    'two environments that keep the names of a configuration without environments',
    (r) =>
      toEnvironments(r, (e) => {
        e[0].legacyStackNames = true;
        e[1].legacyStackNames = true;
      }),
    'config.environments[1].legacyStackNames must not be true on a second environment: config.environments[0] already keeps the stack names of a configuration without environments, got true',
  ],
  [
    'legacyStackNames given as a string',
    (r) => toEnvironments(r, (e) => (e[0].legacyStackNames = 'true')),
    'config.environments[0].legacyStackNames must be true or false, got "true"',
  ],
  [
    "an environment's manualApproval given as a string",
    (r) => toEnvironments(r, (e) => (e[1].manualApproval = 'yes')),
    'config.environments[1].manualApproval must be true or false, got "yes"',
  ],
  [
    'an unknown field of an environment',
    (r) => toEnvironments(r, (e) => (e[1].region = 'us-east-1')),
    `config.environments[1].region is not a known field (known fields of config.environments[1]: ${ENVIRONMENT_FIELDS}), got "us-east-1"`,
  ],
  ['a list instead of an object', { whole: ['kms-mrk'] }, 'config must be a JSON object, got ["kms-mrk"]'],
  ['null', { whole: null }, 'config must be a JSON object, got null'],
];

/** The raw configuration of a row: a changed copy of the example, or the whole value it gives. */
export function badInput(bad: BadInput): unknown {
  if (typeof bad !== 'function') return bad.whole;
  const raw = exampleRawConfig();
  bad(raw);
  return raw;
}
