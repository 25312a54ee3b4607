import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../lib/config/load-config';
import { ConfigError, validateConfig } from '../../lib/config/validate-config';
import { projectConfig } from '../../scripts/support/project-config';
import { exampleRawConfig } from '../helpers/config';

describe('validateConfig', () => {
  test('accepts the example configuration (the fixture copy of the one cdk.json ships with)', () => {
    const config = validateConfig(exampleRawConfig());
    expect(config.primaryRegion).toBe('us-east-1');
    expect(config.replicaRegions).toEqual(['eu-west-1']);
    expect(config.noReplicaRegions).toEqual(['ca-central-1']);
    expect(config.key.alias).toBe('alias/app-data');
    expect(config.pipeline.manualApproval).toBe(true);
  });

  test('accepts an alias that makes the SSM parameter exactly 15 levels deep', () => {
    const raw = exampleRawConfig();
    raw.key.alias = 'alias/a/b/c/d/e/f/g/h/i/j/k/l/m';
    expect(validateConfig(raw).key.alias).toBe('alias/a/b/c/d/e/f/g/h/i/j/k/l/m');
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
    expect(config.retiredReplicaRegions).toEqual([]);
    expect(config.pipeline.manualApproval).toBe(true);
    expect(config.source.branch).toBe('main');
    expect(config.key).toEqual({
      alias: 'alias/minimal',
      description: 'Multi-region key deployed by the kms-multi-region-pipeline',
      enableKeyRotation: true,
      rotationPeriodDays: 365,
      pendingWindowDays: 30,
      tags: {},
      adminPrincipalArns: [],
      userPrincipalArns: [],
    });
  });

  test('accepts every bound itself: the smallest and largest integers, 10 alert e-mails, 50 tags', () => {
    const raw = exampleRawConfig();
    raw.key.pendingWindowDays = 7;
    raw.key.rotationPeriodDays = 2560;
    raw.monitoring = { alertEmails: Array.from({ length: 10 }, (_, i) => `ops${i}@example.com`) };
    raw.key.tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag${i}`, 'v']));
    const config = validateConfig(raw);
    expect([config.key.pendingWindowDays, config.key.rotationPeriodDays]).toEqual([7, 2560]);
    expect([config.monitoring.alertEmails.length, Object.keys(config.key.tags).length]).toEqual([10, 50]);
    raw.key.pendingWindowDays = 30;
    raw.key.rotationPeriodDays = 90;
    expect([validateConfig(raw).key.pendingWindowDays, validateConfig(raw).key.rotationPeriodDays]).toEqual([30, 90]);
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

  test('accepts many replica Regions and a legacy codestar-connections ARN', () => {
    const raw = exampleRawConfig();
    raw.replicaRegions = ['eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1'];
    raw.source.connectionArn = 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/12345678-90ab-cdef-1234-567890abcdef';
    expect(validateConfig(raw).replicaRegions).toHaveLength(4);
  });
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
