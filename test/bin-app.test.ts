import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cdkJsonAppCommand, featureFlags } from '../scripts/support/project-config';
// Not ./helpers/app: this file runs the app in child processes, and needs no aws-cdk-lib of its own.
import { EXAMPLE_CONFIG_FILE, exampleRawConfig, ROOT } from './helpers/config';

// Each test starts the app (cdk.json's command) or the CDK CLI as a child process.
jest.setTimeout(30_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-bin-app-'));

/** The environment of a child process, without what would make it differ from a developer's shell. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_ENV;
  delete env.CODEBUILD_RESOLVED_SOURCE_VERSION;
  return env;
}

const APP_COMMAND = cdkJsonAppCommand();

/** cdk.json's feature flags, as the CDK CLI passes them to the app. */
const FEATURE_FLAGS = featureFlags();

/**
 * Runs cdk.json's app command the way the CDK CLI does: in a shell, context in CDK_CONTEXT_JSON
 * (cdk.json's context plus any -c values), the cloud assembly directory in CDK_OUTDIR.
 */
function runApp(context: Record<string, unknown>): SpawnSyncReturns<string> & { outdir: string } {
  const outdir = fs.mkdtempSync(path.join(dir, 'out-'));
  const result = spawnSync(APP_COMMAND, {
    cwd: ROOT,
    shell: true,
    encoding: 'utf8',
    env: childEnv({ CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir }),
  });
  return { ...result, outdir };
}

function writeConfigFile(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const withPendingWindow45 = (() => {
  const raw = exampleRawConfig();
  raw.key.pendingWindowDays = 45;
  return JSON.stringify(raw, undefined, 2);
})();

const withKeyAndKeys = (() => {
  const raw = exampleRawConfig();
  raw.keys = [{ name: 'logs', alias: 'alias/logs' }];
  return JSON.stringify(raw, undefined, 2);
})();

describe('bin/app.ts', () => {
  test('synthesizes the example config (named as with -c config=FILE) and exits 0', () => {
    const result = runApp({ ...FEATURE_FLAGS, config: path.relative(ROOT, EXAMPLE_CONFIG_FILE) });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const manifest = JSON.parse(fs.readFileSync(path.join(result.outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.artifacts)).toEqual(
      expect.arrayContaining([
        'Pipeline',
        'assembly-Pipeline-Primary',
        'assembly-Pipeline-Replica-eu-west-1',
        'cross-region-stack-111111111111_eu-west-1',
      ]),
    );
  });

  test.each([
    [
      'a bad value',
      'bad-value.json',
      withPendingWindow45,
      /^Invalid configuration: config\.key\.pendingWindowDays must be an integer from 7 to 30, got 45$/,
    ],
    [
      'both key and keys',
      'key-and-keys.json',
      withKeyAndKeys,
      /^Invalid configuration: config must have only one of key and keys: key holds one key, keys a list of 1 to 25 keys, got both$/,
    ],
    [
      'a syntax error',
      'syntax-error.json',
      '{\n  "projectName": kms-mrk,\n  "primaryRegion": "us-east-1"\n}\n',
      /^Invalid configuration: config file .*syntax-error\.json is not valid JSON: /,
    ],
    [
      'no file at all',
      'never-written.json',
      undefined,
      /^Invalid configuration: config file .*never-written\.json \(from -c config=.*\) cannot be read: ENOENT at /,
    ],
  ])('exits 1 with one line on stderr, and no stack trace, for a config file with %s', (_name, fileName, content, message) => {
    const file = content === undefined ? path.join(dir, fileName) : writeConfigFile(fileName, content);
    const result = runApp({ ...FEATURE_FLAGS, config: file });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(fs.readdirSync(result.outdir)).toEqual([]);
  });

  test('exits 1 with one line when the Control Tower switch is neither true nor false', () => {
    const result = runApp({ ...FEATURE_FLAGS, config: path.relative(ROOT, EXAMPLE_CONFIG_FILE), controlTowerChecks: 'yes' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 1,
      stderr: 'Invalid configuration: context "controlTowerChecks" must be true or false, got "yes"\n',
    });
  });
});

describe('the CDK CLI', () => {
  test('`cdk synth -c config=<bad file>` fails and shows the one-line message', () => {
    const file = writeConfigFile('cli-bad-value.json', withPendingWindow45);
    // The CLI's own bin script, as `npx cdk` runs it, without npx's start-up.
    const cli = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const result = spawnSync(
      process.execPath,
      [cli, 'synth', '-c', `config=${file}`, '--quiet', '--no-notices', '--output', path.join(dir, 'cli-out')],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: childEnv({ CDK_DISABLE_CLI_TELEMETRY: 'true' }),
      },
    );
    expect(result.status).not.toBe(0);
    const lines = `${result.stdout}${result.stderr}`.split('\n');
    expect(lines).toContain('Invalid configuration: config.key.pendingWindowDays must be an integer from 7 to 30, got 45');
    expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
  });
});
