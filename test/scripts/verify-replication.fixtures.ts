import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { KeyInputs, RunInputs, VerificationInputs } from '../../scripts/verify-replication/inputs';
import { MultiRegionKeyArn, parseMultiRegionKeyArn } from '../../scripts/verify-replication/key-arn';
import { keyArn } from './fake-kms';

export const PRIMARY_REGION = 'us-east-1';
export const REPLICA_REGIONS = ['eu-west-1', 'ap-southeast-2'] as const;
export const NO_REPLICA_REGIONS = ['us-west-2'] as const;
export const ALIAS = 'alias/app-data';
export const PRIMARY_ARN = keyArn(PRIMARY_REGION);

/** The inputs of a single-key run: one unnamed key and the shared settings, overridable as one flat object. */
export function verificationInputs(overrides: Partial<Omit<VerificationInputs, 'name'>> & { readonly roleArn?: string } = {}): RunInputs {
  const { primaryKey, alias, expectKeyRotation, ...shared } = { ...singleKeyInputs(), ...overrides };
  return { ...shared, keys: [{ primaryKey, alias, expectKeyRotation }] };
}

/** The inputs of a run over the key list `keys`, with the shared settings of {@link verificationInputs}. */
export function keyListInputs(keys: readonly KeyInputs[], overrides: Partial<RunInputs> = {}): RunInputs {
  return { ...verificationInputs(), keys, ...overrides };
}

/** A key of the key list whose primary is in {@link PRIMARY_REGION}. */
export function listedKey(name: string, keyId: string, alias?: string, expectKeyRotation = true): KeyInputs {
  return { name, primaryKey: parsedKeyArn(keyArn(PRIMARY_REGION, keyId)), alias, expectKeyRotation };
}

function singleKeyInputs(): VerificationInputs {
  return {
    primaryKey: parsedKeyArn(PRIMARY_ARN),
    replicaRegions: [...REPLICA_REGIONS],
    noReplicaRegions: [...NO_REPLICA_REGIONS],
    retiredReplicaRegions: [],
    alias: ALIAS,
    expectKeyRotation: true,
    reportPath: 'reports/unused.xml',
    timeoutMs: 2_000,
    maxAttempts: 1,
    permissionWaitSeconds: 0,
  };
}

function parsedKeyArn(arn: string): MultiRegionKeyArn {
  const key = parseMultiRegionKeyArn(arn);
  if (typeof key === 'string') {
    throw new Error(`test setup: ${key}`);
  }
  return key;
}

export interface JUnitTestcase {
  readonly classname: string;
  readonly name: string;
  readonly time: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly '#text'?: string };
  readonly error?: { readonly message: string; readonly type: string; readonly '#text'?: string };
  readonly 'system-out'?: string;
}

export interface JUnitTestsuite {
  readonly name: string;
  readonly tests: string;
  readonly failures: string;
  readonly errors: string;
  readonly time: string;
  readonly testcase: JUnitTestcase[];
}

export interface JUnitReport {
  readonly testsuites: {
    readonly name: string;
    readonly tests: string;
    readonly failures: string;
    readonly errors: string;
    readonly time: string;
    readonly testsuite: JUnitTestsuite[];
  };
}

/** Parses a JUnit file the way a consumer would, failing on malformed XML. */
export function parseJUnit(xml: string): JUnitReport {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new Error(`malformed JUnit XML: ${JSON.stringify(valid.err)}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (tagName) => tagName === 'testsuite' || tagName === 'testcase',
  });
  return parser.parse(xml) as JUnitReport;
}

export function allTestcases(report: JUnitReport): JUnitTestcase[] {
  return report.testsuites.testsuite.flatMap((suite) => suite.testcase);
}

export function suiteNamed(report: JUnitReport, name: string): JUnitTestsuite {
  const suite = report.testsuites.testsuite.find((candidate) => candidate.name === name);
  if (suite === undefined) {
    throw new Error(`no testsuite ${name} in ${report.testsuites.testsuite.map((s) => s.name).join(', ')}`);
  }
  return suite;
}
