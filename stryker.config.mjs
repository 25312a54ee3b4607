// Mutation testing of the safety-critical code: `npm run test:mutation` (see README, "Mutation testing").
// The files come from mutation-targets.json, the one list that this run and the per-file score check share.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const targets = JSON.parse(readFileSync(new URL('./mutation-targets.json', import.meta.url), 'utf8'));

/**
 * Files that the app reads as text and inlines into a template are mutated in a run of their own
 * (`MUTATION_RUN=inlined`): in a sandbox where they are instrumented, every synth would inline the
 * instrumented file, which is far over the inline size limit that the construct enforces.
 */
const inlined = process.env.MUTATION_RUN === 'inlined';

/*
 * Known equivalent mutants (no behaviour tells them apart from the code), left as survivors rather than
 * marked in the handler, whose every byte is inlined into the template:
 * - cross-region-parameter-reader.handler.js, `{ cause: e }` to `{}` (twice): the handler answers
 *   CloudFormation and logs with the error's message only; the cause is there for a debugger.
 * - replacement-guard.ts, the `isAddition || type === undefined` test in the guarded-type check (3 mutants): for
 *   an added resource the diff's old type is undefined, which no guarded type matches, so it returns either way;
 *   `oldValue?.` / `newValue?.` after additions and removals have returned (2); `Array.isArray` in the reference
 *   walk (an array walked as an object visits the same elements); and `[]` replaced by `["Stryker was here"]` as a
 *   default list of property names or logical IDs (3), which no CloudFormation name can equal.
 * - preflight/inputs.ts, `region === undefined` after `split('=')`: split always returns at least one element.
 * - verify-replication/key-list.ts, the `^` of the alias pattern: only a value that starts with "alias/" reaches it.
 * - permissions-boundary.ts, `Action.some(...)` to `Action.every(...)` when it picks the execution policy's IAM
 *   statements: each of them holds IAM actions only, so both pick the same statements.
 * - preflight/check-replica-regions.ts, a replica list (or a replica's Region) defaulting to "Stryker was here":
 *   the list is only searched for a real Region name.
 * - config-schema.ts, `code: 'custom'` to `code: ""` in the issues that the checks push (8 mutants): validate-config.ts
 *   reads the code only to single out unknown fields, tag keys and the checks' own wording of what they got, which only
 *   the check of key and keys uses, so any other code is worded the same way. And `name ?? ''` for the parameter of the
 *   one key of `key`: that key keeps the single-key names, whose parameter derives from the alias, not the name.
 * - validate-config.ts, singleKeyName: the `^` before `alias/` (an alias starts with it), and the `+` of the trims of
 *   `-` (2 mutants: the runs of other characters are already one `-`).
 */

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    configFile: 'jest.config.js',
    enableFindRelatedTests: true,
    // The unit tests of the listed files. Tests that synthesize the whole app, spawn programs or wait on
    // real sockets take seconds per mutant, and a child process reports no per-test coverage.
    config: {
      testMatch: targets.tests.map((glob) => `**/${glob}`),
      // Skips a file's remaining tests once one has failed against a mutant (see the file).
      testEnvironment: './test/helpers/fail-fast-environment.js',
      // Runs only the related test files that hold a selected test, and stops at the first that fails (see the file).
      runner: './test/helpers/mutant-test-runner.js',
    },
  },
  coverageAnalysis: 'perTest',
  // A mutant in code that runs only while modules load (constants, lookup tables) would need every related test
  // file reloaded: hours on a 2-core machine. Such mutants are reported as ignored, and README names them.
  ignoreStatic: true,
  // A mutant that hangs (a retry loop that never ends) costs this much on top of the tests' own time; every
  // listed test file runs in under 3 s here. On a busy machine a slow run may be counted as a timeout (detected).
  timeoutMS: 5000,
  mutate: inlined ? targets.inlinedFiles : targets.files,
  // The per-file threshold is checked by scripts/mutation-score-check.ts over both runs.
  thresholds: { high: 95, low: targets.minimumScore, break: targets.minimumScore },
  reporters: ['json', 'clear-text', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${inlined ? 'inlined' : 'main'}.json` },
  // `stryker run --incremental` reruns only the mutants whose code or tests changed since the last run.
  incrementalFile: `reports/mutation/${inlined ? 'inlined' : 'main'}-incremental.json`,
  clearTextReporter: { allowEmojis: false, logTests: false },
  // Jest compiles with SWC, which never type-checks; and a `// @ts-nocheck` line would change the inlined handler.
  disableTypeChecks: false,
  concurrency: 2,
  // Each jest run leaves its module registry behind in the worker: measured here, a worker grew to about 3 GB
  // and slowed to a third of its first pace after 1,000 runs. A fresh worker every 100 runs keeps the pace.
  maxTestRunnerReuse: 100,
  ignorePatterns: ['cdk.out', 'dist', 'reports', '.bench', '.tmp', 'coverage'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
