import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDirectory, writeFileAtomically } from '../helpers/disk-cache';
import { ROOT } from '../helpers/config';

/**
 * The IAM policy simulator's decisions, kept on disk between test runs.
 *
 * The IAM tests ask the simulator about 4,500 questions, about 15 s of a test run here, and almost all of them are
 * the same from one run to the next. A decision is a pure function of the question and of the simulator:
 * - the question is what `decide` in ./simulator.ts makes its key of: principal, action, resource, context, the
 *   resource's account, and the SHA-256 of every policy document;
 * - the simulator is named by the store: the names and versions of the packages in `node_modules/@cloud-copilot`
 *   (the simulator, its policy parser and its IAM data; none has a nested copy), the source of the module that calls
 *   it (./simulator.ts, which also adds context of its own), and the source of this module.
 *
 * A question whose policies changed is a new key and is simulated; an upgrade of the simulator, or a change to how it
 * is called or stored, opens an empty store. A fresh clone (CI) simulates every question. Code patched into the
 * installed packages without a new version would not be noticed.
 *
 * Two test processes that save at the same moment may each write the store without the other's new decisions: those
 * are simulated again on a later run. Mutation testing reads the store but does not add to it: its changed policies'
 * decisions are never asked again.
 */
export interface StoredDecisions<T> {
  get(key: string): T | undefined;
  set(key: string, decision: T): void;
  /** Writes the decisions made since the last save, merged with those on disk (another test process may have saved). */
  save(): void;
}

/** At most this many decisions stay on disk; past it, only those used by the last process that saved are kept. */
export const MAX_STORED_DECISIONS = 50_000;

/** A temporary file older than this was left by a process that stopped between writing and renaming it. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

const SIMULATOR_PACKAGES = path.join(ROOT, 'node_modules', '@cloud-copilot');
const STORE = cacheDirectory('kms-mrk-iam-decisions');

/** Where the decisions are kept, where the simulator's packages are installed, and whether new ones are saved. */
export interface StoreLocations {
  readonly store: string;
  readonly simulatorPackages: string;
  /** @default true, except while Stryker runs the tests (its instrumented code sets `__stryker__`) */
  readonly saving?: boolean;
}

/** One store of decisions: its name (see above) and file. */
export interface DecisionStore {
  readonly name: string;
  readonly file: string;
  readonly saving: boolean;
}

/** The store of the simulator as installed and as `callerFile` calls it. */
export function decisionStore(
  callerFile: string,
  { store, simulatorPackages, saving }: StoreLocations = { store: STORE, simulatorPackages: SIMULATOR_PACKAGES },
): DecisionStore {
  const name = storeName(callerFile, simulatorPackages);
  return { name, file: path.join(store, `${name}.json`), saving: saving ?? !('__stryker__' in globalThis) };
}

/** The decisions in `store`, as earlier runs saved them. */
export function storedDecisions<T>({ file, saving }: DecisionStore): StoredDecisions<T> {
  const known = new Map<string, T>(Object.entries(readStore<T>(file)));
  const used = new Set<string>();
  const unsaved = new Map<string, T>();
  const hashOf = (key: string) => createHash('sha256').update(key).digest('base64');
  return {
    get(key) {
      const hash = hashOf(key);
      const decision = known.get(hash);
      if (decision !== undefined) used.add(hash);
      return decision;
    },
    set(key, decision) {
      const hash = hashOf(key);
      known.set(hash, decision);
      used.add(hash);
      if (saving) unsaved.set(hash, decision);
    },
    save() {
      if (unsaved.size === 0) return;
      let merged = { ...readStore<T>(file), ...Object.fromEntries(unsaved) };
      if (Object.keys(merged).length > MAX_STORED_DECISIONS) {
        merged = Object.fromEntries([...used].map((hash) => [hash, known.get(hash) as T]));
      }
      writeFileAtomically(file, JSON.stringify(merged));
      unsaved.clear();
      removeOthers(file);
    },
  };
}

/**
 * Removes the stores of other simulators or callers, which are never read again, and temporary files that a process
 * left behind (another process's temporary file is younger, and is renamed in a moment).
 */
function removeOthers(file: string): void {
  const directory = path.dirname(file);
  for (const entry of fs.readdirSync(directory)) {
    const other = path.join(directory, entry);
    if (other === file) continue;
    const stat = fs.statSync(other, { throwIfNoEntry: false });
    const abandoned = stat !== undefined && Date.now() - stat.mtimeMs > ABANDONED_AFTER_MS;
    if (entry.endsWith('.json') || abandoned) fs.rmSync(other, { force: true });
  }
}

/** A name for the simulator as installed and as called: its packages' names and versions, the caller's source and this module's. */
function storeName(callerFile: string, simulatorPackages: string): string {
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(simulatorPackages).sort()) {
    const manifest = JSON.parse(fs.readFileSync(path.join(simulatorPackages, name, 'package.json'), 'utf8'));
    hash.update(`${manifest.name}@${manifest.version}\0`);
  }
  hash.update(fs.readFileSync(callerFile)).update('\0').update(fs.readFileSync(__filename));
  return hash.digest('hex');
}

function readStore<T>(file: string): Record<string, T> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    // None yet, or left unreadable: the simulator answers again.
    return {};
  }
}
