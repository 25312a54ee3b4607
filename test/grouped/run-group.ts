import * as path from 'path';
import groups from './groups.json';

/**
 * Runs the test files of one group of test/grouped/groups.json in this file's module registry,
 * so that they load aws-cdk-lib (and share synthesized apps) once instead of once per file.
 */
export function runGroup(name: keyof typeof groups): void {
  for (const file of groups[name]) {
    // A test file is loaded for its describe and test calls, as jest would load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(__dirname, '..', file));
  }
}
