import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { PrimaryKeyStack, PrimaryKeyStackKey } from '../../lib/stacks/primary-key-stack';
import { ReplicaKeyStack } from '../../lib/stacks/replica-key-stack';
import { keyStackTemplates } from '../../scripts/replacement-guard/baseline';
import { findReplacements } from '../../scripts/replacement-guard/replacement-guard';
import { keysConfigWith, synthesizeOnce, testApp } from '../helpers/app';

const ENV = { account: '111111111111', region: 'us-east-1' };
const KEY_ACTIVITY = { busRegion: 'us-east-1', busAccount: '111111111111', busName: 'kms-mrk-key-activity', replicaRegions: ['eu-west-1'] };

/** A key of the stacks' props, named `name`, with the alias alias/<name>. */
function key(name: string, legacyConstructIds = false): PrimaryKeyStackKey {
  return { name, legacyConstructIds, key: { alias: `alias/${name}` }, keyArnParameterName: `/kms-mrk/${name}/primary-key-arn` };
}

/** The resources of the primary and the replica key stack built from `keys`, by logical ID. */
function resourcesOf(keys: readonly PrimaryKeyStackKey[]): { primary: Record<string, any>; replica: Record<string, any> } {
  const app = testApp();
  const primary = new PrimaryKeyStack(app, 'Primary', { env: ENV, keys, keyActivity: KEY_ACTIVITY });
  const replica = new ReplicaKeyStack(app, 'Replica', {
    env: { ...ENV, region: 'eu-west-1' },
    keys,
    primaryRegion: 'us-east-1',
    keyActivity: KEY_ACTIVITY,
  });
  return { primary: Template.fromStack(primary).toJSON().Resources, replica: Template.fromStack(replica).toJSON().Resources };
}

/** The resources whose logical ID starts with `prefix`. */
function withPrefix(resources: Record<string, any>, prefix: string): Record<string, any> {
  return Object.fromEntries(Object.entries(resources).filter(([id]) => id.startsWith(prefix)));
}

describe('the keys of config/example-keys.json', () => {
  const { stack, primaryTemplate, replicaTemplate } = synthesizeOnce(keysConfigWith());

  test('one primary key stack and one replica key stack per Region, whatever the number of keys', () => {
    expect([stack.primaryStage.keyStack.stackName, ...stack.replicaStages.map((s) => s.keyStack.stackName)]).toEqual([
      'kms-mrk-primary-key',
      'kms-mrk-replica-key-eu-west-1',
    ]);
    expect(stack.primaryStage.keyStack.keys.map((k) => k.name)).toEqual(['app-data', 'logs', 'backups']);
  });

  test('the primary stack holds every key, retained, each with its alias, its parameter and its rules', () => {
    primaryTemplate.resourceCountIs('AWS::KMS::Key', 3);
    primaryTemplate.resourceCountIs('AWS::KMS::Alias', 3);
    primaryTemplate.resourceCountIs('AWS::SSM::Parameter', 3);
    primaryTemplate.resourceCountIs('AWS::Events::Rule', 6);
    primaryTemplate.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    for (const [name, rotation] of [
      ['logs', 365],
      ['backups', 180],
    ] as const) {
      const [keyId] = Object.keys(withPrefix(primaryTemplate.findResources('AWS::KMS::Key'), `Key${name}PrimaryKey`));
      primaryTemplate.hasResourceProperties('AWS::KMS::Key', {
        Description: `Multi-region key for ${name === 'logs' ? 'application logs' : 'backups'}`,
        RotationPeriodInDays: rotation,
      });
      primaryTemplate.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: `alias/${name}`,
        TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      primaryTemplate.hasResourceProperties('AWS::SSM::Parameter', {
        Name: `/kms-mrk/${name}/primary-key-arn`,
        Value: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
    }
  });

  test('the key that keeps the single-key construct IDs keeps the pinned logical IDs and its parameter from the alias', () => {
    expect(primaryTemplate.toJSON().Resources.PrimaryKeyCA3E73BD.Properties.Description).toBe('Multi-region key for application data');
    primaryTemplate.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/kms-mrk/app-data/primary-key-arn',
      Value: { 'Fn::GetAtt': ['PrimaryKeyCA3E73BD', 'Arn'] },
    });
    primaryTemplate.hasOutput('PrimaryKeyArn', { Value: { 'Fn::GetAtt': ['PrimaryKeyCA3E73BD', 'Arn'] } });
    expect(Object.keys(replicaTemplate('eu-west-1').findResources('AWS::KMS::ReplicaKey'))).toContain('ReplicaKey4DE8F013');
  });

  test("each replica is fed by a reader of its own key's parameter, with its alias", () => {
    const template = replicaTemplate('eu-west-1');
    template.resourceCountIs('AWS::KMS::ReplicaKey', 3);
    template.resourceCountIs('Custom::CrossRegionParameterReader', 3);
    template.allResources('AWS::KMS::ReplicaKey', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    for (const name of ['logs', 'backups']) {
      const [readerId] = Object.keys(
        withPrefix(template.findResources('Custom::CrossRegionParameterReader'), `Key${name}PrimaryKeyArnReader`),
      );
      template.hasResourceProperties('Custom::CrossRegionParameterReader', {
        ParameterName: `/kms-mrk/${name}/primary-key-arn`,
        ParameterRegion: 'us-east-1',
      });
      const [replicaId] = Object.keys(withPrefix(template.findResources('AWS::KMS::ReplicaKey'), `Key${name}ReplicaKey`));
      expect(template.toJSON().Resources[replicaId].Properties.PrimaryKeyArn).toEqual({ 'Fn::GetAtt': [readerId, 'Value'] });
      template.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: `alias/${name}`,
        TargetKeyId: { 'Fn::GetAtt': [replicaId, 'KeyId'] },
      });
    }
  });
});

