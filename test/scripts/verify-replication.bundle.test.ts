import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { ACCOUNT_ID, FakeKms, keyArn, OTHER_KEY_ID } from './fake-kms';
import { KmsStubServer, startKmsStubServer } from './kms-stub-server';
import { startStsStubServer, StsStubServer } from './sts-stub-server';
import {
  ALIAS,
  NO_REPLICA_REGIONS,
  parseJUnit,
  PRIMARY_ARN,
  PRIMARY_REGION,
  REPLICA_REGIONS,
  suiteNamed,
} from './verify-replication.fixtures';

/**
 * The pipeline runs the esbuild bundle with plain `node`, away from node_modules, so these
 * tests build it the way `npm run bundle` does and run it as a child process against the
 * local KMS stub.
 */

const REPO_ROOT = join(__dirname, '..', '..');
const ENTRY_POINT = 'scripts/verify-replication.ts';

let workDir: string;
let bundle: string;

beforeAll(() => {
  // Outside the repository, so that nothing can be resolved from node_modules at run time.
  workDir = mkdtempSync(join(tmpdir(), 'verify-replication-bundle-'));
  bundle = join(workDir, 'verify-replication.js');
  const result = buildSync({
    absWorkingDir: REPO_ROOT,
    entryPoints: [ENTRY_POINT],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: bundle,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly cwd: string;
}

/** Runs the bundle in a fresh directory; asynchronous, so that the in-process stub keeps answering. */
function runBundle(args: string[], env: Record<string, string>): Promise<ChildRun> {
  const cwd = mkdtempSync(join(workDir, 'run-'));
  const child = spawn(process.execPath, [bundle, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: cwd,
      AWS_CONFIG_FILE: join(cwd, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, cwd }));
  });
}

function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    PRIMARY_KEY_ARN: PRIMARY_ARN,
    REPLICA_REGIONS: REPLICA_REGIONS.join(','),
    NO_REPLICA_REGIONS: NO_REPLICA_REGIONS.join(','),
    KEY_ALIAS: ALIAS,
  };
}

function healthyKms(): FakeKms {
  return FakeKms.healthy({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, alias: ALIAS });
}

async function withStub<T>(fake: FakeKms, body: (stub: KmsStubServer) => Promise<T>): Promise<T> {
  const stub = await startKmsStubServer(fake);
  try {
    return await body(stub);
  } finally {
    await stub.close();
  }
}

