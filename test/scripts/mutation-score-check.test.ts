import * as fs from 'fs';
import * as path from 'path';
import { checkScores, MutationReport, mutationScore, MutationTargets } from '../../scripts/mutation-score-check';
import targetsFile from '../../mutation-targets.json';

const TARGETS: MutationTargets = { minimumScore: 90, files: ['a.ts', 'b.ts'], inlinedFiles: ['c.js'] };

/** A report file entry with `killed` killed and `survived` surviving mutants, plus other statuses. */
function file(killed: number, survived: number, others: string[] = []) {
  return { mutants: [...Array(killed).fill('Killed'), ...Array(survived).fill('Survived'), ...others].map((status) => ({ status })) };
}

describe('mutationScore', () => {
  test('is detected (killed or timed out) over detected and undetected (survived or not covered)', () => {
    expect(mutationScore(['Killed', 'Timeout', 'Survived', 'NoCoverage'])).toBe(50);
    expect(mutationScore(['Killed', 'Killed', 'Killed', 'Survived'])).toBe(75);
  });

  test('leaves out mutants that were ignored or did not compile or run', () => {
    expect(mutationScore(['Killed', 'Ignored', 'CompileError', 'RuntimeError'])).toBe(100);
    expect(mutationScore(['Ignored', 'CompileError'])).toBeUndefined();
  });
});

describe('checkScores', () => {
  test('passes when every listed file reaches the minimum, reading each file from whichever run holds it', () => {
    const main: MutationReport = { files: { 'a.ts': file(9, 1), 'b.ts': file(10, 0) } };
    const inlined: MutationReport = { files: { 'c.js': file(19, 1) } };

    expect(checkScores(TARGETS, [main, inlined])).toEqual({
      passed: true,
      lines: ['ok   a.ts: 90.00%', 'ok   b.ts: 100.00%', 'ok   c.js: 95.00%'],
    });
  });

  test('fails naming every file under the minimum, even when the run as a whole reaches it', () => {
    const main: MutationReport = { files: { 'a.ts': file(89, 11), 'b.ts': file(1000, 0) } };
    const inlined: MutationReport = { files: { 'c.js': file(8, 2) } };

    expect(checkScores(TARGETS, [main, inlined])).toEqual({
      passed: false,
      lines: ['FAIL a.ts: 89.00% is under 90%', 'ok   b.ts: 100.00%', 'FAIL c.js: 80.00% is under 90%'],
    });
  });

  test('fails for a listed file that no run tested', () => {
    const main: MutationReport = { files: { 'a.ts': file(10, 0), 'b.ts': file(0, 0, ['Ignored']) } };

    const { passed, lines } = checkScores(TARGETS, [main]);

    expect(passed).toBe(false);
    expect(lines.slice(1)).toEqual([
      "FAIL b.ts: no mutant was tested (is the file in a run's mutate list?)",
      "FAIL c.js: no mutant was tested (is the file in a run's mutate list?)",
    ]);
  });
});

test('every file that mutation-targets.json lists exists, so none drops out of the run unnoticed', () => {
  const listed = [...targetsFile.files, ...targetsFile.inlinedFiles];
  expect(listed.filter((listedFile) => !fs.existsSync(path.join(__dirname, '../..', listedFile)))).toEqual([]);
  expect(new Set(listed).size).toBe(listed.length);
});
