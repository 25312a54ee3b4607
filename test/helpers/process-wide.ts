/**
 * One value per test process, shared by every jest module registry in it.
 *
 * Jest gives every test file its own module registry, and mutation testing reruns a test file for every change
 * it makes, each time in a new registry: whatever a test file loads or computes is loaded and computed again.
 * Node.js built-in modules are the exception: jest hands every registry the same object. This keeps a value on
 * one of them, under a global symbol, so that a costly, unchanging thing (a library that is not under test, a
 * database, the results of a pure function) is built once per process.
 *
 * Only for values that no test changes: a value kept here outlives the test file that made it.
 */
// The built-in module object itself: an ES import would give this file a copy of its properties.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const holder = require('node:v8') as Record<symbol, unknown>;

/** The process's value named `name`, made by `create` the first time it is asked for. */
export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`kms-mrk.process-wide.${name}`);
  if (!(key in holder)) holder[key] = create();
  return holder[key] as T;
}
