import * as fs from 'fs';
import * as path from 'path';
import { ResourceDifference, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import * as diffUtil from '@aws-cdk/cloudformation-diff/lib/diff/util';
import {
  CfnTemplate,
  findReplacements,
  findStackReplacements,
  normalizeTemplate,
  ReplacementFinding,
  StackTemplate,
  stacksWithoutBaseline,
} from '../../scripts/replacement-guard/replacement-guard';
import { ADVICE, clone, KEY, KEY_ALIAS, PARAMETER, PRIMARY_STACK, READER, REPLICA, REPLICA_STACK, summary } from './guard-fixtures';

// The guard's rules, on the committed baseline templates: no synth, so these also run fast under mutation testing.
// replacement-guard.test.ts checks that the baseline is what the code synthesizes, and the guard on whole configurations.
function committed(file: string): { template: CfnTemplate } {
  return { template: JSON.parse(fs.readFileSync(path.join(__dirname, 'baseline', file), 'utf8')) };
}

const primaryBaseline = committed('111111111111-us-east-1/kms-mrk-primary-key.template.json');
const replicaBaseline = committed('111111111111-eu-west-1/kms-mrk-replica-key-eu-west-1.template.json');

afterEach(() => jest.restoreAllMocks());

describe('the guard reports what would lose a key', () => {
  test('a logical ID renamed in the baseline stack is reported with the full message', () => {
    const renamed = JSON.parse(JSON.stringify(primaryBaseline.template).replaceAll(KEY, 'PrimaryKeyV2ABCDEF12'));
    const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, renamed);
    expect(findings.map((f) => f.message)).toEqual([
      `${PRIMARY_STACK}: AWS::KMS::Key ${KEY} would be removed from the stack (WILL_ORPHAN: kept in the account but no longer managed by this stack); ` +
        `the template has AWS::KMS::Key PrimaryKeyV2ABCDEF12 instead, so its logical ID changed (a renamed or moved construct). ${ADVICE}`,
    ]);
  });

  test.each([
    ['MultiRegion', false],
    ['KeySpec', 'RSA_2048'],
    ['KeyUsage', 'SIGN_VERIFY'],
  ])('a %s change on the primary key needs a new key, although the resource specification calls it an update', (property, value) => {
    const changed = clone(primaryBaseline.template);
    changed.Resources[KEY].Properties[property] = value;
    const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, changed);
    expect(summary(findings)).toEqual([[PRIMARY_STACK, KEY, 'WILL_REPLACE', property]]);
    expect(findings[0].message).toContain(`AWS::KMS::Key ${KEY} would need a new key (WILL_REPLACE): ${property} changes from`);
    expect(findings[0].message).toContain('which KMS cannot change on an existing key');
  });

  test('a new primary key ARN on the replica replaces the replica', () => {
    const changed = clone(replicaBaseline.template);
    changed.Resources[REPLICA].Properties.PrimaryKeyArn = 'arn:aws:kms:us-east-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef';
    const findings = findStackReplacements(REPLICA_STACK, replicaBaseline.template, changed);
    expect(summary(findings)).toEqual([[REPLICA_STACK, REPLICA, 'WILL_REPLACE', 'PrimaryKeyArn']]);
    expect(findings[0].message).toBe(
      `${REPLICA_STACK}: AWS::KMS::ReplicaKey ${REPLICA} would be replaced (WILL_REPLACE): PrimaryKeyArn changes from ` +
        `{"Fn::GetAtt":["${READER}","Value"]} to "arn:aws:kms:us-east-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef". ${ADVICE}`,
    );
  });

  test('a new input of the reader may change the ARN it reads, so it is reported until the baseline is updated', () => {
    const changed = clone(replicaBaseline.template);
    changed.Resources[READER].Properties.WithDecryption = 'true';
    const findings = findStackReplacements(REPLICA_STACK, replicaBaseline.template, changed);
    expect(summary(findings)).toEqual([[REPLICA_STACK, REPLICA, 'MAY_REPLACE', 'PrimaryKeyArn']]);
    expect(findings[0].message).toContain('whose WithDecryption changes from nothing to "true"');
  });

  test('a removed parameter is reported as destroyed', () => {
    const changed = clone(primaryBaseline.template);
    delete changed.Resources[PARAMETER];
    const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, changed);
    expect(summary(findings)).toEqual([[PRIMARY_STACK, PARAMETER, 'WILL_DESTROY', undefined]]);
    expect(findings[0].message).toContain('(WILL_DESTROY: deleted); its logical ID is gone from the template');
  });

  test('a renamed key with another key beside it names every key that could have taken its place', () => {
    const after = JSON.parse(JSON.stringify(primaryBaseline.template).replaceAll(KEY, 'PrimaryKeyV2ABCDEF12'));
    after.Resources.SecondKey = clone(after.Resources.PrimaryKeyV2ABCDEF12);
    const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, after);
    expect(summary(findings)).toEqual([[PRIMARY_STACK, KEY, 'WILL_ORPHAN', undefined]]);
    expect(findings[0].message).toContain('the template has AWS::KMS::Key PrimaryKeyV2ABCDEF12, SecondKey instead');
  });

  test.each(['DeletionPolicy', 'UpdateReplacePolicy'])('a key whose %s stops being Retain is reported', (attribute) => {
    const changed = clone(primaryBaseline.template);
    changed.Resources[KEY][attribute] = 'Delete';
    const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, changed);
    expect(summary(findings)).toEqual([[PRIMARY_STACK, KEY, 'STOPS_RETAINING', attribute]]);
    expect(findings[0].message).toContain(`would no longer be retained (STOPS_RETAINING): ${attribute} changes from "Retain" to "Delete"`);
  });

  test.each(['DeletionPolicy', 'UpdateReplacePolicy'])(
    'a key whose %s goes from RetainExceptOnCreate to Delete is reported',
    (attribute) => {
      const before = clone(primaryBaseline.template);
      before.Resources[KEY][attribute] = 'RetainExceptOnCreate';
      const after = clone(primaryBaseline.template);
      after.Resources[KEY][attribute] = 'Delete';
      const findings = findStackReplacements(PRIMARY_STACK, before, after);
      expect(summary(findings)).toEqual([[PRIMARY_STACK, KEY, 'STOPS_RETAINING', attribute]]);
      expect(findings[0].message).toContain(`${attribute} changes from "RetainExceptOnCreate" to "Delete"`);
    },
  );

  test('a replica whose DeletionPolicy is dropped is reported, as CloudFormation then deletes it', () => {
    const after = clone(replicaBaseline.template);
    delete after.Resources[REPLICA].DeletionPolicy;
    const findings = findStackReplacements(REPLICA_STACK, replicaBaseline.template, after);
    expect(summary(findings)).toEqual([[REPLICA_STACK, REPLICA, 'STOPS_RETAINING', 'DeletionPolicy']]);
    expect(findings[0].message).toContain('DeletionPolicy changes from "Retain" to "Delete"');
  });

  test('a property change that the CloudFormation diff marks as "may replace" is reported as MAY_REPLACE', () => {
    // No property of a guarded type is a conditional replacement in today's resource specification;
    // the guard must still report one when a specification says so.
    const loadResourceModel = diffUtil.loadResourceModel;
    jest.spyOn(diffUtil, 'loadResourceModel').mockImplementation((type: string) => {
      const model = loadResourceModel(type);
      if (type !== 'AWS::KMS::Alias' || model === undefined) return model;
      return {
        ...model,
        properties: { ...model.properties, TargetKeyId: { ...model.properties.TargetKeyId, causesReplacement: 'maybe' } },
      };
    });
    const after = clone(primaryBaseline.template);
    after.Resources[KEY_ALIAS].Properties.TargetKeyId = 'mrk-0123456789abcdef0123456789abcdef';
    const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, after);
    expect(summary(findings)).toEqual([[PRIMARY_STACK, KEY_ALIAS, 'MAY_REPLACE', 'TargetKeyId']]);
    expect(findings[0].message).toContain(`AWS::KMS::Alias ${KEY_ALIAS} may be replaced (MAY_REPLACE): TargetKeyId changes from`);
  });

  test('a key whose type changes would be replaced', () => {
    const after = clone(primaryBaseline.template);
    after.Resources[KEY].Type = 'AWS::KMS::ReplicaKey';
    const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, after);
    expect(summary(findings)).toEqual([[PRIMARY_STACK, KEY, 'WILL_REPLACE', 'Type']]);
    expect(findings[0].message).toContain('would be replaced (WILL_REPLACE): its type changes to AWS::KMS::ReplicaKey');
  });

  describe('a replacement that the CloudFormation diff reports for the resource without naming a property', () => {
    // No change of today's specification does that; the guard must still report it rather than pass it.
    function keyReplacedAsAWhole(): void {
      const changeImpact = Object.getOwnPropertyDescriptor(ResourceDifference.prototype, 'changeImpact')!.get!;
      jest.spyOn(ResourceDifference.prototype, 'changeImpact', 'get').mockImplementation(function (this: ResourceDifference) {
        const impact: ResourceImpact = changeImpact.call(this);
        return this.newValue?.Properties?.Description === 'replaced as a whole' ? ResourceImpact.WILL_REPLACE : impact;
      });
    }

    test('is reported for the resource', () => {
      keyReplacedAsAWhole();
      const after = clone(primaryBaseline.template);
      after.Resources[KEY].Properties.Description = 'replaced as a whole';
      const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, after);
      expect(summary(findings)).toEqual([[PRIMARY_STACK, KEY, 'WILL_REPLACE', undefined]]);
      expect(findings[0].message).toBe(`${PRIMARY_STACK}: AWS::KMS::Key ${KEY} would be replaced (WILL_REPLACE). ${ADVICE}`);
    });

    test('is not reported again when a property that KMS cannot change already explains it', () => {
      keyReplacedAsAWhole();
      const after = clone(primaryBaseline.template);
      after.Resources[KEY].Properties.Description = 'replaced as a whole';
      after.Resources[KEY].Properties.KeySpec = 'RSA_2048';
      const findings = findStackReplacements(PRIMARY_STACK, primaryBaseline.template, after);
      expect(summary(findings)).toEqual([[PRIMARY_STACK, KEY, 'WILL_REPLACE', 'KeySpec']]);
    });
  });

  test('a stack that moves to another Region loses every guarded resource of the old one', () => {
    const stack = (region: string): StackTemplate => ({
      stackName: 'kms-mrk-primary-key',
      account: '111111111111',
      region,
      ...primaryBaseline,
    });
    expect(summary(findReplacements([stack('us-east-1')], [stack('us-east-2')]))).toEqual([
      [PRIMARY_STACK, KEY, 'WILL_ORPHAN', undefined],
      [PRIMARY_STACK, KEY_ALIAS, 'WILL_DESTROY', undefined],
      [PRIMARY_STACK, PARAMETER, 'WILL_DESTROY', undefined],
    ]);
    const [key, alias] = findReplacements([stack('us-east-1')], [stack('us-east-2')]);
    expect(key.message).toContain(
      '(WILL_ORPHAN: kept in the account but no longer managed by this stack); ' +
        'the stack is no longer synthesized (renamed, removed, or moved to another account or Region)',
    );
    expect(alias.message).toContain('(WILL_DESTROY: deleted); the stack is no longer synthesized');
    expect(findReplacements([stack('us-east-1')], [stack('us-east-1')])).toEqual([]);
    expect(stacksWithoutBaseline([stack('us-east-1')], [stack('us-east-1'), stack('us-east-2')])).toEqual([
      'kms-mrk-primary-key (111111111111/us-east-2)',
    ]);
  });
});

