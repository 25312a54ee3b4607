import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/*
 * The two jest plugins that mutation testing runs with (stryker.config.mjs): test/helpers/mutant-test-runner.js and
 * test/helpers/fail-fast-environment.js. A child process runs jest in-process the way Stryker's jest runner does
 * (runInBand, one process for every run, the mutant in __STRYKER_ACTIVE_MUTANT__, a name pattern), over three small
 * test files, and reports which tests each run ran.
 */
jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-mutation-plugins-'));

// Every "fails" test fails under a mutant, or without one when FIXTURE_FAIL is set; every other test passes.
const FAILS_UNDER_MUTANT = `if (process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined || process.env.FIXTURE_FAIL) throw new Error('x');`;

/** Writes the three test files into a directory of their own. */
function writeFixtures(fixtureDir: string): void {
  fs.mkdirSync(fixtureDir);
  fs.writeFileSync(
    path.join(fixtureDir, 'alpha.test.js'),
    `describe('alpha', () => {
       test('fails', () => { ${FAILS_UNDER_MUTANT} });
       test('after the failure', () => {});
     });`,
  );
  fs.writeFileSync(
    path.join(fixtureDir, 'bravo.test.js'),
    `describe('bravo', () => {
       test('fails', () => { ${FAILS_UNDER_MUTANT} });
       test('passes', () => {});
     });`,
  );
  fs.writeFileSync(path.join(fixtureDir, 'charlie.test.js'), `test('charlie passes', () => {});`);
}

interface Run {
  readonly mutant?: string;
  readonly pattern?: string;
  /** Make the "fails" tests fail without a mutant. */
  readonly fail?: boolean;
}

/**
 * Runs each sequence of runs in one jest process, all sequences in one child process (one start of jest), each over
 * its own copy of the test files, since the runner remembers test files by path for the life of the process. Per
 * run, the status of every test jest reported, as "file: full name: status", sorted ("pending": not run).
 */
function runJest<Name extends string>(sequences: Record<Name, readonly Run[]>): Record<Name, string[][]> {
  const configs = Object.fromEntries(
    Object.keys(sequences).map((name) => {
      const fixtureDir = path.join(dir, name);
      writeFixtures(fixtureDir);
      const config = {
        rootDir: fixtureDir,
        testMatch: ['**/*.test.js'],
        transform: {},
        testEnvironment: path.join(ROOT, 'test/helpers/fail-fast-environment.js'),
        runner: path.join(ROOT, 'test/helpers/mutant-test-runner.js'),
        cache: false,
      };
      return [name, config];
    }),
  );
  const script = `
    const { runCLI } = require('jest');
    const path = require('path');
    const sequences = ${JSON.stringify(sequences)};
    const configs = ${JSON.stringify(configs)};
    (async () => {
      const out = {};
      for (const [name, runs] of Object.entries(sequences)) {
        out[name] = [];
        for (const run of runs) {
          if (run.mutant === undefined) delete process.env.__STRYKER_ACTIVE_MUTANT__;
          else process.env.__STRYKER_ACTIVE_MUTANT__ = run.mutant;
          if (run.fail) process.env.FIXTURE_FAIL = '1';
          else delete process.env.FIXTURE_FAIL;
          const { results } = await runCLI(
            { $0: 'test', _: [], config: JSON.stringify(configs[name]), runInBand: true, silent: true,
              passWithNoTests: true, reporters: [], testNamePattern: run.pattern },
            [configs[name].rootDir],
          );
          out[name].push(results.testResults.flatMap((file) => file.testResults.map(
            (t) => path.basename(file.testFilePath) + ': ' + t.fullName + ': ' + t.status)).sort());
        }
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`jest failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const results = runJest({
  withoutMutant: [{}, { fail: true }, { pattern: '(alpha fails)|(charlie passes)' }],
  firstRun: [{ mutant: '1', pattern: '(charlie passes)' }],
  bail: [
    {},
    // The files run one at a time; alpha's failure skips its next test and stops the run before bravo.
    { mutant: '1', pattern: '(alpha fails)|(alpha after the failure)|(bravo passes)' },
    { mutant: '2', pattern: '(bravo fails)|(bravo passes)|(charlie passes)' },
    { mutant: '3', pattern: '(bravo fails)' },
    // bravo has now failed twice, alpha once: bravo runs first, and its failure stops the run before alpha.
    { mutant: '4', pattern: '(alpha fails)|(bravo fails)' },
  ],
  survivor: [{}, { mutant: '1', pattern: '(alpha after the failure)|(bravo passes)|(charlie passes)' }],
});

test('without a mutant every file and test runs, failed ones too, and a pattern leaves out files without a match', () => {
  const [all, failing, patterned] = results.withoutMutant;
  expect(all).toEqual([
    'alpha.test.js: alpha after the failure: passed',
    'alpha.test.js: alpha fails: passed',
    'bravo.test.js: bravo fails: passed',
    'bravo.test.js: bravo passes: passed',
    'charlie.test.js: charlie passes: passed',
  ]);
  // Without a mutant there is no bail, inside a file or across files.
  expect(failing).toEqual([
    'alpha.test.js: alpha after the failure: passed',
    'alpha.test.js: alpha fails: failed',
    'bravo.test.js: bravo fails: failed',
    'bravo.test.js: bravo passes: passed',
    'charlie.test.js: charlie passes: passed',
  ]);
  // A file none of whose tests matches is left out.
  expect(patterned).toEqual([
    'alpha.test.js: alpha after the failure: pending',
    'alpha.test.js: alpha fails: passed',
    'charlie.test.js: charlie passes: passed',
  ]);
});

test('a file runs as usual until the runner has seen its tests', () => {
  const [first] = results.firstRun;
  expect(first).toEqual([
    'alpha.test.js: alpha after the failure: pending',
    'alpha.test.js: alpha fails: pending',
    'bravo.test.js: bravo fails: pending',
    'bravo.test.js: bravo passes: pending',
    'charlie.test.js: charlie passes: passed',
  ]);
});

test('under a mutant, a file stops at its first failure, and no file runs after a failed one', () => {
  const [, alphaFirst, bravoFails, , afterBravo] = results.bail;
  expect(alphaFirst).toEqual(['alpha.test.js: alpha after the failure: pending', 'alpha.test.js: alpha fails: failed']);
  expect(bravoFails.filter((t) => t.startsWith('bravo'))).toEqual([
    'bravo.test.js: bravo fails: failed',
    'bravo.test.js: bravo passes: pending',
  ]);
  expect(afterBravo).toEqual(['bravo.test.js: bravo fails: failed', 'bravo.test.js: bravo passes: pending']);
});

test('under a mutant that no test detects, every selected test of every matching file runs', () => {
  const [, run] = results.survivor;
  expect(run).toEqual([
    'alpha.test.js: alpha after the failure: passed',
    'alpha.test.js: alpha fails: pending',
    'bravo.test.js: bravo fails: pending',
    'bravo.test.js: bravo passes: passed',
    'charlie.test.js: charlie passes: passed',
  ]);
});
