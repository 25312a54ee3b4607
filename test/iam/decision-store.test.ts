import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ABANDONED_AFTER_MS, decisionStore, MAX_STORED_DECISIONS, storedDecisions as open, StoreLocations } from './decision-store';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-decisions-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The store that `caller` would open in `locations`, saving unless told otherwise. */
function storedDecisions<T>(caller: string, locations: StoreLocations) {
  return open<T>(decisionStore(caller, { saving: true, ...locations }));
}

/**
 * A fresh store directory, a caller source file (as ./simulator.ts is to the real store) and an installed simulator
 * of two packages.
 */
function fixture(): { store: StoreLocations; caller: string; install: (name: string, version: string) => void } {
  n += 1;
  const caller = path.join(dir, `caller-${n}.ts`);
  fs.writeFileSync(caller, 'export const caller = 1;\n');
  const store = { store: path.join(dir, `store-${n}`), simulatorPackages: path.join(dir, `packages-${n}`) };
  const install = (name: string, version: string) => {
    fs.mkdirSync(path.join(store.simulatorPackages, name), { recursive: true });
    fs.writeFileSync(path.join(store.simulatorPackages, name, 'package.json'), JSON.stringify({ name: `@cloud-copilot/${name}`, version }));
  };
  install('iam-simulate', '0.1.173');
  install('iam-policy', '0.1.90');
  return { store, caller, install };
}

/** A fixture whose store holds one saved decision, 'q' Allowed, in `file`. */
function savedFixture(): ReturnType<typeof fixture> & { file: string } {
  const made = fixture();
  const first = storedDecisions<string>(made.caller, made.store);
  first.set('q', 'Allowed');
  first.save();
  return { ...made, file: storedFiles(made.store)[0] };
}

const storedFiles = (store: StoreLocations) => fs.readdirSync(store.store).filter((name) => name.endsWith('.json'));

describe('the IAM decisions kept between test runs', () => {
  test('a decision saved by one process is known to the next, under the same question only', () => {
    const { store, caller } = fixture();
    const first = storedDecisions<string>(caller, store);
    first.set('["role/a","kms:Decrypt"]', 'Allowed');
    first.save();
    const next = storedDecisions<string>(caller, store);
    expect(next.get('["role/a","kms:Decrypt"]')).toBe('Allowed');
    expect(next.get('["role/a","kms:Encrypt"]')).toBeUndefined();
  });

  test('nothing is known before it is saved, and nothing is written when nothing is new', () => {
    const { store, caller } = fixture();
    const first = storedDecisions<string>(caller, store);
    first.save();
    expect(fs.existsSync(store.store)).toBe(false);
    first.set('q', 'ImplicitlyDenied');
    expect(storedDecisions<string>(caller, store).get('q')).toBeUndefined();
  });

  test('a change to the calling module starts an empty store and removes the old one', () => {
    const { store, caller } = savedFixture();
    fs.writeFileSync(caller, 'export const caller = 2;\n');
    const after = storedDecisions<string>(caller, store);
    expect(after.get('q')).toBeUndefined();
    after.set('q', 'ExplicitlyDenied');
    after.save();
    expect(storedFiles(store)).toHaveLength(1);
    expect(storedDecisions<string>(caller, store).get('q')).toBe('ExplicitlyDenied');
  });

  test('another version of any simulator package starts an empty store', () => {
    const { store, caller, install } = savedFixture();
    install('iam-policy', '0.1.91');
    expect(storedDecisions<string>(caller, store).get('q')).toBeUndefined();
    install('iam-policy', '0.1.90');
    expect(storedDecisions<string>(caller, store).get('q')).toBe('Allowed');
  });

  test('two processes that save keep both their decisions', () => {
    const { store, caller } = fixture();
    const one = storedDecisions<string>(caller, store);
    const two = storedDecisions<string>(caller, store);
    one.set('from one', 'Allowed');
    two.set('from two', 'ImplicitlyDenied');
    one.save();
    two.save();
    const next = storedDecisions<string>(caller, store);
    expect([next.get('from one'), next.get('from two')]).toEqual(['Allowed', 'ImplicitlyDenied']);
  });

  test('an unreadable store is an empty one, and the next save replaces it', () => {
    const { store, caller, file } = savedFixture();
    fs.writeFileSync(path.join(store.store, file), '{"trunc');
    const next = storedDecisions<string>(caller, store);
    expect(next.get('q')).toBeUndefined();
    next.set('r', 'Allowed');
    next.save();
    expect(Object.values(JSON.parse(fs.readFileSync(path.join(store.store, file), 'utf8')))).toEqual(['Allowed']);
  });

  test(`past ${MAX_STORED_DECISIONS} decisions, only those the saving process used stay`, () => {
    const { store, caller } = fixture();
    const old = storedDecisions<string>(caller, store);
    for (let i = 0; i < MAX_STORED_DECISIONS; i += 1) old.set(`old ${i}`, 'Allowed');
    old.save();
    const next = storedDecisions<string>(caller, store);
    expect(next.get('old 7')).toBe('Allowed');
    next.set('new', 'ImplicitlyDenied');
    next.save();
    const kept = storedDecisions<string>(caller, store);
    expect([kept.get('old 7'), kept.get('new'), kept.get('old 8')]).toEqual(['Allowed', 'ImplicitlyDenied', undefined]);
    const [file] = storedFiles(store);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(store.store, file), 'utf8')))).toHaveLength(2);
  });

  test('a store that does not save (as under mutation testing) still answers from disk, and writes nothing', () => {
    const { store, caller, file } = savedFixture();
    const before = fs.readFileSync(path.join(store.store, file), 'utf8');
    const readOnly = storedDecisions<string>(caller, { ...store, saving: false });
    expect(readOnly.get('q')).toBe('Allowed');
    readOnly.set('r', 'ImplicitlyDenied');
    expect(readOnly.get('r')).toBe('ImplicitlyDenied');
    readOnly.save();
    expect(fs.readFileSync(path.join(store.store, file), 'utf8')).toBe(before);
    expect(storedDecisions<string>(caller, store).get('r')).toBeUndefined();
  });

  test('saves under Stryker only when told to: its instrumented code sets __stryker__', () => {
    const { store, caller } = fixture();
    expect(decisionStore(caller, store).saving).toBe(true);
    (globalThis as Record<string, unknown>).__stryker__ = {};
    try {
      expect(decisionStore(caller, store).saving).toBe(false);
    } finally {
      delete (globalThis as Record<string, unknown>).__stryker__;
    }
  });

  test(`a save removes temporary files older than ${ABANDONED_AFTER_MS / 60_000} minutes, and leaves younger ones`, () => {
    const { store, caller, file } = savedFixture();
    const abandoned = path.join(store.store, `${file}.4242`);
    const inProgress = path.join(store.store, `${file}.4343`);
    fs.writeFileSync(abandoned, '{}');
    fs.writeFileSync(inProgress, '{}');
    const old = new Date(Date.now() - ABANDONED_AFTER_MS - 60_000);
    fs.utimesSync(abandoned, old, old);
    const next = storedDecisions<string>(caller, store);
    next.set('r', 'Allowed');
    next.save();
    expect(fs.readdirSync(store.store).sort()).toEqual([file, `${file}.4343`]);
  });
});
