// @ts-check
/**
 * The test runner of mutation testing (stryker.config.mjs): jest's own runner, running fewer test files per mutant.
 *
 * For each mutant Stryker asks jest for every test file related to the changed source file, with a name pattern that
 * selects the tests covering the mutant. Jest then loads each of those files and its imports, runs the selected tests
 * of all of them, and skips the rest. Stryker needs one failing test to count the mutant as detected. This runner:
 * - leaves out a file none of whose tests matches the pattern: it remembers, for the life of the process, the test
 *   names of each file it has run (a file it has not run yet runs as usual);
 * - while a mutant is active, runs the files one at a time, the files that detected the most mutants first, and stops
 *   at the first file with a failure ("bail" across files; test/helpers/fail-fast-environment.js bails inside one).
 * Without a pattern and a mutant (Stryker's first run, which measures coverage), it is jest's runner unchanged.
 *
 * CommonJS, because jest loads its runner with Node's own `require`.
 */
const TestRunner = require('jest-runner').default;

/** Set by Stryker while it runs the tests against one mutant. */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

/** Full test names by test file path, kept for the life of the process (jest loads this module once). */
const namesByFile = new Map();
/** How many runs each test file has failed (detected a mutant) in this process. */
const failuresByFile = new Map();

class MutantTestRunner extends TestRunner {
  /** Whether a file has failed in this run. */
  failed = false;

  /**
   * @param {import('@jest/types').Config.GlobalConfig} globalConfig
   * @param {import('jest-runner').TestRunnerContext} context
   */
  constructor(globalConfig, context) {
    super(globalConfig, context);
    // jest-circus matches the pattern the same way against each test's full name.
    this.pattern = globalConfig.testNamePattern ? new RegExp(globalConfig.testNamePattern, 'i') : undefined;
    this.on('test-file-success', ([test, result]) => {
      // Tests that the pattern deselects are reported too (pending), so the list is the whole file's. The first list
      // is kept: the names come from the test file, and a mutant that could change them (code that runs while the
      // test files load) is a static mutant, which Stryker does not run (ignoreStatic).
      if (result.testExecError === undefined && !namesByFile.has(test.path)) {
        namesByFile.set(
          test.path,
          result.testResults.map((t) => t.fullName),
        );
      }
      if (result.numFailingTests > 0 || result.testExecError !== undefined) this.fileFailed(test.path);
    });
    this.on('test-file-failure', ([test]) => this.fileFailed(test.path));
  }

  /** @param {string} path */
  fileFailed(path) {
    this.failed = true;
    failuresByFile.set(path, (failuresByFile.get(path) ?? 0) + 1);
  }

  /** @type {TestRunner['runTests']} */
  async runTests(tests, watcher, options) {
    const pattern = this.pattern;
    const selected =
      pattern === undefined
        ? tests
        : tests.filter((test) => {
            const names = namesByFile.get(test.path);
            return names === undefined || names.some((name) => pattern.test(name));
          });
    if (process.env[ACTIVE_MUTANT] === undefined || !options.serial) {
      return super.runTests(selected, watcher, options);
    }
    const ordered = [...selected].sort((a, b) => (failuresByFile.get(b.path) ?? 0) - (failuresByFile.get(a.path) ?? 0));
    for (const test of ordered) {
      if (this.failed) break;
      await super.runTests([test], watcher, options);
    }
  }
}

module.exports = MutantTestRunner;
