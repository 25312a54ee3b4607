import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NO_BUNDLE_YET, VERIFY_BUNDLE_OBJECT_KEY, VERIFY_KEY_LIST_OBJECT_KEY } from '../lib/constructs/scheduled-verification';
import { VERIFY_KMS_ACTIONS } from '../lib/steps/verify-replication-step';
import { analyzePipeline } from '../scripts/pipeline-shape/analyze-pipeline';
import { parseKeyList } from '../scripts/verify-replication/key-list';
import { configWith, keysConfigWith, synthesizeOnce } from './helpers/app';
import { fakeAwsCli, FakeObjectVersion } from './helpers/fake-aws-cli';
import { buildCommands, pipelineOf, projectNamed } from './helpers/pipeline-template';

/*
 * The pipeline of several keys (config/example-keys.json): one verification run for every key, the preflight,
 * the approval and the scheduled verification about every key, and a pipeline stack that does not grow with them.
 */

const ARNS: Record<string, string> = {
  PRIMARY_KEY_ARN_APP_DATA: 'arn:aws:kms:us-east-1:111111111111:key/mrk-11111111111111111111111111111111',
  PRIMARY_KEY_ARN_LOGS: 'arn:aws:kms:us-east-1:111111111111:key/mrk-22222222222222222222222222222222',
  PRIMARY_KEY_ARN_BACKUPS: 'arn:aws:kms:us-east-1:111111111111:key/mrk-33333333333333333333333333333333',
};
const ALIASES = ['alias/app-data', 'alias/logs', 'alias/backups'];

/** The value of each environment variable of a CodeBuild project. */
function variablesOf(project: any): Record<string, unknown> {
  return Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
}

/** The build commands of a project, whether or not its buildspec holds a deploy-time value (a report group's name). */
function commandsOf(project: any): string[] {
  const spec = project.Properties.Source.BuildSpec;
  if (typeof spec === 'string') return buildCommands(project);
  const parts: unknown[] = spec['Fn::Join'][1];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')).phases.build.commands;
}

