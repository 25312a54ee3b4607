/**
 * `jest.config.js` maps `@aws-cdk/aws-service-spec` to this module, for every test run and for mutation testing.
 *
 * Jest gives every test file a module registry of its own, and Stryker reruns the replacement guard's tests for every
 * change it makes to the guard: each time, CloudFormation's resource specification database would be loaded again,
 * about 1.4 s, more than the tests themselves. This module loads the real database once per test process (see
 * `processWide`). The database and the guard's code are unchanged; only the second and later loads are skipped.
 */
import * as path from 'node:path';
import { processWide } from './process-wide';

// By path: the package name is mapped to this module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const actual = require(path.join(__dirname, '..', '..', 'node_modules', '@aws-cdk', 'aws-service-spec'));

module.exports = {
  ...actual,
  loadAwsServiceSpecSync: () => processWide('aws-service-spec.database', () => actual.loadAwsServiceSpecSync()),
};