/** A local port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('npm run bundle builds the same entry point for node20, and the preflight beside it', () => {
  const script = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.bundle as string;

  expect(script).toMatch(new RegExp(`^esbuild ${ENTRY_POINT} scripts/preflight-replica-regions.ts `));
  for (const flag of ['--bundle', '--platform=node', '--target=node20', '--outdir=dist/verify']) {
    expect(script.split(' ')).toContain(flag);
  }
});

test('--help works from the bundle alone', async () => {
  const run = await runBundle(['--help'], {});

  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/^Usage: verify-replication/);
});

test('exits 0 against a healthy stub and writes the JUnit report', async () => {
  const run = await withStub(healthyKms(), (stub) => runBundle([], awsEnv(stub.url)));

  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^TOTAL 13 checks: 13 passed, 0 failed, 0 errors in \d+ ms; JUnit report: reports\/verify-replication.xml$/m);
  const junit = parseJUnit(readFileSync(join(run.cwd, 'reports', 'verify-replication.xml'), 'utf8'));
  expect(junit.testsuites).toMatchObject({ tests: '13', failures: '0', errors: '0' });
});

test('exits 1 when a no-replica Region decrypts, and says so in the report', async () => {
  const fake = healthyKms();
  const [noReplicaRegion] = NO_REPLICA_REGIONS;
  fake.addKey(noReplicaRegion, { type: 'REPLICA', primaryArn: PRIMARY_ARN });

  const run = await withStub(fake, (stub) => runBundle(['--report', 'out/deep/report.xml'], awsEnv(stub.url)));

  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/^FAIL\s+us-west-2 .* -- expected Decrypt in us-west-2 to be refused/m);
  const reportPath = join(run.cwd, 'out', 'deep', 'report.xml');
  expect(existsSync(reportPath)).toBe(true);
  const suite = suiteNamed(parseJUnit(readFileSync(reportPath, 'utf8')), 'no-replica-regions');
  expect(suite).toMatchObject({ tests: '1', failures: '1', errors: '0' });
  expect(suite.testcase[0].failure?.message).toBe(
    `expected Decrypt in us-west-2 to be refused, got 32 bytes of plaintext from key ${keyArn(noReplicaRegion)}`,
  );
});

test('exits 2 with one line on stderr when KMS cannot be reached', async () => {
  const port = await closedPort();

  const run = await runBundle(['--max-attempts', '2'], awsEnv(`http://127.0.0.1:${port}`));

  expect(run.code).toBe(2);
  expect(run.stderr.split('\n').filter((line) => line !== '')).toEqual([
    `verify-replication: could not reach KMS (DescribeKey in us-east-1: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}; ` +
      '2 attempt(s)): check network access and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_KMS',
  ]);
});

test('exits 2 with one line on stderr when an input is missing', async () => {
  const env = awsEnv('http://127.0.0.1:1');
  delete env.REPLICA_REGIONS;

  const run = await runBundle([], env);

  expect(run.code).toBe(2);
  expect(run.stderr).toBe(
    'verify-replication: REPLICA_REGIONS (--replica-regions) is required: set it to the Regions that hold a replica, ' +
      'comma-separated (e.g. eu-west-1,ap-southeast-2)\n',
  );
});

describe('several keys and a role', () => {
  const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/kms-verify`;
  const ROLE_ACCESS_KEY_ID = 'ASIASTUBROLE';

  async function withStsStub<T>(deny: boolean, body: (sts: StsStubServer) => Promise<T>): Promise<T> {
    const sts = await startStsStubServer({ accessKeyId: ROLE_ACCESS_KEY_ID, deny });
    try {
      return await body(sts);
    } finally {
      await sts.close();
    }
  }

  test('verifies every key of VERIFY_KEYS in one run, one JUnit suite per key', async () => {
    const fake = healthyKms();
    fake.addHealthyKey({ primaryRegion: PRIMARY_REGION, replicaRegions: REPLICA_REGIONS, keyId: OTHER_KEY_ID });
    const env = awsEnv('');
    delete env.PRIMARY_KEY_ARN;
    delete env.KEY_ALIAS;
    env.VERIFY_KEYS = JSON.stringify([
      { name: 'app-data', primaryKeyArn: PRIMARY_ARN, alias: ALIAS },
      { name: 'logs', primaryKeyArn: keyArn(PRIMARY_REGION, OTHER_KEY_ID) },
    ]);

    const run = await withStub(fake, (stub) => runBundle([], { ...env, AWS_ENDPOINT_URL: stub.url }));

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const junit = parseJUnit(readFileSync(join(run.cwd, 'reports', 'verify-replication.xml'), 'utf8'));
    expect(junit.testsuites.testsuite.map((suite) => [suite.name, suite.tests, suite.failures, suite.errors])).toEqual([
      ['app-data', '13', '0', '0'],
      ['logs', '10', '0', '0'],
    ]);
  });

  test('assumes the role at AWS_ENDPOINT_URL_STS and signs every KMS call with its credentials', async () => {
    const fake = healthyKms();

    const { run, stsRequests, kmsAccessKeys } = await withStub(fake, (stub) =>
      withStsStub(false, async (sts) => ({
        run: await runBundle(['--role-arn', ROLE_ARN], { ...awsEnv(stub.url), AWS_ENDPOINT_URL_STS: sts.url }),
        stsRequests: sts.requests,
        kmsAccessKeys: stub.accessKeyIds,
      })),
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(stsRequests).toEqual([
      expect.objectContaining({
        Action: 'AssumeRole',
        RoleArn: ROLE_ARN,
        RoleSessionName: expect.stringMatching(/^kms-mrk-verify-[0-9a-f]{8}$/),
        DurationSeconds: '3600',
      }),
    ]);
    expect(kmsAccessKeys).toHaveLength(fake.calls.length);
    expect(new Set(kmsAccessKeys)).toEqual(new Set([ROLE_ACCESS_KEY_ID]));
  });

  test('exits 2 with one line naming the role when AssumeRole is denied, before calling KMS', async () => {
    const fake = healthyKms();

    const run = await withStub(fake, (stub) =>
      withStsStub(true, (sts) => runBundle([], { ...awsEnv(stub.url), AWS_ENDPOINT_URL_STS: sts.url, VERIFY_ROLE_ARN: ROLE_ARN })),
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `verify-replication: cannot assume the role ${ROLE_ARN} (AccessDenied: User: arn:aws:iam::111111111111:user/ci is not authorized ` +
        `to perform: sts:AssumeRole on resource: ${ROLE_ARN}): check that the role exists, that its trust policy allows this caller, ` +
        'and that the caller may call sts:AssumeRole on it\n',
    );
    expect(fake.calls).toEqual([]);
  });
});
