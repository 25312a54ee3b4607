import { KmsCallError } from './kms-clients';
import { classifyError, ErrorKind } from './sdk-errors';

/** The groups of checks; each becomes one JUnit test suite. */
export const CHECK_FAMILIES = [
  'primary-key',
  'replica-keys',
  'round-trip-primary-to-replicas',
  'round-trip-replicas-to-primary',
  'alias',
  'key-rotation',
  'no-replica-regions',
] as const;

export type CheckFamily = (typeof CHECK_FAMILIES)[number];

/** `fail`: KMS answered and the answer is wrong. `error`: the check could not get an answer. */
export type CheckOutcome = 'pass' | 'fail' | 'error';

export interface CheckResult {
  /** The name of the key checked, from the key list; absent for the single-key inputs. */
  readonly key?: string;
  readonly family: CheckFamily;
  readonly region: string;
  /** What the check proves, e.g. `replica key is an enabled REPLICA of the primary`. */
  readonly name: string;
  readonly outcome: CheckOutcome;
  /** Why it failed or errored (`expected ..., got ...`), or a note on a pass. */
  readonly message?: string;
  /** Error name for `error` outcomes (`TimeoutError`, `ECONNREFUSED`). */
  readonly errorType?: string;
  /** Why there was no answer, for `error` outcomes. */
  readonly errorKind?: ErrorKind;
  readonly durationMs: number;
}

/** What a check body decides; thrown errors are turned into verdicts by {@link runCheck}. */
export interface Verdict {
  readonly outcome: CheckOutcome;
  readonly message?: string;
  readonly errorType?: string;
  readonly errorKind?: ErrorKind;
}

export interface CheckSpec {
  readonly family: CheckFamily;
  readonly region: string;
  readonly name: string;
}

/** Builds a verdict from a list of problems: pass when there are none. */
export function verdictFrom(problems: readonly string[]): Verdict {
  return problems.length === 0 ? { outcome: 'pass' } : { outcome: 'fail', message: problems.join('; ') };
}

/**
 * Times one check. An error thrown by the body is a `fail` when KMS refused the call
 * (the key is missing, disabled, ...) and an `error` when KMS never answered.
 */
export async function runCheck(spec: CheckSpec, now: () => number, body: () => Promise<Verdict>): Promise<CheckResult> {
  const started = now();
  let verdict: Verdict;
  try {
    verdict = await body();
  } catch (error) {
    verdict = verdictForError(error);
  }
  return { ...spec, ...verdict, durationMs: Math.max(0, now() - started) };
}

function verdictForError(error: unknown): Verdict {
  const call = error instanceof KmsCallError ? `${error.operation} in ${error.region}` : 'the check';
  const classified = classifyError(error instanceof KmsCallError ? error.cause : error);
  return classified.kind === 'refusal'
    ? { outcome: 'fail', message: `expected ${call} to succeed, got ${classified.detail}` }
    : {
        outcome: 'error',
        message: `${call}: ${classified.detail}`,
        errorType: classified.type,
        errorKind: classified.kind,
      };
}
