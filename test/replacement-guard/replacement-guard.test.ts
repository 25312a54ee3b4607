import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MultiRegionKey } from '../../lib/constructs/multi-region-key';
import {
  BASELINE_DIR,
  baselineFile,
  keyStackTemplates,
  readBaseline,
  serializeTemplate,
  writeBaseline,
} from '../../scripts/replacement-guard/baseline';
import { projectConfig } from '../../scripts/support/project-config';
import {
  CfnTemplate,
  findReplacements,
  findStackReplacements,
  normalizeTemplate,
  ReplacementFinding,
  StackTemplate,
  stacksWithoutBaseline,
} from '../../scripts/replacement-guard/replacement-guard';
import { configWith, synthesizeOnce } from '../helpers/app';
import { ADVICE, KEY, KEY_ALIAS, PARAMETER, PRIMARY_STACK, READER, REPLICA, REPLICA_STACK, summary } from './guard-fixtures';

// The guard's own tests run against the example configuration's key stacks, as `npm run baseline:update`
// would write them, so they hold whatever configuration the project itself is deployed with.
// In the order readBaseline gives the committed files: by <account>-<region> folder.
const baseline: StackTemplate[] = keyStackTemplates(synthesizeOnce(configWith()).stack)
  .map((s) => ({ ...s, template: normalizeTemplate(s.template) }))
  .sort((a, b) => `${a.account}-${a.region}`.localeCompare(`${b.account}-${b.region}`));
const primaryBaseline = baseline.find((s) => s.region === 'us-east-1')!;
const replicaBaseline = baseline.find((s) => s.region === 'eu-west-1')!;

/** The findings for the example config changed by `change`, against the example's baseline. */
function findingsFor(change: (raw: Record<string, any>) => void): ReplacementFinding[] {
  return findReplacements(baseline, keyStackTemplates(synthesizeOnce(configWith(change)).stack));
}

describe('the committed baseline of the configuration this project deploys (cdk.json)', () => {
  const committed = readBaseline(BASELINE_DIR);
  const { stack } = synthesizeOnce(projectConfig());
  const current = keyStackTemplates(stack);

  test('the current code and configuration replace, remove or stop retaining nothing it holds', () => {
    expect(findReplacements(committed, current).map((f) => f.message)).toEqual([]);
  });

  test('every key stack has a baseline', () => {
    expect(stacksWithoutBaseline(committed, current)).toEqual([]);
  });

  test('is exactly what `npm run baseline:update` writes now, so every change to a key stack is a reviewed baseline diff', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-baseline-'));
    writeBaseline(dir, current);
    const files = (root: string): string[] => readBaseline(root).map((s) => path.relative(root, baselineFile(root, s)));
    expect(files(BASELINE_DIR)).toEqual(files(dir));
    for (const file of files(dir)) {
      expect([file, fs.readFileSync(path.join(BASELINE_DIR, file), 'utf8')]).toEqual([file, fs.readFileSync(path.join(dir, file), 'utf8')]);
    }
  });
});

describe('the example configuration', () => {
  const { stack } = synthesizeOnce(configWith());

  test('has a primary and an eu-west-1 replica key stack', () => {
    expect(baseline.map((s) => [s.stackName, s.account, s.region])).toEqual([
      ['kms-mrk-replica-key-eu-west-1', '111111111111', 'eu-west-1'],
      ['kms-mrk-primary-key', '111111111111', 'us-east-1'],
    ]);
  });

  test('the guard reads the same templates as Template.fromStack', () => {
    expect(keyStackTemplates(stack).map((s) => s.template)).toEqual([
      Template.fromStack(stack.primaryStage.keyStack).toJSON(),
      Template.fromStack(stack.replicaStages[0].keyStack).toJSON(),
    ]);
  });
});

