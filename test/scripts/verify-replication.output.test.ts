import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckResult } from '../../scripts/verify-replication/check-result';
import { toJUnitXml, writeJUnitReport } from '../../scripts/verify-replication/junit';
import { formatSummary } from '../../scripts/verify-replication/summary';
import { parseJUnit, suiteNamed } from './verify-replication.fixtures';

const RESULTS: CheckResult[] = [
  { family: 'primary-key', region: 'us-east-1', name: 'primary key is fine', outcome: 'pass', durationMs: 120.4 },
  {
    family: 'replica-keys',
    region: 'eu-west-1',
    name: 'replica key <is> "enabled"',
    outcome: 'fail',
    message: `expected KeyState Enabled, got Disabled & <more> "quoted" 'single'\nsecond line`,
    durationMs: 80,
  },
  {
    family: 'replica-keys',
    region: 'ap-southeast-2',
    name: 'replica key is fine',
    outcome: 'pass',
    message: 'a note',
    durationMs: 20,
  },
  {
    family: 'no-replica-regions',
    region: 'us-west-2',
    name: 'refused',
    outcome: 'error',
    message: 'ECONNREFUSED: bad \u0000byte\u001b',
    errorType: 'ECONNREFUSED',
    durationMs: 5,
  },
];

describe('JUnit report', () => {
  test('one suite per check family in use, with counts and times', () => {
    const junit = parseJUnit(toJUnitXml(RESULTS, 1500));

    expect(junit.testsuites).toMatchObject({
      name: 'verify-replication',
      tests: '4',
      failures: '1',
      errors: '1',
      time: '1.500',
    });
    expect(junit.testsuites.testsuite.map((suite) => suite.name)).toEqual(['primary-key', 'replica-keys', 'no-replica-regions']);
    expect(suiteNamed(junit, 'replica-keys')).toMatchObject({ tests: '2', failures: '1', errors: '0', time: '0.100' });
    expect(suiteNamed(junit, 'primary-key').testcase[0]).toEqual({
      classname: 'verify-replication.primary-key',
      name: 'us-east-1: primary key is fine',
      time: '0.120',
    });
  });

  test('escapes markup; the message attribute is one line, the element keeps the full text', () => {
    const xml = toJUnitXml(RESULTS, 0);
    const testcase = suiteNamed(parseJUnit(xml), 'replica-keys').testcase[0];

    expect(testcase.name).toBe('eu-west-1: replica key <is> "enabled"');
    expect(testcase.failure).toEqual({
      type: 'AssertionError',
      message: `expected KeyState Enabled, got Disabled & <more> "quoted" 'single' second line`,
      '#text': `expected KeyState Enabled, got Disabled & <more> "quoted" 'single'\nsecond line`,
    });
    expect(xml).toContain(
      'message="expected KeyState Enabled, got Disabled &amp; &lt;more&gt; &quot;quoted&quot; &apos;single&apos; second line"',
    );
  });

  test('an error is an <error>, not a <failure>, and characters XML cannot hold are replaced', () => {
    const xml = toJUnitXml(RESULTS, 0);
    const testcase = suiteNamed(parseJUnit(xml), 'no-replica-regions').testcase[0];

    expect(testcase.failure).toBeUndefined();
    expect(testcase.error).toMatchObject({ type: 'ECONNREFUSED', message: 'ECONNREFUSED: bad \uFFFDbyte\uFFFD' });
    expect([...xml].filter((c) => c === '\u0000' || c === '\u001b')).toEqual([]);
  });

  test('a note on a passing check goes to <system-out>', () => {
    const testcase = suiteNamed(parseJUnit(toJUnitXml(RESULTS, 0)), 'replica-keys').testcase[1];

    expect(testcase).toMatchObject({ 'system-out': 'a note' });
    expect(testcase.failure).toBeUndefined();
  });

  test('writeJUnitReport creates the parent directories', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-replication-junit-'));
    try {
      const path = join(dir, 'a', 'b', 'report.xml');
      writeJUnitReport(path, RESULTS, 10);
      expect(parseJUnit(readFileSync(path, 'utf8')).testsuites.tests).toBe('4');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JUnit report of keys from the key list', () => {
  const KEYED: CheckResult[] = [
    { key: 'app-data', family: 'primary-key', region: 'us-east-1', name: 'primary', outcome: 'pass', durationMs: 10 },
    { key: 'app-data', family: 'replica-keys', region: 'eu-west-1', name: 'replica', outcome: 'fail', message: 'wrong', durationMs: 20 },
    { key: 'logs', family: 'primary-key', region: 'us-east-1', name: 'primary', outcome: 'pass', durationMs: 30 },
    { key: 'logs', family: 'no-replica-regions', region: 'us-west-2', name: 'refused', outcome: 'error', message: 'x', durationMs: 5 },
  ];

  test('one suite per key, in the order of the keys, with the family in each classname', () => {
    const junit = parseJUnit(toJUnitXml(KEYED, 100));

    expect(junit.testsuites).toMatchObject({ tests: '4', failures: '1', errors: '1', time: '0.100' });
    expect(junit.testsuites.testsuite.map((suite) => [suite.name, suite.tests, suite.failures, suite.errors, suite.time])).toEqual([
      ['app-data', '2', '1', '0', '0.030'],
      ['logs', '2', '0', '1', '0.035'],
    ]);
    expect(suiteNamed(junit, 'logs').testcase.map((testcase) => [testcase.classname, testcase.name])).toEqual([
      ['verify-replication.logs.primary-key', 'us-east-1: primary'],
      ['verify-replication.logs.no-replica-regions', 'us-west-2: refused'],
    ]);
  });

  test('the summary has a column of key names', () => {
    expect(formatSummary(KEYED, 100, 'r.xml')).toEqual([
      'PASS  app-data us-east-1     10 ms  primary-key: primary',
      'FAIL  app-data eu-west-1     20 ms  replica-keys: replica -- wrong',
      'PASS  logs     us-east-1     30 ms  primary-key: primary',
      'ERROR logs     us-west-2      5 ms  no-replica-regions: refused -- x',
      'TOTAL 4 checks: 2 passed, 1 failed, 1 errors in 100 ms; JUnit report: r.xml',
    ]);
  });
});

describe('summary', () => {
  test('one line per check with outcome, Region and milliseconds, then totals', () => {
    const lines = formatSummary(RESULTS, 1499.6, 'reports/x.xml');

    expect(lines).toEqual([
      'PASS  us-east-1         120 ms  primary-key: primary key is fine',
      `FAIL  eu-west-1          80 ms  replica-keys: replica key <is> "enabled" -- expected KeyState Enabled, got Disabled & <more> "quoted" 'single' second line`,
      'PASS  ap-southeast-2     20 ms  replica-keys: replica key is fine',
      'ERROR us-west-2           5 ms  no-replica-regions: refused -- ECONNREFUSED: bad \u0000byte\u001b',
      'TOTAL 4 checks: 2 passed, 1 failed, 1 errors in 1500 ms; JUnit report: reports/x.xml',
    ]);
  });
});
