import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { configWith, synthesizeOnce } from './helpers/app';

/*
 * CloudFormation identifies a resource by its logical ID. A changed logical ID
 * (a renamed or moved construct, a new construct id, a refactoring that nests
 * the key one level deeper) makes CloudFormation create a new resource and drop
 * the old one: a new key, which cannot decrypt anything the old key encrypted.
 * These IDs are therefore pinned as literal strings. If one of these tests
 * fails, restore the construct id or path; do not update the string unless the
 * replacement is intended and reviewed (see the replacement guard).
 */
const PRIMARY_KEY_ID = 'PrimaryKeyCA3E73BD';
const PRIMARY_ALIAS_ID = 'PrimaryKeyAlias198A8B76';
const KEY_ARN_PARAMETER_ID = 'PrimaryKeyArnParameter495DCEF8';
const REPLICA_KEY_ID = 'ReplicaKey4DE8F013';
const REPLICA_ALIAS_ID = 'ReplicaKeyAlias323C4A06';

const TWO_REPLICA_REGIONS = ['eu-west-1', 'ap-southeast-2'];

function logicalIdsOf(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type));
}

describe('pinned logical IDs', () => {
  const { stack, primaryTemplate, replicaTemplate } = synthesizeOnce(
    configWith((raw) => {
      raw.replicaRegions = TWO_REPLICA_REGIONS;
      raw.key.pendingWindowDays = 14;
    }),
  );

  test('the primary key, its alias and the key ARN parameter', () => {
    expect(logicalIdsOf(primaryTemplate, 'AWS::KMS::Key')).toEqual([PRIMARY_KEY_ID]);
    expect(logicalIdsOf(primaryTemplate, 'AWS::KMS::Alias')).toEqual([PRIMARY_ALIAS_ID]);
    expect(logicalIdsOf(primaryTemplate, 'AWS::SSM::Parameter')).toEqual([KEY_ARN_PARAMETER_ID]);
  });

  test('the alias and the parameter point at the pinned key', () => {
    primaryTemplate.hasResourceProperties('AWS::KMS::Alias', { TargetKeyId: { 'Fn::GetAtt': [PRIMARY_KEY_ID, 'Arn'] } });
    primaryTemplate.hasResourceProperties('AWS::SSM::Parameter', { Value: { 'Fn::GetAtt': [PRIMARY_KEY_ID, 'Arn'] } });
  });

  test.each(TWO_REPLICA_REGIONS)('the replica key and its alias in %s', (region) => {
    const template = replicaTemplate(region);
    expect(logicalIdsOf(template, 'AWS::KMS::ReplicaKey')).toEqual([REPLICA_KEY_ID]);
    expect(logicalIdsOf(template, 'AWS::KMS::Alias')).toEqual([REPLICA_ALIAS_ID]);
    template.hasResourceProperties('AWS::KMS::Alias', { TargetKeyId: { 'Fn::GetAtt': [REPLICA_KEY_ID, 'KeyId'] } });
  });

  test('every replica Region has its own stage', () => {
    expect(stack.replicaStages.map((s) => s.keyStack.region)).toEqual(TWO_REPLICA_REGIONS);
  });

  test('the primary key and every replica are retained on delete and on replacement', () => {
    primaryTemplate.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    for (const region of TWO_REPLICA_REGIONS) {
      replicaTemplate(region).hasResource('AWS::KMS::ReplicaKey', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  test('the pending deletion window comes from the config, on the primary and every replica', () => {
    primaryTemplate.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 14 });
    for (const region of TWO_REPLICA_REGIONS) {
      replicaTemplate(region).hasResourceProperties('AWS::KMS::ReplicaKey', { PendingWindowInDays: 14 });
    }
  });

  test('every key stack asks for termination protection (honoured by `cdk deploy`; the pipeline sets it with its own steps)', () => {
    const keyStacks = [stack.primaryStage.keyStack, ...stack.replicaStages.map((s) => s.keyStack)];
    expect(keyStacks.map((s) => [s.stackName, s.terminationProtection])).toEqual([
      ['kms-mrk-primary-key', true],
      ['kms-mrk-replica-key-eu-west-1', true],
      ['kms-mrk-replica-key-ap-southeast-2', true],
    ]);
  });
});

describe('a retired replica Region', () => {
  // ap-southeast-2 was a replica Region; it is taken out of replicaRegions and listed as retired.
  // Synthesis prints the warning to stderr; the test reads it from the annotations instead.
  const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const { stack } = synthesizeOnce(
    configWith((raw) => {
      raw.replicaRegions = ['eu-west-1'];
      raw.retiredReplicaRegions = ['ap-southeast-2'];
    }),
  );
  stderr.mockRestore();

  test('gets no stage and no stack', () => {
    expect(stack.replicaStages.map((s) => s.keyStack.region)).toEqual(['eu-west-1']);
    expect(stack.node.tryFindChild('Replica-ap-southeast-2')).toBeUndefined();
  });

  test('gives a synth warning that names the Region and the runbook', () => {
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const annotations = Annotations.fromStack(stack);
    quiet.mockRestore();
    annotations.hasWarning('*', Match.stringLikeRegexp('ap-southeast-2.*[Rr]unbook'));
  });
});
