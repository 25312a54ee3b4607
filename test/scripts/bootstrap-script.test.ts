/**
 * The bootstrap's printed script, run by bash against a fake AWS CLI that applies IAM's rules for managed
 * policy versions (test/helpers/fake-aws-cli.ts). Kept apart from bootstrap.test.ts, which mutation testing
 * reruns for every change to the policies: these tests start processes and take seconds.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootstrapDeps, main } from '../../scripts/bootstrap';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { configWith, exampleRawConfig } from '../helpers/config';
import { FakeAwsCli, fakeAwsCli } from '../helpers/fake-aws-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-bootstrap-script-'));
const cdkJsonPath = path.join(tmp, 'cdk.json');
fs.writeFileSync(cdkJsonPath, JSON.stringify({ context: { kmsMultiRegion: exampleRawConfig() } }));

/** What `npm run bootstrap` prints (a dry run) for the example configuration. */
function printedScript(): string[] {
  const stdout: string[] = [];
  const deps: BootstrapDeps = {
    io: { stdout: (line) => stdout.push(line), stderr: () => undefined },
    runner: () => ({ status: 0 }),
    cwd: tmp,
    cdkJsonPath,
  };
  expect(main([], deps)).toBe(0);
  return stdout;
}

describe("the printed script, run against IAM (a fake AWS CLI with IAM's rules)", () => {
  const BOUNDARY = 'arn:aws:iam::111111111111:policy/kms-mrk-permissions-boundary';
  const printed = printedScript();
  /** The lines that write the boundary's document and create or update its policy. */
  const boundaryBlock = (() => {
    const start = printed.indexOf("cat > kms-mrk-permissions-boundary.json <<'POLICY'");
    return printed.slice(start, printed.indexOf('fi', start) + 1).join('\n');
  })();
  const run = (cli: FakeAwsCli, script: string) => {
    const cwd = fs.mkdtempSync(path.join(tmp, 'run-'));
    return spawnSync('bash', ['-c', script], { cwd, env: cli.env, encoding: 'utf8' }).status;
  };

  test('creates the three policies on a first run, each with its printed document', () => {
    const cli = fakeAwsCli(tmp);
    expect(run(cli, printed.join('\n'))).toBe(0);
    expect(cli.errors()).toEqual(['get-policy: NoSuchEntity', 'get-policy: NoSuchEntity', 'get-policy: NoSuchEntity']);
    const policies = cli.policies();
    expect(Object.keys(policies).sort()).toEqual([
      'arn:aws:iam::111111111111:policy/kms-mrk-cfn-execution',
      'arn:aws:iam::111111111111:policy/kms-mrk-cfn-execution-monitoring',
      BOUNDARY,
    ]);
    expect(Object.values(policies).map((versions) => versions.map((v) => [v.VersionId, v.IsDefaultVersion]))).toEqual([
      [['v1', true]],
      [['v1', true]],
      [['v1', true]],
    ]);
    expect(JSON.parse(policies[BOUNDARY][0].document)).toEqual(permissionsBoundary(configWith()).document);
  });

  test('updates a policy at the quota of 5 versions, run after run, deleting only the oldest that is not the default', () => {
    const cli = fakeAwsCli(tmp);
    cli.seed(BOUNDARY, 5, 'v5');
    expect(run(cli, boundaryBlock)).toBe(0);
    expect(run(cli, boundaryBlock)).toBe(0);
    expect(cli.errors()).toEqual([]);
    const versions = cli.policies()[BOUNDARY];
    expect(versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v3', false],
      ['v4', false],
      ['v5', false],
      ['v6', false],
      ['v7', true],
    ]);
    expect(JSON.parse(versions[4].document)).toEqual(permissionsBoundary(configWith()).document);
  });

  test('keeps a default that is not the newest (a rollback to v2) and deletes the oldest other version', () => {
    const cli = fakeAwsCli(tmp);
    cli.seed(BOUNDARY, 5, 'v2');
    expect(run(cli, boundaryBlock)).toBe(0);
    expect(cli.errors()).toEqual([]);
    expect(cli.policies()[BOUNDARY].map((v) => v.VersionId)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
  });

  test('the fake holds IAM to its rules: a sixth version without the deletion fails, and so does deleting the default', () => {
    const cli = fakeAwsCli(tmp);
    cli.seed(BOUNDARY, 5, 'v5');
    expect(run(cli, `echo {} > p.json && aws iam create-policy-version --policy-arn ${BOUNDARY} --policy-document file://p.json`)).not.toBe(
      0,
    );
    expect(run(cli, `aws iam delete-policy-version --policy-arn ${BOUNDARY} --version-id v5`)).not.toBe(0);
    expect(cli.errors()).toEqual(['create-policy-version: LimitExceeded', 'delete-policy-version: DeleteConflict']);
  });
});
