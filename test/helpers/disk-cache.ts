import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './config';

/**
 * Where the tests keep the results of pure, costly tools between runs (cfn-guard, the IAM policy simulator), next to
 * jest's, ESLint's and tsc's caches. Every entry is found by a hash of all that the tool reads, so a change to any
 * input is a miss; a fresh clone (CI) has none and runs the tools.
 */
export function cacheDirectory(name: string): string {
  return path.join(ROOT, 'node_modules', '.cache', name);
}

/** Writes `text` to `file` whole or not at all (a temporary file, then a rename), so a reader never sees half of it. */
export function writeFileAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}
