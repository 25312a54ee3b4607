import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDirectory, writeFileAtomically } from '../helpers/disk-cache';
import { ROOT } from '../helpers/config';

/**
 * The IAM policy simulator's decisions, kept on disk between test runs.
 *
 * The IAM tests ask the simulator about 4,500 questions, about 15 s of a test run here, and almost all of them are
 * the same from one run to the next. A decision is a pure function of the question (principal, action, resource,
 * context, and the SHA-256 of every policy: see `decide` in ./simulator.ts) and of the simulator. So the decisions
 * are stored under a name made of the installed simulator packages' versions and of the source of the module that
 * calls the simulator: a question whose policies changed is a new key and is simulated; an upgrade of the simulator,
 * or a change to how it is called, starts an empty store. A fresh clone (CI) simulates every question.
 */
export interface StoredDecisions<T> {
  get(key: string): T | undefined;
  set(key: string, decision: T): void;
  /** Writes the decisions made since the last save, merged with those on disk (another test process may have saved). */
  save(): void;
}

/** At most this many decisions stay on disk; past it, only those used by the last process that saved are kept. */
export const MAX_STORED_DECISIONS = 50_000;

const SIMULATOR_PACKAGES = path.join(ROOT, 'node_modules', '@cloud-copilot');
const STORE = cacheDirectory('kms-mrk-iam-decisions');

/** Where the decisions are kept, and where the simulator's packages are installed. */
export interface StoreLocations {
  readonly store: string;
  readonly simulatorPackages: string;
}

/** The decisions of the simulator that `callerFile` calls, as stored by earlier runs. */
export function storedDecisions<T>(
  callerFile: string,
  { store, simulatorPackages }: StoreLocations = { store: STORE, simulatorPackages: SIMULATOR_PACKAGES },
): StoredDecisions<T> {
  const file = path.join(store, `${storeName(callerFile, simulatorPackages)}.json`);
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
      unsaved.set(hash, decision);
    },
    save() {
      if (unsaved.size === 0) return;
      let merged = { ...readStore<T>(file), ...Object.fromEntries(unsaved) };
      if (Object.keys(merged).length > MAX_STORED_DECISIONS) {
        merged = Object.fromEntries([...used].map((hash) => [hash, known.get(hash) as T]));
      }
      writeFileAtomically(file, JSON.stringify(merged));
      unsaved.clear();
      // Stores of other simulator versions or callers are never read again.
      for (const other of fs.readdirSync(store)) {
        if (other.endsWith('.json') && path.join(store, other) !== file) fs.rmSync(path.join(store, other), { force: true });
      }
    },
  };
}

/** A name for the simulator as installed and as called: its packages' names and versions, and the caller's source. */
function storeName(callerFile: string, simulatorPackages: string): string {
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(simulatorPackages).sort()) {
    const manifest = JSON.parse(fs.readFileSync(path.join(simulatorPackages, name, 'package.json'), 'utf8'));
    hash.update(`${manifest.name}@${manifest.version}\0`);
  }
  hash.update(fs.readFileSync(callerFile));
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