describe('the guard reports what would lose a key', () => {
  test('a renamed key construct orphans the key and deletes its alias, naming the new logical IDs', () => {
    const synthesizeKeyStack = (constructId: string): CfnTemplate => {
      const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'KeyStack', {
        env: { account: '111111111111', region: 'us-east-1' },
      });
      new MultiRegionKey(stack, constructId, { alias: 'alias/app-data' });
      return Template.fromStack(stack).toJSON();
    };
    const findings = findStackReplacements('KeyStack', synthesizeKeyStack('PrimaryKey'), synthesizeKeyStack('DataKey'));
    expect(summary(findings)).toEqual([
      ['KeyStack', KEY, 'WILL_ORPHAN', undefined],
      ['KeyStack', KEY_ALIAS, 'WILL_DESTROY', undefined],
    ]);
    expect(findings[0].message).toMatch(
      /^KeyStack: AWS::KMS::Key PrimaryKeyCA3E73BD would be removed from the stack \(WILL_ORPHAN: kept in the account/,
    );
    expect(findings[0].message).toMatch(
      /the template has AWS::KMS::Key DataKey[0-9A-F]{8} instead, so its logical ID changed \(a renamed or moved construct\)/,
    );
    expect(findings[1].message).toMatch(
      /AWS::KMS::Alias PrimaryKeyAlias198A8B76 would be removed from the stack \(WILL_DESTROY: deleted\)/,
    );
  });

  test('a new alias replaces both aliases and the parameter, and may make the replica read another key', () => {
    const findings = findingsFor((raw) => (raw.key.alias = 'alias/app-data-v2'));
    expect(summary(findings)).toEqual([
      [REPLICA_STACK, 'ReplicaKeyAlias323C4A06', 'WILL_REPLACE', 'AliasName'],
      [REPLICA_STACK, REPLICA, 'MAY_REPLACE', 'PrimaryKeyArn'],
      [PRIMARY_STACK, KEY_ALIAS, 'WILL_REPLACE', 'AliasName'],
      [PRIMARY_STACK, PARAMETER, 'WILL_REPLACE', 'Name'],
    ]);
    expect(findings[1].message).toContain(
      `may be replaced (MAY_REPLACE): PrimaryKeyArn is read at deploy time from Custom::CrossRegionParameterReader ${READER}, ` +
        'whose ParameterName changes from "/kms-mrk/app-data/primary-key-arn" to "/kms-mrk/app-data-v2/primary-key-arn"',
    );
  });

  test('moving the primary Region loses the primary stack and may make the replica read another key', () => {
    const findings = findingsFor((raw) => {
      raw.primaryRegion = 'us-east-2';
      raw.pipeline.region = 'us-east-2';
    });
    expect(summary(findings)).toEqual([
      [REPLICA_STACK, REPLICA, 'MAY_REPLACE', 'PrimaryKeyArn'],
      [PRIMARY_STACK, KEY, 'WILL_ORPHAN', undefined],
      [PRIMARY_STACK, KEY_ALIAS, 'WILL_DESTROY', undefined],
      [PRIMARY_STACK, PARAMETER, 'WILL_DESTROY', undefined],
    ]);
    expect(findings[1].message).toContain('the stack is no longer synthesized (renamed, removed, or moved to another account or Region)');
  });

  test('every message is one line naming the stack, the logical ID, the type and what to do', () => {
    const findings = findingsFor((raw) => (raw.key.alias = 'alias/app-data-v2'));
    for (const f of findings) {
      expect(f.message).not.toContain('\n');
      expect(f.message.startsWith(`${f.stack}: ${f.resourceType} ${f.logicalId} `)).toBe(true);
      expect(f.message).toContain(f.property!);
      expect(f.message.endsWith(ADVICE)).toBe(true);
    }
  });
});

describe('the guard stays quiet about what keeps every key', () => {
  test('description, tags, pending window, rotation period and key policy are updated in place', () => {
    const findings = findingsFor((raw) => {
      raw.key.description = 'Another description';
      raw.key.tags = { project: 'kms-mrk', owner: 'platform' };
      raw.key.pendingWindowDays = 7;
      raw.key.rotationPeriodDays = 180;
      raw.key.adminPrincipalArns = ['arn:aws:iam::111111111111:role/key-admin'];
    });
    expect(findings).toEqual([]);
  });

  test('a new source commit (the reader refresh token) changes no key', () => {
    const { stack } = synthesizeOnce(configWith(), { sourceVersion: '0123456789abcdef0123456789abcdef01234567' });
    const current = keyStackTemplates(stack);
    expect(current[1].template).not.toEqual(replicaBaseline.template);
    expect(findReplacements(baseline, current)).toEqual([]);
  });

  test('a new replica Region adds a stack without a baseline and loses nothing', () => {
    const current = keyStackTemplates(synthesizeOnce(configWith((raw) => raw.replicaRegions.push('ap-southeast-2'))).stack);
    expect(findReplacements(baseline, current)).toEqual([]);
    expect(stacksWithoutBaseline(baseline, current)).toEqual(['kms-mrk-replica-key-ap-southeast-2 (111111111111/ap-southeast-2)']);
  });
});

describe('baseline files', () => {
  test('are written normalized, and rewriting is a no-op; stacks no longer synthesized are removed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-baseline-'));
    const stale: StackTemplate = { ...replicaBaseline, stackName: 'kms-mrk-replica-key-sa-east-1', region: 'sa-east-1' };
    expect(writeBaseline(dir, [primaryBaseline, stale]).map((c) => c.status)).toEqual(['created', 'created']);
    expect(writeBaseline(dir, [primaryBaseline]).map((c) => [path.relative(dir, c.file), c.status])).toEqual([
      ['111111111111-us-east-1/kms-mrk-primary-key.template.json', 'unchanged'],
      ['111111111111-sa-east-1/kms-mrk-replica-key-sa-east-1.template.json', 'removed'],
    ]);
    expect(readBaseline(dir)).toEqual([primaryBaseline]);
    expect(fs.readFileSync(path.join(dir, '111111111111-us-east-1', 'kms-mrk-primary-key.template.json'), 'utf8')).toBe(
      serializeTemplate(primaryBaseline.template),
    );
  });
});
