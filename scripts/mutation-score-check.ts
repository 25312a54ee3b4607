/**
 * Fails unless every file in mutation-targets.json reaches its mutation score, file by file
 * (Stryker's own `thresholds.break` applies to a run as a whole). Reads the JSON reports that
 * `npm run test:mutation` has just written, one per run, and prints one line per file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runMain } from './support/run-main';

export interface MutationTargets {
  readonly minimumScore: number;
  readonly files: readonly string[];
  readonly inlinedFiles: readonly string[];
}

/** The part of Stryker's JSON report (mutation-testing-report-schema) that the score needs. */
export interface MutationReport {
  readonly files: Record<string, { readonly mutants: ReadonlyArray<{ readonly status: string }> }>;
}

/** The reports of the two runs, as stryker.config.mjs names them. */
export const REPORT_FILES = ['reports/mutation/main.json', 'reports/mutation/inlined.json'];

const PROJECT_ROOT = path.resolve(__dirname, '..');
const DETECTED = ['Killed', 'Timeout'];
const UNDETECTED = ['Survived', 'NoCoverage'];

/** Stryker's mutation score: detected mutants over valid ones (errors and ignored mutants do not count). */
export function mutationScore(statuses: readonly string[]): number | undefined {
  const detected = statuses.filter((s) => DETECTED.includes(s)).length;
  const valid = detected + statuses.filter((s) => UNDETECTED.includes(s)).length;
  return valid === 0 ? undefined : (100 * detected) / valid;
}

/** One line per listed file, and whether every file reached the minimum. */
export function checkScores(targets: MutationTargets, reports: readonly MutationReport[]): { lines: string[]; passed: boolean } {
  const lines: string[] = [];
  let passed = true;
  for (const file of [...targets.files, ...targets.inlinedFiles]) {
    const entry = reports.map((report) => report.files[file]).find((f) => f !== undefined);
    const score = entry && mutationScore(entry.mutants.map((m) => m.status));
    if (score === undefined) {
      passed = false;
      lines.push(`FAIL ${file}: no mutant was tested (is the file in a run's mutate list?)`);
    } else if (score < targets.minimumScore) {
      passed = false;
      lines.push(`FAIL ${file}: ${score.toFixed(2)}% is under ${targets.minimumScore}%`);
    } else {
      lines.push(`ok   ${file}: ${score.toFixed(2)}%`);
    }
  }
  return { lines, passed };
}

function main(): number {
  const read = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'));
  const { lines, passed } = checkScores(read('mutation-targets.json') as MutationTargets, REPORT_FILES.map(read) as MutationReport[]);
  lines.forEach((line) => console.log(line));
  return passed ? 0 : 1;
}

if (require.main === module) {
  runMain('mutation-score-check', main);
}