describe('the construct IDs of a key that does not keep the single-key IDs', () => {
  test('derive from its name: adding, removing or reordering other keys changes none of its resources', () => {
    const alone = resourcesOf([key('logs')]);
    const variants = [
      resourcesOf([key('app-data', true), key('logs'), key('backups')]),
      resourcesOf([key('backups'), key('logs')]),
      resourcesOf([key('logs'), key('audit')]),
    ];
    expect(Object.keys(withPrefix(alone.primary, 'Keylogs')).length).toBeGreaterThanOrEqual(3);
    for (const variant of variants) {
      expect(withPrefix(variant.primary, 'Keylogs')).toEqual(withPrefix(alone.primary, 'Keylogs'));
      expect(withPrefix(variant.replica, 'Keylogs')).toEqual(withPrefix(alone.replica, 'Keylogs'));
    }
  });

  // A changed logical ID replaces the key (see test/logical-ids.test.ts): these are pinned as literal strings.
  test('are pinned: the key, alias and parameter of the key named logs', () => {
    const { primary, replica } = resourcesOf([key('logs')]);
    expect(
      Object.entries(primary)
        .filter(([, r]) => ['AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::SSM::Parameter'].includes(r.Type))
        .map(([id]) => id),
    ).toEqual(['KeylogsPrimaryKey49E39B8E', 'KeylogsPrimaryKeyAliasCEBD0269', 'KeylogsPrimaryKeyArnParameterB23C7EFC']);
    expect(
      Object.entries(replica)
        .filter(([, r]) => ['AWS::KMS::ReplicaKey', 'AWS::KMS::Alias'].includes(r.Type))
        .map(([id]) => id),
    ).toEqual(['KeylogsReplicaKey0B70CA3A', 'KeylogsReplicaKeyAliasF46BF16A']);
  });
});

describe('the key stacks refuse keys they cannot tell apart', () => {
  test.each([
    [[], 'keys must list at least one key, got []'],
    [[key('logs'), key('logs')], 'keys[1].name must be unique, got "logs" twice'],
    [[key('logs', true), key('app-data', true)], 'legacyConstructIds must be true on at most one key, got ["logs","app-data"]'],
    [[key('Logs')], 'keys[0].name must be 2 to 32 of a-z 0-9 -, start with a letter and not end with -, got "Logs"'],
  ])('%j', (keys, message) => {
    expect(() => new PrimaryKeyStack(testApp(), 'Primary', { env: ENV, keys })).toThrow(message);
    expect(() => new ReplicaKeyStack(testApp(), 'Replica', { env: ENV, keys, primaryRegion: 'us-west-2' })).toThrow(message);
  });
});

describe('a retired key', () => {
  // Synthesis prints the warning to stderr; the test reads it from the annotations instead.
  const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const { stack, primaryTemplate } = synthesizeOnce(
    keysConfigWith((raw) => {
      raw.keys = raw.keys.filter((k: { name: string }) => k.name !== 'logs');
      raw.retiredKeys = ['logs'];
    }),
  );
  stderr.mockRestore();

  test('is reported by the replacement guard: its keys orphaned (retained), its aliases and parameter deleted, no other key touched', () => {
    const findings = findReplacements(keyStackTemplates(synthesizeOnce(keysConfigWith()).stack), keyStackTemplates(stack));
    expect(findings.map((f) => [f.stack.split(' ')[0], f.resourceType, f.logicalId.replace(/[0-9A-F]{8}$/, ''), f.impact])).toEqual([
      ['kms-mrk-primary-key', 'AWS::KMS::Key', 'KeylogsPrimaryKey', 'WILL_ORPHAN'],
      ['kms-mrk-primary-key', 'AWS::KMS::Alias', 'KeylogsPrimaryKeyAlias', 'WILL_DESTROY'],
      ['kms-mrk-primary-key', 'AWS::SSM::Parameter', 'KeylogsPrimaryKeyArnParameter', 'WILL_DESTROY'],
      ['kms-mrk-replica-key-eu-west-1', 'AWS::KMS::ReplicaKey', 'KeylogsReplicaKey', 'WILL_ORPHAN'],
      ['kms-mrk-replica-key-eu-west-1', 'AWS::KMS::Alias', 'KeylogsReplicaKeyAlias', 'WILL_DESTROY'],
    ]);
  });

  test('is no longer in the key stacks', () => {
    primaryTemplate.resourceCountIs('AWS::KMS::Key', 2);
    primaryTemplate.resourcePropertiesCountIs('AWS::KMS::Alias', { AliasName: 'alias/logs' }, 0);
  });

  test('gives a synth warning that names the key, what stays, and the runbook', () => {
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const annotations = Annotations.fromStack(stack);
    quiet.mockRestore();
    annotations.hasWarning(
      '*',
      Match.stringLikeRegexp('Key logs is retired.*stay in the account \\(retained\\).*docs/runbooks/retiring-a-key\\.md'),
    );
  });
});
