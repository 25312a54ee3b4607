import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { ROOT } from '../helpers/config';

/** The IAM policy simulator is AGPL-3.0 licensed: tests may use it, nothing that is deployed or bundled may. */
const SIMULATOR_PACKAGES = /@cloud-copilot\//;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : /\.(ts|js)$/.test(name) ? [file] : [];
  });
}

test('only the tests import the IAM policy simulator', () => {
  const shipped = ['bin', 'lib', 'stages', 'scripts'].flatMap((dir) => sourceFiles(join(ROOT, dir)));
  expect(shipped.length).toBeGreaterThan(20);
  expect(shipped.filter((file) => SIMULATOR_PACKAGES.test(readFileSync(file, 'utf8')))).toEqual([]);
});

test('the simulator is a devDependency, never a dependency', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  expect(Object.keys(pkg.dependencies).filter((name) => SIMULATOR_PACKAGES.test(name))).toEqual([]);
  expect(Object.keys(pkg.devDependencies)).toContain('@cloud-copilot/iam-simulate');
});
