import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { validateConfig } from '../../lib/config/validate-config';
import { JSON_SCHEMA_FILE } from '../../scripts/config-reference/json-schema';
import { EXAMPLE_CONFIG_FILE, exampleRawConfig, moveToKeys, ROOT } from '../helpers/config';
import { BAD_CONFIGS, badInput } from './bad-configs';

/*
 * The committed JSON Schema, checked by a JSON Schema evaluator of its own (ajv), not by zod: what an editor
 * tells a user must agree with what the synth tells them.
 */

// strictRequired would want the fields of the schema's `oneOf` (exactly one of key and keys) declared again inside
// each branch; they are declared once, in the object's properties, as JSON Schema allows.
const validate = new Ajv2020({ strict: true, strictRequired: false, allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, JSON_SCHEMA_FILE), 'utf8')));

/** Rows of bad-configs.ts that the JSON Schema accepts, with the reason it cannot say what the validator says. */
const NOT_IN_JSON_SCHEMA: Readonly<Record<string, string>> = {
  'the primary Region listed as a replica': 'a Region in two lists: a rule across fields',
  'a no-replica Region that is also a replica': 'a Region in two lists: a rule across fields',
  'the primary Region listed as a no-replica Region': 'a Region in two lists: a rule across fields',
  'a retired Region that is also a replica': 'a Region in two lists: a rule across fields',
  'the same principal as administrator and user': 'an ARN in two lists: a rule across fields',
  'an alias with so many "/" that the SSM parameter would be over 15 levels deep':
    'the depth of the SSM parameter counts the "/" of projectName and key.alias together: a rule across fields',
  'two keys with the same name': 'a name in two entries of keys: a rule across items',
  'two keys with the same alias': 'an alias in two entries of keys: a rule across items',
  'two keys that keep the single-key construct IDs': 'a flag set on two entries of keys: a rule across items',
  'a retired key that is still in keys': 'a name in retiredKeys and in keys: a rule across fields',
  'the same principal as administrator and user of the second key': 'an ARN in two lists: a rule across fields',
  'a key that keeps the single-key names with an alias that makes its SSM parameter over 15 levels deep':
    'the depth of the SSM parameter counts the "/" of projectName and the alias together: a rule across fields',
  'a key whose name gives the SSM parameter that another key has from its alias': 'a parameter name made from two fields of two keys: a rule across items',
  'two environments with the same name': 'a name in two entries of environments: a rule across items',
  'two environments in one account with the same primary Region': 'an account and Regions of two entries of environments: a rule across items',
  "two environments in one account where one's replica Region is the other's primary": 'an account and Regions of two entries of environments: a rule across items',
  "two environments in one account where one's retired Region is the other's replica Region": 'an account and Regions of two entries of environments: a rule across items',
  'two environments that keep the names of a configuration without environments': 'a flag set on two entries of environments: a rule across items',
  "an environment's primary Region listed as its replica": 'a Region in two lists: a rule across fields',
  "an environment's no-replica Region that is its replica": 'a Region in two lists: a rule across fields',
  "an environment's retired Region that is still its replica": 'a Region in two lists: a rule across fields',
  'a verification every minute': "a rate's interval is its number times its unit; a pattern checks the rate's form only",
  'a daily verification': "a rate's interval is its number times its unit; a pattern checks the rate's form only",
};

describe('the JSON Schema of the configuration', () => {
  test('accepts config/example.json, config/example-keys.json and the example in cdk.json', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    const severalKeys = JSON.parse(fs.readFileSync(path.join(ROOT, 'config', 'example-keys.json'), 'utf8'));
    for (const config of [JSON.parse(fs.readFileSync(EXAMPLE_CONFIG_FILE, 'utf8')), severalKeys, cdkJson.context.kmsMultiRegion]) {
      expect(validate(config) ? [] : validate.errors).toEqual([]);
    }
  });

  test('accepts a configuration of keys that leaves out every field with a default', () => {
    const minimal = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'));
    delete minimal.key;
    minimal.keys = [{ name: 'app-data', alias: 'alias/app-data' }];
    expect(validate(minimal) ? [] : validate.errors).toEqual([]);
  });

  test('accepts a configuration that leaves out every field with a default', () => {
    const minimal = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'));
    delete minimal.$schema;
    delete minimal.retiredReplicaRegions;
    delete minimal.monitoring;
    delete minimal.pipeline.manualApproval;
    delete minimal.source.branch;
    minimal.key = { alias: 'alias/app-data' };
    expect(validate(minimal) ? [] : validate.errors).toEqual([]);
  });

  test.each(BAD_CONFIGS.filter(([name]) => !(name in NOT_IN_JSON_SCHEMA)))('rejects %s, as the validator does', (_name, bad) => {
    expect(validate(badInput(bad))).toBe(false);
  });

  test.each(Object.entries(NOT_IN_JSON_SCHEMA))('accepts %s, which only the validator rejects (%s)', (name) => {
    const row = BAD_CONFIGS.find(([rowName]) => rowName === name);
    expect(row).toBeDefined();
    expect(validate(badInput(row![1]))).toBe(true);
  });
});

/** Values of one field, good and bad, on which the JSON Schema and the validator must agree. */
const FIELD_VALUES: Array<[string, (raw: Record<string, any>, value: string) => void, string[]]> = [
  [
    'source.branch',
    (raw, value) => (raw.source.branch = value),
    ['main', 'feature/x', 'a@b', 'x.lock2', '', '@', '-x', '.x', 'a//b', 'a..b', 'a@{b', 'a/.b', 'a/', 'a.', 'a.lock', 'a b', 'a[b', 'a\\b', 'a\u007fb'],
  ],
  ['key.alias', (raw, value) => (raw.key.alias = value), ['alias/a', 'alias/AWS/x', 'alias/awsx', 'Alias/a', 'alias/', `alias/${'a'.repeat(251)}`]],
  ['projectName', (raw, value) => (raw.projectName = value), ['ab', 'a', 'a-', '1a', 'a'.repeat(24), 'a'.repeat(25)]],
  [
    'source.connectionArn',
    (raw, value) => (raw.source.connectionArn = value),
    [
      'arn:aws-us-gov:codestar-connections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
      'arn:aws:codeconnections:eu-west-99:111111111111:connection/00000000-0000-0000-0000-000000000000',
      'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-00000000000',
    ],
  ],
  ['key.tags', (raw, value) => (raw.key.tags = { [value]: 'v' }), ['aws:x', 'AWS:x', 'awsx', 'x:aws', '']],
  ['monitoring.alertEmails', (raw, value) => (raw.monitoring.alertEmails = [value]), ['a@b.c', 'a@b', 'a b@c.d', '@b.c']],
  [
    'keys[].name',
    (raw, value) => moveToKeys(raw, { name: value, alias: 'alias/logs' }),
    ['ab', 'logs-2', 'a', 'a-', '1a', 'Logs', 'a_b', 'a'.repeat(32), 'a'.repeat(33)],
  ],
  ['retiredKeys', (raw, value) => (raw.retiredKeys = [value]), ['old-logs', 'a', 'Old', 'a'.repeat(33)]],
];

describe('the JSON Schema and the validator agree', () => {
  test.each(FIELD_VALUES.flatMap(([field, set, values]) => values.map((value) => [field, value, set] as const)))(
    'on %s %j',
    (_field, value, set) => {
      const raw = exampleRawConfig();
      set(raw, value);
      let valid = true;
      try {
        validateConfig(raw);
      } catch {
        valid = false;
      }
      expect(validate(raw)).toBe(valid);
    },
  );
});
