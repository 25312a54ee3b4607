import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../lib/config/load-config';
import { ConfigError, validateConfig } from '../../lib/config/validate-config';
import { exampleRawConfig } from '../helpers/config';
import { BAD_CONFIGS, badInput } from './bad-configs';

/** The error `fn` throws; fails the test if it throws nothing or something other than a ConfigError. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('validateConfig rejects bad configuration with one line naming the field and the value', () => {
  test('the table has at least 30 distinct bad configurations, and the example itself is valid', () => {
    expect(new Set(BAD_CONFIGS.map(([, , message]) => message)).size).toBe(BAD_CONFIGS.length);
    expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(30);
    expect(() => validateConfig(exampleRawConfig())).not.toThrow();
  });

  test.each(BAD_CONFIGS)('%s', (_name, bad, message) => {
    const error = configErrorOf(() => validateConfig(badInput(bad)));
    expect(error.message).toBe(message);
    expect(error.message).not.toMatch(/[\r\n]/);
  });
});

describe('loadConfig rejects a bad source with one line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-bad-config-'));

  test('a config file that does not exist', () => {
    const error = configErrorOf(() => loadConfig({ contextValue: exampleRawConfig(), configFile: 'missing.json', cwd: dir }));
    expect(error.message).toBe(
      `config file missing.json (from -c config=missing.json) cannot be read: ENOENT at ${path.join(dir, 'missing.json')}`,
    );
  });

  test('a config file that is not JSON', () => {
    fs.writeFileSync(path.join(dir, 'not-json.json'), 'projectName: kms-mrk');
    const error = configErrorOf(() => loadConfig({ configFile: 'not-json.json', cwd: dir }));
    expect(error.message).toMatch(/^config file not-json\.json is not valid JSON: Unexpected token .+$/);
  });

  test('a pretty-printed config file with a syntax error', () => {
    fs.writeFileSync(path.join(dir, 'broken.json'), '{\n  "projectName": kms-mrk,\n  "primaryRegion": "us-east-1"\n}\n');
    const error = configErrorOf(() => loadConfig({ configFile: 'broken.json', cwd: dir }));
    expect(error.message).toMatch(/^config file broken\.json is not valid JSON: /);
    expect(error.message).not.toMatch(/[\r\n]/);
  });

  test('a config file with a bad value names the field, as from context', () => {
    const raw = exampleRawConfig();
    raw.key.pendingWindowDays = 45;
    fs.writeFileSync(path.join(dir, 'bad-value.json'), JSON.stringify(raw, undefined, 2));
    const error = configErrorOf(() => loadConfig({ configFile: 'bad-value.json', cwd: dir }));
    expect(error.message).toBe('config.key.pendingWindowDays must be an integer from 7 to 30, got 45');
  });

  test('an empty config file name', () => {
    const error = configErrorOf(() => loadConfig({ configFile: '', cwd: dir }));
    expect(error.message).toBe('context "config" must be the path of a JSON file, got ""');
  });

  test('a context value that is a string but not JSON', () => {
    const error = configErrorOf(() => loadConfig({ contextValue: '{projectName: kms-mrk}' }));
    expect(error.message).toMatch(/^context "kmsMultiRegion" is not valid JSON: \S.*$/);
  });
});