/** What `commands`, run by bash one after the other with `env`, leave in `VERIFY_KEYS`. */
function verifyKeysAfter(commands: readonly string[], env: Record<string, string>): string {
  const result = spawnSync('sh', ['-c', `${commands.join(' && ')} && printf '%s' "$VERIFY_KEYS"`], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  expect([result.status, result.stderr]).toEqual([0, '']);
  return result.stdout;
}

describe('the pipeline of several keys', () => {
  const { pipelineTemplate: template } = synthesizeOnce(keysConfigWith());
  const wave = pipelineOf(template).Stages[4].Actions;

  test('the verification step reads every key ARN from its own output of the primary key stack', () => {
    const verify = wave.find((a: any) => a.Name === 'VerifyReplication');
    expect(JSON.parse(verify.Configuration.EnvironmentVariables)).toEqual(
      ['APP_DATA', 'LOGS', 'BACKUPS'].map((name, i) => ({
        name: `PRIMARY_KEY_ARN_${name}`,
        type: 'PLAINTEXT',
        value: expect.stringMatching(
          new RegExp(`^#\\{PipelinePrimaryKeyStack[0-9A-F]+\\.${i === 0 ? '' : `Key${name.toLowerCase()}`}PrimaryKeyArn[0-9A-F]*\\}$`),
        ),
      })),
    );
  });

  test('verifies every key in one run: VERIFY_KEYS, as the program reads it, names each key with its ARN, alias and rotation', () => {
    const { project } = projectNamed(template, 'VerifyReplication');
    const commands = commandsOf(project);
    expect(commands.slice(0, 2)).toEqual([expect.stringMatching(/^export VERIFY_KEYS=/), 'node verify-replication.js']);
    const keys = parseKeyList(verifyKeysAfter([commands[0]], ARNS));
    expect(typeof keys === 'string' ? keys : keys.map((k) => [k.name, k.primaryKey.arn, k.alias, k.expectKeyRotation])).toEqual([
      ['app-data', ARNS.PRIMARY_KEY_ARN_APP_DATA, 'alias/app-data', true],
      ['logs', ARNS.PRIMARY_KEY_ARN_LOGS, 'alias/logs', true],
      ['backups', ARNS.PRIMARY_KEY_ARN_BACKUPS, 'alias/backups', true],
    ]);
    // The single-key inputs would clash with VERIFY_KEYS.
    expect(variablesOf(project)).not.toHaveProperty('KEY_ALIAS');
    expect(variablesOf(project)).not.toHaveProperty('EXPECT_KEY_ROTATION');
  });

  test('the verification role may use the keys that carry one of the project aliases, and no other', () => {
    const { statements } = projectNamed(template, 'VerifyReplication');
    expect(statements.find((s) => s.Sid === 'UseTheProjectKeyWhereItLives')).toEqual({
      Sid: 'UseTheProjectKeyWhereItLives',
      Effect: 'Allow',
      Action: [...VERIFY_KMS_ACTIONS].sort(),
      Resource: ['eu-west-1', 'us-east-1'].map((r) => `arn:aws:kms:${r}:111111111111:key/mrk-*`),
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ALIASES } },
    });
  });

  test('keeps the key list beside the bundle, after the run passed, and may write only those two objects', () => {
    const { project, statements } = projectNamed(template, 'VerifyReplication');
    const commands = commandsOf(project);
    expect(commands.slice(2)).toEqual([
      'aws s3 cp verify-replication.js "s3://$BUNDLE_BUCKET/$BUNDLE_KEY"',
      `printf '%s' "$VERIFY_KEYS" > keys.json`,
      'aws s3 cp keys.json "s3://$BUNDLE_BUCKET/$KEY_LIST_KEY"',
    ]);
    expect(variablesOf(project)).toMatchObject({ BUNDLE_KEY: VERIFY_BUNDLE_OBJECT_KEY, KEY_LIST_KEY: VERIFY_KEY_LIST_OBJECT_KEY });
    const puts = statements.filter((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(puts.map((s) => s.Resource.map((r: any) => r['Fn::Join'][1][1]).sort())).toEqual([
      [`/${VERIFY_KEY_LIST_OBJECT_KEY}`, `/${VERIFY_BUNDLE_OBJECT_KEY}`],
    ]);
  });

  test('the preflight checks every key, each with its ARN and alias, and may resolve only the project aliases', () => {
    const { project, statements } = projectNamed(template, 'PreflightReplicaRegions');
    expect(buildCommands(project)).toEqual([
      [
        'status=0',
        'PRIMARY_KEY_ARN="${PRIMARY_KEY_ARN_APP_DATA}" KEY_ALIAS="alias/app-data" node preflight-replica-regions.js || status=1',
        'PRIMARY_KEY_ARN="${PRIMARY_KEY_ARN_LOGS}" KEY_ALIAS="alias/logs" node preflight-replica-regions.js || status=1',
        'PRIMARY_KEY_ARN="${PRIMARY_KEY_ARN_BACKUPS}" KEY_ALIAS="alias/backups" node preflight-replica-regions.js || status=1',
        '[ "$status" = 0 ]',
      ].join('; '),
    ]);
    expect(variablesOf(project)).not.toHaveProperty('KEY_ALIAS');
    expect(statements.find((s) => s.Sid === 'ResolveTheAliasInReplicaRegions').Condition).toEqual({
      StringEquals: { 'kms:RequestAlias': ALIASES },
    });
    const preflight = wave.find((a: any) => a.Name === 'PreflightReplicaRegions');
    expect(JSON.parse(preflight.Configuration.EnvironmentVariables).map((v: any) => v.name)).toEqual(Object.keys(ARNS));
  });

  test('the preflight command checks every key, also after one fails, and then fails', () => {
    const [command] = buildCommands(projectNamed(template, 'PreflightReplicaRegions').project);
    // A stand-in for `node preflight-replica-regions.js`: prints what it was given, and fails for the logs key.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-preflight-keys-'));
    fs.writeFileSync(path.join(bin, 'node'), '#!/bin/sh\necho "$KEY_ALIAS $PRIMARY_KEY_ARN"\n[ "$KEY_ALIAS" != alias/logs ]\n', {
      mode: 0o755,
    });
    const run = (failing: boolean) =>
      spawnSync('sh', ['-c', failing ? command : command.replace(/alias\/logs"/, 'alias/logs-ok"')], {
        env: { PATH: `${bin}${path.delimiter}${process.env.PATH}`, ...ARNS },
        encoding: 'utf8',
      });
    const failed = run(true);
    expect([failed.status, failed.stdout.trim().split('\n')]).toEqual([
      1,
      [
        `alias/app-data ${ARNS.PRIMARY_KEY_ARN_APP_DATA}`,
        `alias/logs ${ARNS.PRIMARY_KEY_ARN_LOGS}`,
        `alias/backups ${ARNS.PRIMARY_KEY_ARN_BACKUPS}`,
      ],
    ]);
    expect(run(false).status).toBe(0);
  });

  test('the approval names every key', () => {
    const approval = wave.find((a: any) => a.Name === 'ApproveReplicas');
    expect(approval.Configuration.CustomData).toBe(
      'The 3 primary keys alias/app-data, alias/logs, alias/backups are deployed in us-east-1. Approving creates or updates their replicas ' +
        'in eu-west-1, then verifies for every key that ciphertext from us-east-1 decrypts there and not in ca-central-1.',
    );
  });

  test('the scheduled verification reads the key list, and only the bundle and the key list', () => {
    const { project, statements } = projectNamed(template, 'ScheduledVerificationProject');
    expect(variablesOf(project)).toMatchObject({ KEY_LIST_KEY: VERIFY_KEY_LIST_OBJECT_KEY });
    expect(variablesOf(project)).not.toHaveProperty('KEY_ALIAS');
    const read = statements.find((s) => s.Sid === 'ReadTheBundle');
    expect(read.Resource.map((r: any) => r['Fn::Join'][1][1]).sort()).toEqual([
      `/${VERIFY_KEY_LIST_OBJECT_KEY}`,
      `/${VERIFY_BUNDLE_OBJECT_KEY}`,
    ]);
    expect(statements.find((s) => s.Sid === 'ListTheBundleVersions').Condition).toEqual({
      StringEquals: { 's3:prefix': VERIFY_KEY_LIST_OBJECT_KEY },
    });
  });
});

describe('the scheduled build command of several keys, run by bash against a fake AWS CLI', () => {
  const { pipelineTemplate: template } = synthesizeOnce(keysConfigWith());
  const { project } = projectNamed(template, 'ScheduledVerificationProject');
  const parts: unknown[] = project.Properties.Source.BuildSpec['Fn::Join'][1];
  const [command] = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')).phases.build.commands;
  const variables = variablesOf(project);
  const KEY_LIST = JSON.stringify([{ name: 'logs', primaryKeyArn: ARNS.PRIMARY_KEY_ARN_LOGS }]);
  const object = (key: string, body: string): FakeObjectVersion => ({
    Key: key,
    VersionId: 'v1',
    IsLatest: true,
    LastModified: '2026-11-30T10:00:00.000Z',
    Body: body,
    Metadata: {},
  });

  function runBuild(versions: FakeObjectVersion[]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-scheduled-keys-'));
    const cli = fakeAwsCli(dir);
    cli.bucket({ versions, deleteMarkers: [] });
    const env = { ...cli.env, BUNDLE_BUCKET: 'bundle', ...(variables as Record<string, string>) };
    return spawnSync('bash', ['-c', command], { cwd: dir, env, encoding: 'utf8' });
  }

  test('runs the kept bundle with the kept key list', () => {
    const result = runBuild([
      object(VERIFY_BUNDLE_OBJECT_KEY, "console.log('verified ' + process.env.VERIFY_KEYS);"),
      object(VERIFY_KEY_LIST_OBJECT_KEY, KEY_LIST),
    ]);
    expect([result.status, result.stdout.trim()]).toEqual([0, `verified ${KEY_LIST}`]);
  });

  test('before the pipeline has kept a key list (a bundle of the single-key pipeline only), has nothing to verify yet', () => {
    const result = runBuild([object(VERIFY_BUNDLE_OBJECT_KEY, "console.log('ran');")]);
    expect([result.status, result.stdout]).toEqual([0, `${NO_BUNDLE_YET}\n`]);
  });
});

/** The first `count` names for keys, each with its alias. */
function keys(count: number): Array<{ name: string; alias: string }> {
  return Array.from({ length: count }, (_, i) => ({ name: `key-${i + 1}`, alias: `alias/key-${i + 1}` }));
}

describe('pipeline size does not grow with the number of keys', () => {
  // One key: the example configuration (config/example.json), which other test files synthesize too.
  const one = analyzePipeline(synthesizeOnce(configWith()).pipelineTemplate.toJSON());
  const five = analyzePipeline(synthesizeOnce(keysConfigWith((raw) => (raw.keys = keys(5)))).pipelineTemplate.toJSON());

  test('the same CodeBuild projects and IAM roles for 1 and 5 keys', () => {
    expect([one.codeBuildProjectCount, one.iamRoleCount]).toEqual([7, 12]);
    expect([five.codeBuildProjectCount, five.iamRoleCount]).toEqual([7, 12]);
  });

  test('7 serial actions from source to the verification report, for 1 and for 5 keys', () => {
    expect([one.serialActionCount, five.serialActionCount]).toEqual([7, 7]);
  });

  test('one verification action for every key', () => {
    expect(five.stages.flatMap((s) => s.actions).filter((a) => a.name.startsWith('Verify'))).toHaveLength(1);
  });
});
