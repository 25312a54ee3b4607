import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isRepositoryPath, loadConfig } from '../../lib/config/load-config';
import { validateConfig } from '../../lib/config/validate-config';
import { JSON_SCHEMA_FILE } from '../../scripts/config-reference/json-schema';
import { projectConfig } from '../../scripts/support/project-config';
import { EXAMPLE_CONFIG_FILE, ROOT } from '../helpers/config';

// Prettier's own command line, as `npm test` runs it (its API needs jest's experimental ES modules).
const PRETTIER = path.join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');

function prettier(args: string[], input?: string): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [PRETTIER, ...args], { cwd: ROOT, encoding: 'utf8', input });
  return { status: result.status, stdout: result.stdout };
}

/** cdk.json as a common JSON tool writes it: 2-space indent, one array item per line. */
function rewrittenCdkJson(): string {
  return `${JSON.stringify(JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')), undefined, 2)}\n`;
}

// cdk.json holds the user's configuration: a valid edit must never fail `npm test` (or the pipeline's
// synth step, which runs it) on layout alone, whatever tool wrote the file.
describe('cdk.json, the configuration file users edit', () => {
  test('is left out of the format check', () => {
    const result = prettier(['--file-info', 'cdk.json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ ignored: true }));
  });

  test('written by a common JSON tool, would fail a format check that included it', () => {
    expect(prettier(['--check', '--stdin-filepath', 'config.json'], rewrittenCdkJson()).status).not.toBe(0);
  });

  test('written by a common JSON tool, loads the same configuration', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-cdk-json-'));
    const cdkJsonPath = path.join(dir, 'cdk.json');
    fs.writeFileSync(cdkJsonPath, rewrittenCdkJson());
    expect(projectConfig({ cdkJsonPath })).toEqual(projectConfig());
  });
});

describe('config/example.json, the example configuration file', () => {
  const text = fs.readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');
  const example = JSON.parse(text);

  test('names the JSON Schema first, by a path relative to itself, for editors', () => {
    expect(Object.keys(example)[0]).toBe('$schema');
    expect(path.resolve(path.dirname(EXAMPLE_CONFIG_FILE), example.$schema)).toBe(path.join(ROOT, JSON_SCHEMA_FILE));
  });

  test('loads as `npx cdk synth -c config=config/example.json` loads it, from inside the repository', () => {
    expect(isRepositoryPath('config/example.json')).toBe(true);
    expect(loadConfig({ configFile: 'config/example.json', cwd: ROOT })).toEqual(validateConfig(example));
  });

  test.each(['config/example.json', 'config/example-keys.json', 'config/my-env.json', JSON_SCHEMA_FILE])('%s is left out of the format check', (file) => {
    const result = prettier(['--file-info', file]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ ignored: true }));
  });
});
