// @ts-check
/**
 * The test environment of mutation testing (stryker.config.mjs): jest's node environment, and "bail" inside a test
 * file. Stryker needs one failing test to count a change as detected, but jest runs every selected test of a file
 * even after one has failed (it can only stop between files, and Stryker turns that off). While Stryker runs a
 * mutant, this environment skips the tests left in a file once one has failed. In Stryker's first run, which
 * measures coverage with no mutant active, and everywhere else it changes nothing.
 *
 * CommonJS, because Stryker loads the environment it wraps with Node's own `require`.
 */
const { TestEnvironment } = require('jest-environment-node');

/** Set by Stryker while it runs the tests against one mutant. */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

class FailFastEnvironment extends TestEnvironment {
  /** Whether a test or hook of this file has failed in this run. */
  failed = false;

  /** @param {import('@jest/types').Circus.Event} event */
  async handleTestEvent(event) {
    if (process.env[ACTIVE_MUTANT] === undefined) return;
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      this.failed = true;
    } else if (event.name === 'test_start' && this.failed) {
      event.test.mode = 'skip';
    }
  }
}

module.exports = FailFastEnvironment;
