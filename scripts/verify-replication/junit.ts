import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CHECK_FAMILIES, CheckResult } from './check-result';
import { oneLine } from './sdk-errors';

/**
 * JUnit XML in the shape CodeBuild's JUNITXML report format reads: one `<testsuite>` per
 * check family (per key, named after it, for keys from the key list), one `<testcase>` per
 * check. Suite times are the sum of their checks; the `<testsuites>` time is the wall-clock
 * time of the run, as checks overlap.
 */
export function toJUnitXml(results: readonly CheckResult[], elapsedMs: number): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="verify-replication"${countAttributes(results)} time="${seconds(elapsedMs)}">`,
  ];
  for (const suite of suites(results)) {
    const suiteMs = suite.results.reduce((sum, result) => sum + result.durationMs, 0);
    lines.push(`  <testsuite name="${attribute(suite.name)}"${countAttributes(suite.results)} skipped="0" time="${seconds(suiteMs)}">`);
    for (const result of suite.results) {
      lines.push(...testcase(result));
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function suites(results: readonly CheckResult[]): { name: string; results: CheckResult[] }[] {
  const keys = [...new Set(results.map((result) => result.key))];
  const named = keys.filter((key): key is string => key !== undefined);
  if (named.length === 0) {
    return CHECK_FAMILIES.map((family) => ({
      name: family,
      results: results.filter((result) => result.family === family),
    })).filter((suite) => suite.results.length > 0);
  }
  return named.map((key) => ({ name: key, results: results.filter((result) => result.key === key) }));
}

/** Writes the report, creating its directory. */
export function writeJUnitReport(path: string, results: readonly CheckResult[], elapsedMs: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, toJUnitXml(results, elapsedMs), 'utf8');
}

function testcase(result: CheckResult): string[] {
  const open =
    `    <testcase classname="verify-replication.${attribute(result.key === undefined ? result.family : `${result.key}.${result.family}`)}" ` +
    `name="${attribute(`${result.region}: ${result.name}`)}" time="${seconds(result.durationMs)}"`;
  const message = result.message ?? '';
  // The attribute is a one-line headline for report viewers; the element keeps the full text.
  const headline = attribute(oneLine(message));
  switch (result.outcome) {
    case 'fail':
      return [`${open}>`, `      <failure message="${headline}" type="AssertionError">${text(message)}</failure>`, '    </testcase>'];
    case 'error':
      return [
        `${open}>`,
        `      <error message="${headline}" type="${attribute(result.errorType ?? 'Error')}">${text(message)}</error>`,
        '    </testcase>',
      ];
    case 'pass':
      return message === '' ? [`${open}/>`] : [`${open}>`, `      <system-out>${text(message)}</system-out>`, '    </testcase>'];
  }
}

function countAttributes(results: readonly CheckResult[]): string {
  const count = (outcome: CheckResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
  return ` tests="${results.length}" failures="${count('fail')}" errors="${count('error')}"`;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** Characters XML 1.0 cannot carry at all, even escaped; error messages from the network may hold them. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attribute(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
