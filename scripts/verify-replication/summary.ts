import { CheckResult } from './check-result';
import { oneLine } from './sdk-errors';

const OUTCOME_LABELS: Record<CheckResult['outcome'], string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };

/**
 * The human summary: one line per check (outcome, key name for keys from the key list, Region,
 * time, what it checks and, for failures and errors, why), then a totals line.
 */
export function formatSummary(results: readonly CheckResult[], elapsedMs: number, reportPath: string): string[] {
  const regionWidth = Math.max(0, ...results.map((result) => result.region.length));
  const keyWidth = Math.max(0, ...results.map((result) => result.key?.length ?? 0));
  const lines = results.map((result) => {
    const why = result.outcome === 'pass' ? '' : ` -- ${oneLine(result.message ?? '')}`;
    const key = keyWidth === 0 ? '' : `${(result.key ?? '').padEnd(keyWidth)} `;
    return (
      `${OUTCOME_LABELS[result.outcome].padEnd(5)} ${key}${result.region.padEnd(regionWidth)} ` +
      `${String(Math.round(result.durationMs)).padStart(6)} ms  ${result.family}: ${result.name}${why}`
    );
  });
  const count = (outcome: CheckResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
  lines.push(
    `TOTAL ${results.length} checks: ${count('pass')} passed, ${count('fail')} failed, ${count('error')} errors ` +
      `in ${Math.round(elapsedMs)} ms; JUnit report: ${reportPath}`,
  );
  return lines;
}
