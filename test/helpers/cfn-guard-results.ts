import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDirectory, writeFileAtomically } from './disk-cache';

/**
 * cfn-guard's results, kept on disk by the content of everything it reads.
 *
 * The Control Tower checks run the cfn-guard binary of `@cdklabs/cdk-validator-cfnguard` over every template
 * of the app: about 7 s for the whole app, most of it for the pipeline template, on every run of the tests.
 * cfn-guard is a pure function of its command line and of the files it names (the binary itself, the rule
 * files, the templates). While `run` runs, each invocation is looked up by a hash of those: the command line
 * with every path replaced by the SHA-256 of the file's bytes (of every file, for a directory). A change to
 * any template, rule or to the binary is a new key, so cfn-guard runs and its result is stored; only the
 * same bytes are answered from the store. Paths (the templates live in a fresh temporary directory on every
 * synth) are stored as placeholders and put back. A failed invocation is never stored.
 *
 * The store is `node_modules/.cache/kms-mrk-cfn-guard`: a fresh clone (CI) runs cfn-guard.
 */
const STORE = cacheDirectory('kms-mrk-cfn-guard');

type Exec = (commandLine: string[], options?: { json?: boolean; [option: string]: unknown }) => unknown;

/** `run`, with cfn-guard's results reused for inputs it has already seen. */
export function withCfnGuardResults<T>(run: () => T): T {
  // The validator's own module: it looks `exec` up on this object at every call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const utils: { exec: Exec } = require('@cdklabs/cdk-validator-cfnguard/lib/utils');
  const exec = utils.exec;
  utils.exec = (commandLine, options = {}) => stored(exec, commandLine, options);
  try {
    return run();
  } finally {
    utils.exec = exec;
  }
}

function stored(exec: Exec, commandLine: string[], options: { json?: boolean; [option: string]: unknown }): unknown {
  const paths = commandLine.filter((arg) => path.isAbsolute(arg) && fs.existsSync(arg));
  const key = createHash('sha256')
    .update(JSON.stringify([commandLine.map((arg) => (paths.includes(arg) ? contentHash(arg) : arg)), options]))
    .digest('hex');
  const file = path.join(STORE, `${key}.json`);
  const placeholder = (i: number) => `<<path ${i}>>`;
  if (fs.existsSync(file)) {
    let text = fs.readFileSync(file, 'utf8');
    paths.forEach((p, i) => (text = text.split(placeholder(i)).join(p)));
    return JSON.parse(text).result;
  }
  const result = exec(commandLine, options);
  let text = JSON.stringify({ result });
  // Longest first, so that a path is never replaced inside a longer one.
  [...paths.entries()].sort(([, a], [, b]) => b.length - a.length).forEach(([i, p]) => (text = text.split(p).join(placeholder(i))));
  writeFileAtomically(file, text);
  return result;
}

/** SHA-256 of a file's name and bytes, or of a directory's files (their paths from its name, and bytes, in order). */
function contentHash(target: string): string {
  const hash = createHash('sha256');
  const add = (p: string, relative: string): void => {
    if (fs.statSync(p).isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) add(path.join(p, entry), path.join(relative, entry));
    } else {
      hash.update(`${relative}\0`).update(fs.readFileSync(p)).update('\0');
    }
  };
  add(target, path.basename(target));
  return hash.digest('hex');
}
