import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../lib/config/load-config';
import { aliasCheck, verifyIntervalMinutes } from '../../lib/config/config-schema';
import { ConfigError, singleKeyName, validateConfig } from '../../lib/config/validate-config';
import { projectConfig } from '../../scripts/support/project-config';
import { exampleRawConfig, moveToEnvironments } from '../helpers/config';

describe('validateConfig', () => {
  test('accepts the example configuration, config/example.json', () => {
    const config = validateConfig(exampleRawConfig());
    expect(config.environments[0].primaryRegion).toBe('us-east-1');
    expect(config.environments[0].replicaRegions).toEqual(['eu-west-1']);
    expect(config.environments[0].noReplicaRegions).toEqual(['ca-central-1']);
    expect(config.keys.map((key) => key.alias)).toEqual(['alias/app-data']);
    expect(config.environments[0].manualApproval).toBe(true);
  });

  test('accepts an alias that makes the SSM parameter exactly 15 levels deep', () => {
    const raw = exampleRawConfig();
    raw.key.alias = 'alias/a/b/c/d/e/f/g/h/i/j/k/l/m';
    expect(validateConfig(raw).keys[0].alias).toBe('alias/a/b/c/d/e/f/g/h/i/j/k/l/m');
  });

  test('shows a received value of up to 120 characters whole, and cuts a longer one', () => {
    const raw = exampleRawConfig();
    raw.projectName = 'p'.repeat(118);
    expect(() => validateConfig(raw)).toThrow(new RegExp(`, got "${'p'.repeat(118)}"$`));
    raw.projectName = 'p'.repeat(119);
    expect(() => validateConfig(raw)).toThrow(new RegExp(`, got "${'p'.repeat(116)}\\.\\.\\.$`));
  });

  test('fills in documented defaults for optional fields', () => {
    const raw = exampleRawConfig();
    delete raw.retiredReplicaRegions;
    delete raw.pipeline.manualApproval;
    delete raw.source.branch;
    raw.key = { alias: 'alias/minimal' };
    const config = validateConfig(raw);
    expect(config.environments[0].retiredReplicaRegions).toEqual([]);
    expect(config.environments[0].manualApproval).toBe(true);
    expect(config.source.branch).toBe('main');
    expect(config.keys).toEqual([
      {
        name: 'minimal',
        legacyConstructIds: true,
        alias: 'alias/minimal',
        description: 'Multi-region key deployed by the kms-multi-region-pipeline',
        enableKeyRotation: true,
        rotationPeriodDays: 365,
        pendingWindowDays: 30,
        tags: {},
        adminPrincipalArns: [],
        userPrincipalArns: [],
      },
    ]);
    expect(config.retiredKeys).toEqual([]);
  });

  test('fills in the same defaults for an entry of keys, which keeps the name-derived IDs by default', () => {
    const raw = exampleRawConfig();
    delete raw.key;
    raw.keys = [{ name: 'minimal', alias: 'alias/minimal' }];
    expect(validateConfig(raw).keys).toEqual([
      {
        name: 'minimal',
        legacyConstructIds: false,
        alias: 'alias/minimal',
        description: 'Multi-region key deployed by the kms-multi-region-pipeline',
        enableKeyRotation: true,
        rotationPeriodDays: 365,
        pendingWindowDays: 30,
        tags: {},
        adminPrincipalArns: [],
        userPrincipalArns: [],
      },
    ]);
  });

  test('loads today\'s single key as one key that keeps the single-key construct IDs, named after its alias', () => {
    const raw = exampleRawConfig();
    raw.key.alias = 'alias/Team_A/app-data';
    expect(validateConfig(raw).keys.map((key) => [key.name, key.legacyConstructIds])).toEqual([['team-a-app-data', true]]);
  });

  test.each([
    ['alias/app-data', 'app-data'],
    ['alias/Team_A/app-data', 'team-a-app-data'],
    ['alias/__Logs__', 'logs'],
    ['alias/a__b', 'a-b'],
  ])('names the one key of alias %s %s, for messages', (alias, name) => {
    expect(singleKeyName(alias)).toBe(name);
  });

  test('a single key may be given with retiredKeys: the names of keys it no longer deploys', () => {
    const raw = exampleRawConfig();
    raw.retiredKeys = ['old-logs'];
    expect(validateConfig(raw).retiredKeys).toEqual(['old-logs']);
  });

  test('loads config/example-keys.json as its three keys, in order, with retiredKeys', () => {
    const config = validateConfig(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'example-keys.json'), 'utf8')));
    expect(config.keys.map((key) => [key.name, key.alias, key.legacyConstructIds, key.rotationPeriodDays])).toEqual([
      ['app-data', 'alias/app-data', true, 365],
      ['logs', 'alias/logs', false, 365],
      ['backups', 'alias/backups', false, 180],
    ]);
    expect(config.retiredKeys).toEqual([]);
    expect(config).not.toHaveProperty('key');
  });

  test('accepts 25 keys, a retired key, and a legacy key whose alias makes its parameter 15 levels deep', () => {
    const raw = exampleRawConfig();
    delete raw.key;
    raw.keys = Array.from({ length: 25 }, (_, i) => ({ name: `key-${i}`, alias: `alias/key-${i}` }));
    raw.keys[0] = { name: 'app-data', legacyConstructIds: true, alias: 'alias/a/b/c/d/e/f/g/h/i/j/k/l/m' };
    raw.retiredKeys = ['old-logs'];
    const config = validateConfig(raw);
    expect(config.keys).toHaveLength(25);
    expect(config.retiredKeys).toEqual(['old-logs']);
  });

  test('accepts every bound itself: the smallest and largest integers, 10 alert e-mails, 50 tags', () => {
    const raw = exampleRawConfig();
    raw.key.pendingWindowDays = 7;
    raw.key.rotationPeriodDays = 2560;
    raw.monitoring = { alertEmails: Array.from({ length: 10 }, (_, i) => `ops${i}@example.com`) };
    raw.key.tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag${i}`, 'v']));
    const config = validateConfig(raw);
    expect([config.keys[0].pendingWindowDays, config.keys[0].rotationPeriodDays]).toEqual([7, 2560]);
    expect([config.monitoring.alertEmails.length, Object.keys(config.keys[0].tags).length]).toEqual([10, 50]);
    raw.key.pendingWindowDays = 30;
    raw.key.rotationPeriodDays = 90;
    expect([validateConfig(raw).keys[0].pendingWindowDays, validateConfig(raw).keys[0].rotationPeriodDays]).toEqual([30, 90]);
  });

  test('fills in a whole optional section that is left out', () => {
    const raw = exampleRawConfig();
    delete raw.monitoring;
    expect(validateConfig(raw).monitoring).toEqual({ verifySchedule: 'rate(1 hour)', alertEmails: [] });
  });

  test('a required field that is left out is named, with what it must be', () => {
    const raw = exampleRawConfig();
    delete raw.source.repository;
    expect(() => validateConfig(raw)).toThrow(/^config\.source\.repository is required: .+, got nothing$/);
  });

  test('its errors are ConfigErrors, by class and by name', () => {
    const raw = exampleRawConfig();
    raw.projectName = 7;
    let error: unknown;
    try {
      validateConfig(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe('ConfigError');
  });

  test('accepts two environments in one account when their Regions differ, and fills in their defaults', () => {
    const raw = exampleRawConfig();
    moveToEnvironments(raw, [
      { name: 'staging', account: '222222222222', primaryRegion: 'us-east-1', replicaRegions: ['eu-west-1'], noReplicaRegions: ['ca-central-1'] },
      { name: 'staging-eu', account: '222222222222', primaryRegion: 'eu-central-1', replicaRegions: ['ap-southeast-2'], noReplicaRegions: ['us-east-1'] },
    ]);
    expect(validateConfig(raw).environments).toEqual([
      { ...raw.environments[0], retiredReplicaRegions: [], manualApproval: true, legacyStackNames: false },
      { ...raw.environments[1], retiredReplicaRegions: [], manualApproval: true, legacyStackNames: false },
    ]);
  });

  test('accepts many replica Regions and a legacy codestar-connections ARN', () => {
    const raw = exampleRawConfig();
    raw.replicaRegions = ['eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1'];
    raw.source.connectionArn = 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/12345678-90ab-cdef-1234-567890abcdef';
    expect(validateConfig(raw).environments[0].replicaRegions).toHaveLength(4);
  });
});

describe('validateConfig, what the schema adds to the table of bad configurations', () => {
  /** The message of the raw example with `change` applied. */
  function messageOf(change: (raw: Record<string, any>) => void): string {
    const raw = exampleRawConfig();
    change(raw);
    try {
      validateConfig(raw);
    } catch (e) {
      return (e as Error).message;
    }
    return 'valid';
  }

  test('accepts a "$schema" for editors and leaves it out of the result', () => {
    const raw = exampleRawConfig();
    expect(raw.$schema).toBe('./kms-pipeline-config.schema.json');
    expect(validateConfig(raw)).not.toHaveProperty('$schema');
    expect(messageOf((r) => (r.$schema = 7))).toBe('config["$schema"] must be a string (a path or URL of the JSON Schema), got 7');
  });

  test('a missing section and a missing list are named, with what they must be', () => {
    expect(messageOf((r) => delete r.pipeline)).toBe('config.pipeline must be an object, got nothing');
    expect(messageOf((r) => delete r.noReplicaRegions)).toBe(
      'config.noReplicaRegions is required without environments: 1 or more known AWS Regions, none of them a primary, replica or retired Region, got nothing',
    );
    expect(messageOf((r) => (r.primaryRegion = 42))).toBe(
      'config.primaryRegion must be a string (a known AWS Region, not in any other region list), got 42',
    );
  });

  test('the first problem in schema order: an unknown field before anything inside its object', () => {
    expect(
      messageOf((r) => {
        r.key.pendingWindowDays = 6;
        r.key.rotation = true;
        r.bogus = 1;
      }),
    ).toMatch(/^config\.bogus is not a known field/);
    expect(
      messageOf((r) => {
        r.key.pendingWindowDays = 6;
        r.key.rotation = true;
      }),
    ).toMatch(/^config\.key\.rotation is not a known field/);
    expect(
      messageOf((r) => {
        r.pipeline.account = '1';
        r.key.rotation = true;
      }),
    ).toBe('config.pipeline.account must be a 12-digit AWS account ID, got "1"');
    expect(messageOf((r) => (r.key.tags = { a: 'v', 'aws:x': 'v', b: 7 }))).toBe(
      'config.key.tags key must not start with "aws:", which is reserved, got "aws:x"',
    );
  });

  test('an empty tag key is named', () => {
    expect(messageOf((r) => (r.key.tags = { '': 'v' }))).toBe('config.key.tags key must be 1 to 128 characters, got ""');
    expect(messageOf((r) => (r.key.tags = { ['k'.repeat(129)]: 'v' }))).toMatch(/^config\.key\.tags key must be 1 to 128 characters, got "k+\.\.\.$/);
    expect(messageOf((r) => (r.key.tags = { ['k'.repeat(128)]: 'v'.repeat(256) }))).toBe('valid');
  });

  test('the Region lists: the first clash in the order primary, replica, retired, no-replica', () => {
    expect(
      messageOf((r) => {
        r.replicaRegions = ['eu-west-1', 'eu-west-2'];
        r.retiredReplicaRegions = ['eu-west-2'];
        r.noReplicaRegions = ['us-east-1'];
      }),
    ).toBe(
      'config.noReplicaRegions must not contain "us-east-1", which is already in config.primaryRegion: a Region has one role, got ["us-east-1"]',
    );
    expect(messageOf((r) => (r.retiredReplicaRegions = ['eu-west-2']))).toBe('valid');
  });

  test.each([
    ['off', 'valid'],
    ['rate(5 minutes)', 'valid'],
    ['rate(12 hours)', 'valid'],
    ['rate(720 minutes)', 'valid'],
    ['rate(4 minutes)', 'must be from 5 minutes'],
    ['rate(721 minutes)', 'must be from 5 minutes'],
    ['rate(13 hours)', 'must be from 5 minutes'],
    ['rate(1 minute)', 'must be from 5 minutes'],
    ['rate(2 hour)', 'must be a rate'],
    ['rate(0 minutes)', 'must be a rate'],
    ['Off', 'must be a rate'],
  ])('verifySchedule %s: %s', (schedule, expected) => {
    const message = messageOf((r) => (r.monitoring.verifySchedule = schedule));
    expect(message === 'valid' ? message : message.startsWith(`config.monitoring.verifySchedule ${expected}`)).toBe(
      expected === 'valid' ? 'valid' : true,
    );
  });
});

describe('verifyIntervalMinutes', () => {
  test.each([
    ['rate(1 minute)', 1],
    ['rate(5 minutes)', 5],
    ['rate(1 hour)', 60],
    ['rate(12 hours)', 720],
    ['rate(1 day)', 1440],
    ['rate(2 days)', 2880],
    ['rate(10 minutes)', 10],
  ])('%s is %d minutes', (schedule, minutes) => {
    expect(verifyIntervalMinutes(schedule)).toBe(minutes);
  });

  test.each(['off', 'rate(1 hours)', 'rate(2 hour)', 'rate(0 minutes)', 'rate(05 minutes)', 'x rate(5 minutes)', 'rate(5 minutes) ', 'rate(5 weeks)', 'rate(5minutes)'])(
    '%s is not a rate',
    (schedule) => {
      expect(verifyIntervalMinutes(schedule)).toBeUndefined();
    },
  );
});

describe('aliasCheck, which the key construct also uses', () => {
  test.each([
    ['alias/app-data', undefined],
    ['app-data', 'must start with "alias/"'],
    ['alias/AWS/x', 'must not be under "alias/aws/", which is reserved for AWS managed keys'],
    ['alias/', 'must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -'],
  ])('%s', (alias, problem) => {
    expect(aliasCheck(alias)).toBe(problem);
  });
});

describe('source.branch follows git check-ref-format --branch', () => {
  const branchProblem = (branch: string) => {
    const raw = exampleRawConfig();
    raw.source.branch = branch;
    try {
      return validateConfig(raw).source.branch;
    } catch (e) {
      return (e as Error).message;
    }
  };

  test.each(['main', 'feature/x', 'release-1.2', 'a@b', 'x.lock2', 'user/a.b', 'v1'])('accepts %j', (branch) => {
    expect(branchProblem(branch)).toBe(branch);
  });

  test.each(['', '@', '-x', '.x', '/x', 'a//b', 'a..b', 'a@{b', 'a/.b', 'a/', 'a.', 'a.lock', 'a b', 'a~b', 'a^b', 'a:b', 'a?b', 'a*b', 'a[b', 'a\\b', 'a\tb', 'a\u007fb'])(
    'rejects %j',
    (branch) => {
      expect(branchProblem(branch)).toBe(`config.source.branch must be a valid git branch name, got ${JSON.stringify(branch)}`);
    },
  );
});

describe('the configuration this project deploys', () => {
  test('cdk.json (or the file its context names) holds a valid configuration', () => {
    expect(() => projectConfig()).not.toThrow();
  });
});

describe('loadConfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-config-'));

  test('reads the context object', () => {
    expect(loadConfig({ contextValue: exampleRawConfig() }).projectName).toBe('kms-mrk');
  });

  test('parses a context value given as a JSON string (-c kmsMultiRegion=...)', () => {
    expect(loadConfig({ contextValue: JSON.stringify(exampleRawConfig()) }).projectName).toBe('kms-mrk');
  });

  test('a config file replaces the context object as a whole, relative to cwd', () => {
    const raw = exampleRawConfig();
    raw.projectName = 'from-file';
    fs.writeFileSync(path.join(dir, 'my-env.json'), JSON.stringify(raw));
    const config = loadConfig({ contextValue: exampleRawConfig(), configFile: 'my-env.json', cwd: dir });
    expect(config.projectName).toBe('from-file');
  });

  test('no configuration at all says where to put it', () => {
    expect(() => loadConfig({})).toThrow('no configuration: set context "kmsMultiRegion" in cdk.json or pass -c config=FILE.json');
  });
});