describe('values read at deploy time', () => {
  /** The replica stack with the replica's PrimaryKeyArn taken from `source`, and the reader's ParameterName changed. */
  function readerChanged(primaryKeyArn: unknown, readerType = 'Custom::CrossRegionParameterReader'): ReplacementFinding[] {
    const before = clone(replicaBaseline.template);
    before.Resources[READER].Type = readerType;
    before.Resources[REPLICA].Properties.PrimaryKeyArn = primaryKeyArn;
    const after = clone(before);
    after.Resources[READER].Properties.ParameterName = '/kms-mrk/other/primary-key-arn';
    after.Resources[READER].Properties.ParameterRegion = 'us-east-2';
    return findStackReplacements(REPLICA_STACK, before, after);
  }

  test.each([
    ['Fn::GetAtt as a list', { 'Fn::GetAtt': [READER, 'Value'] }],
    ['Fn::GetAtt as a string', { 'Fn::GetAtt': `${READER}.Value` }],
    ['Ref', { Ref: READER }],
    ['a reference inside Fn::Join', { 'Fn::Join': ['', ['', { 'Fn::GetAtt': [READER, 'Value'] }]] }],
  ])('a changed input of the custom resource behind %s may replace the replica, one finding per input', (_label, primaryKeyArn) => {
    const findings = readerChanged(primaryKeyArn);
    expect(summary(findings)).toEqual([
      [REPLICA_STACK, REPLICA, 'MAY_REPLACE', 'PrimaryKeyArn'],
      [REPLICA_STACK, REPLICA, 'MAY_REPLACE', 'PrimaryKeyArn'],
    ]);
    expect(findings[0].message).toContain(
      `AWS::KMS::ReplicaKey ${REPLICA} may be replaced (MAY_REPLACE): PrimaryKeyArn is read at deploy time ` +
        `from Custom::CrossRegionParameterReader ${READER}, whose ParameterName changes from`,
    );
    expect(findings[1].message).toContain('whose ParameterRegion changes from "us-east-1" to "us-east-2"');
  });

  test('a generic AWS::CloudFormation::CustomResource counts as a custom resource', () => {
    expect(readerChanged({ 'Fn::GetAtt': [READER, 'Value'] }, 'AWS::CloudFormation::CustomResource')).toHaveLength(2);
  });

  test('a value from a resource that is not a custom resource is left to the CloudFormation diff', () => {
    expect(readerChanged({ 'Fn::GetAtt': [READER, 'Value'] }, 'AWS::SSM::Parameter')).toEqual([]);
  });

  test('a replica whose PrimaryKeyArn is a literal has no deploy-time source', () => {
    expect(readerChanged('arn:aws:kms:us-east-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef')).toEqual([]);
  });

  test('a reference to a pseudo parameter has no deploy-time source', () => {
    const arn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:us-east-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef']],
    };
    expect(readerChanged(arn)).toEqual([]);
  });

  test('a null value has no deploy-time source', () => {
    expect(readerChanged(null)).toEqual([]);
  });

  test('the inputs of the custom resource are reported in alphabetical order', () => {
    const after = clone(replicaBaseline.template);
    after.Resources[READER].Properties.ParameterRegion = 'us-east-2';
    after.Resources[READER].Properties.AccountId = '222222222222';
    const findings = findStackReplacements(REPLICA_STACK, replicaBaseline.template, after);
    expect(findings.map((f) => f.message.replace(/.* whose (\w+) changes from .*/, '$1'))).toEqual(['AccountId', 'ParameterRegion']);
  });

  test('a removed input of the custom resource is reported', () => {
    const after = clone(replicaBaseline.template);
    delete after.Resources[READER].Properties.ParameterRegion;
    const findings = findStackReplacements(REPLICA_STACK, replicaBaseline.template, after);
    expect(summary(findings)).toEqual([[REPLICA_STACK, REPLICA, 'MAY_REPLACE', 'PrimaryKeyArn']]);
    expect(findings[0].message).toContain('whose ParameterRegion changes from "us-east-1" to nothing');
  });

  test.each([
    ['gets its first inputs', 'before', 'from nothing to "/kms-mrk/app-data/primary-key-arn"'],
    ['loses all its inputs', 'after', 'from "/kms-mrk/app-data/primary-key-arn" to nothing'],
  ])('a custom resource that %s is reported for each of them', (_label, withoutProperties, change) => {
    const templates: Record<string, any> = { before: clone(replicaBaseline.template), after: clone(replicaBaseline.template) };
    delete templates[withoutProperties].Resources[READER].Properties;
    const findings = findStackReplacements(REPLICA_STACK, templates.before, templates.after);
    expect(findings.map((f) => f.message.replace(/.* whose (\w+) changes .*/, '$1'))).toEqual(['ParameterName', 'ParameterRegion']);
    expect(findings[0].message).toContain(`whose ParameterName changes ${change}`);
  });

  test('a PrimaryKeyArn that changes itself is reported once, by the diff, not again for its source', () => {
    const after = clone(replicaBaseline.template);
    after.Resources[REPLICA].Properties.PrimaryKeyArn = { Ref: READER };
    after.Resources[READER].Properties.ParameterRegion = 'us-east-2';
    const findings = findStackReplacements(REPLICA_STACK, replicaBaseline.template, after);
    expect(summary(findings)).toEqual([[REPLICA_STACK, REPLICA, 'WILL_REPLACE', 'PrimaryKeyArn']]);
  });

  test('a resource whose type changes is reported for its type only, not for what its properties read', () => {
    const before = clone(replicaBaseline.template);
    before.Resources[REPLICA].Type = 'AWS::KMS::Key';
    const after = clone(replicaBaseline.template);
    after.Resources[READER].Properties.ParameterRegion = 'us-east-2';
    const findings = findStackReplacements(REPLICA_STACK, before, after);
    expect(summary(findings)).toEqual([[REPLICA_STACK, REPLICA, 'WILL_REPLACE', 'Type']]);
  });

  test('a custom resource whose type changes is replaced, which the diff reports for the replica once', () => {
    const after = clone(replicaBaseline.template);
    after.Resources[READER].Type = 'AWS::CloudFormation::CustomResource';
    after.Resources[READER].Properties.ParameterRegion = 'us-east-2';
    const findings = findStackReplacements(REPLICA_STACK, replicaBaseline.template, after);
    expect(summary(findings)).toEqual([[REPLICA_STACK, REPLICA, 'WILL_REPLACE', 'PrimaryKeyArn']]);
  });

  test('a reference that one of the templates cannot resolve does not stop the guard', () => {
    const after = clone(replicaBaseline.template);
    delete after.Resources[READER];
    expect(findStackReplacements(REPLICA_STACK, replicaBaseline.template, after)).toEqual([]);
    expect(findStackReplacements(REPLICA_STACK, after, replicaBaseline.template)).toEqual([]);
  });

  test('a key without properties in either template is compared like any other', () => {
    const bare = clone(primaryBaseline.template);
    delete bare.Resources[KEY].Properties;
    const described = clone(bare);
    described.Resources[KEY].Properties = { Description: 'Multi-region key for application data' };
    expect(findStackReplacements(PRIMARY_STACK, bare, bare)).toEqual([]);
    expect(findStackReplacements(PRIMARY_STACK, bare, described)).toEqual([]);
  });

  test('a value of exactly 100 characters is shown whole', () => {
    const after = clone(replicaBaseline.template);
    after.Resources[REPLICA].Properties.PrimaryKeyArn = 'x'.repeat(98);
    const [finding] = findStackReplacements(REPLICA_STACK, replicaBaseline.template, after);
    expect(finding.message).toContain(`to "${'x'.repeat(98)}". `);
  });

  test('a long value is cut to 100 characters in the message', () => {
    const after = clone(replicaBaseline.template);
    after.Resources[REPLICA].Properties.PrimaryKeyArn = 'x'.repeat(150);
    const [finding] = findStackReplacements(REPLICA_STACK, replicaBaseline.template, after);
    expect(finding.message).toContain(`to "${'x'.repeat(96)}...`);
    expect(finding.message).not.toContain('x'.repeat(97));
  });
});

