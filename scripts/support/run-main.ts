/**
 * Runs a script's `main` so that a failure is one line a person can act on
 * (`name: message`, exit code 2) instead of a stack trace.
 */
export function runMain(name: string, main: () => number | void): void {
  try {
    process.exitCode = main() ?? 0;
  } catch (e) {
    console.error(`${name}: ${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim()}`);
    process.exitCode = 2;
  }
}

/** The value after `--flag`, or undefined when the flag is absent; throws when the flag has no value. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
  return value;
}