describe('normalizing what `cdk synth` adds', () => {
  test('keeps metadata and conditions of the project itself', () => {
    const template = clone(primaryBaseline.template);
    template.Resources[KEY].Metadata = { 'aws:cdk:path': 'a/b', 'cfn-lint': { config: {} }, 'aws:asset:path': 'asset.zip' };
    template.Conditions = { CDKMetadataAvailable: { 'Fn::Equals': ['a', 'a'] }, IsProduction: { 'Fn::Equals': ['a', 'b'] } };
    const normalized: any = normalizeTemplate(template);
    expect(normalized.Resources[KEY].Metadata).toEqual({ 'cfn-lint': { config: {} } });
    expect(normalized.Conditions).toEqual({ IsProduction: { 'Fn::Equals': ['a', 'b'] } });
    expect(template.Resources[KEY].Metadata['aws:cdk:path']).toBe('a/b');
  });
});

describe('the guard stays quiet about what keeps every key', () => {
  test('how long CloudFormation waits for the reader, and which handler it calls, do not change the ARN it reads', () => {
    const changed = clone(replicaBaseline.template);
    changed.Resources[READER].Properties.ServiceTimeout = '900';
    changed.Resources[READER].Properties.ServiceToken = { 'Fn::GetAtt': ['AnotherHandler', 'Arn'] };
    expect(findStackReplacements(REPLICA_STACK, replicaBaseline.template, changed)).toEqual([]);
  });

  test('metadata that only `cdk synth` writes is normalized away', () => {
    const fromCli = clone(primaryBaseline.template);
    fromCli.Resources[KEY].Metadata = { 'aws:cdk:path': 'Pipeline/Primary/KeyStack/PrimaryKey/Key/Resource' };
    fromCli.Resources.CDKMetadata = {
      Type: 'AWS::CDK::Metadata',
      Properties: { Analytics: 'v2:deflate64:abc' },
      Condition: 'CDKMetadataAvailable',
    };
    fromCli.Conditions = { CDKMetadataAvailable: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } };
    expect(normalizeTemplate(fromCli)).toEqual(primaryBaseline.template);
    expect(findStackReplacements(PRIMARY_STACK, primaryBaseline.template, fromCli)).toEqual([]);
  });

  test('a resource that starts being retained is not a finding', () => {
    const before = clone(primaryBaseline.template);
    delete before.Resources[KEY_ALIAS].DeletionPolicy;
    const after = clone(primaryBaseline.template);
    after.Resources[KEY_ALIAS].DeletionPolicy = 'Retain';
    expect(findStackReplacements(PRIMARY_STACK, before, after)).toEqual([]);
  });

  test('a new key, alias or parameter loses nothing', () => {
    const after = clone(primaryBaseline.template);
    after.Resources.SecondKey = clone(primaryBaseline.template).Resources[KEY];
    expect(findStackReplacements(PRIMARY_STACK, primaryBaseline.template, after)).toEqual([]);
  });

  test('changes to resources the guard does not hold are not findings', () => {
    const after = clone(replicaBaseline.template);
    after.Resources.PrimaryKeyArnReaderLogsA54418C0.Properties.RetentionInDays = 1;
    after.Resources.PrimaryKeyArnReaderLogsA54418C0.DeletionPolicy = 'Retain';
    delete after.Resources.PrimaryKeyArnReaderRoleDE804414;
    expect(findStackReplacements(REPLICA_STACK, replicaBaseline.template, after)).toEqual([]);
  });
});
