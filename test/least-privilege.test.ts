import { KEY_ADMIN_ACTIONS, KEY_USER_ACTIONS } from '../lib/constructs/key-policy';
import { configWith, synthesizeOnce, SynthesizedApp } from './helpers/app';

const ADMIN = 'arn:aws:iam::111111111111:role/key-admin';
const USER = 'arn:aws:iam::111111111111:role/app';
const REPLICA_REGIONS = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];

/** Actions that use a key for cryptography, or hand that use on (CreateGrant); administrators must have none. */
const CRYPTO_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:CreateGrant',
  'kms:Sign',
  'kms:Verify',
  'kms:GenerateMac',
  'kms:VerifyMac',
  'kms:DeriveSharedSecret',
];

/** Actions that manage a key, its aliases, replicas and lifetime; users must have none. */
const MANAGEMENT_ACTIONS = [
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:DisableKey',
  'kms:EnableKey',
  'kms:UpdatePrimaryRegion',
  'kms:ReplicateKey',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:UpdateKeyDescription',
  'kms:CreateGrant',
  'kms:RevokeGrant',
  'kms:ImportKeyMaterial',
  'kms:DeleteImportedKeyMaterial',
];

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
}

interface FoundStatement {
  /** `stack/logicalId`, so a failure says where the statement is. */
  readonly where: string;
  readonly statement: Statement;
}

interface TemplateOfStack {
  readonly stackName: string;
  readonly template: any;
}

/** Every stack of the app, including the stage assemblies and the cross-Region support stacks. */
function allTemplates(synthesized: SynthesizedApp): TemplateOfStack[] {
  return synthesized.app.synth().stacksRecursively.map((s) => ({ stackName: s.stackName, template: s.template }));
}

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Statements of every identity policy: AWS::IAM::Policy, inline policies of AWS::IAM::Role, AWS::IAM::ManagedPolicy. */
function identityStatements(templates: TemplateOfStack[]): FoundStatement[] {
  return templates.flatMap(({ stackName, template }) =>
    Object.entries<any>(template.Resources ?? {}).flatMap(([logicalId, resource]) => {
      const documents =
        resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
          ? [resource.Properties.PolicyDocument]
          : resource.Type === 'AWS::IAM::Role'
            ? list<any>(resource.Properties.Policies).map((p) => p.PolicyDocument)
            : [];
      return documents.flatMap((doc) =>
        list<Statement>(doc.Statement).map((statement) => ({ where: `${stackName}/${logicalId}`, statement })),
      );
    }),
  );
}

/** Statements of the key policy of every AWS::KMS::Key and AWS::KMS::ReplicaKey. */
function keyPolicyStatements(templates: TemplateOfStack[]): FoundStatement[] {
  return templates.flatMap(({ stackName, template }) =>
    Object.entries<any>(template.Resources ?? {})
      .filter(([, r]) => r.Type === 'AWS::KMS::Key' || r.Type === 'AWS::KMS::ReplicaKey')
      .flatMap(([logicalId, r]) =>
        list<Statement>(r.Properties.KeyPolicy.Statement).map((statement) => ({ where: `${stackName}/${logicalId}`, statement })),
      ),
  );
}

/** Whether the IAM action pattern (with `*` and `?`) matches `action`; IAM compares actions without case. */
function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

function principalArns(statement: Statement): unknown[] {
  const principal = statement.Principal as any;
  if (principal === undefined) return [];
  if (typeof principal === 'string') return [principal];
  return list(principal.AWS);
}

function isWildcardPrincipal(statement: Statement): boolean {
  return statement.Principal === '*' || principalArns(statement).includes('*');
}

const EXAMPLE = () => synthesizeOnce(configWith());
const WITH_PRINCIPALS = () =>
  synthesizeOnce(
    configWith((raw) => {
      raw.replicaRegions = REPLICA_REGIONS;
      raw.key.adminPrincipalArns = [ADMIN];
      raw.key.userPrincipalArns = [USER];
    }),
  );

const stackNames = (regions: string[]) => [
  'kms-mrk-pipeline',
  ...regions.map((r) => `kms-mrk-pipeline-support-${r}`),
  'kms-mrk-primary-key',
  ...regions.map((r) => `kms-mrk-replica-key-${r}`),
];

describe.each([
  ['the example config', EXAMPLE, stackNames(['eu-west-1'])],
  ['admin and user principals with three replica Regions', WITH_PRINCIPALS, stackNames(REPLICA_REGIONS)],
])('IAM policies of every stack, %s', (_name, synthesized, expectedStacks) => {
  const templates = allTemplates(synthesized());
  const statements = identityStatements(templates);

  test('cover the pipeline, its cross-Region support stacks and every stage stack', () => {
    expect(templates.map((t) => t.stackName).sort()).toEqual([...expectedStacks].sort());
    expect(statements.length).toBeGreaterThan(0);
  });

  test('no statement allows kms:* or *, or uses NotAction', () => {
    const offending = statements.filter(
      ({ statement }) =>
        statement.Effect === 'Allow' &&
        (statement.NotAction !== undefined || list(statement.Action).some((a) => a === '*' || actionMatches(a, 'kms:*'))),
    );
    expect(offending).toEqual([]);
  });

  test('no statement with ssm:GetParameter has a * resource', () => {
    const reads = statements.filter(({ statement }) => list(statement.Action).some((a) => actionMatches(a, 'ssm:GetParameter')));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter(({ statement }) => list(statement.Resource).some((r) => typeof r === 'string' && r.includes('*')))).toEqual([]);
  });

  test('no key policy in any stack allows a * principal', () => {
    expect(
      keyPolicyStatements(templates).filter(({ statement }) => statement.Effect === 'Allow' && isWildcardPrincipal(statement)),
    ).toEqual([]);
  });
});

describe('the cross-Region parameter reader', () => {
  const synthesized = WITH_PRINCIPALS();
  const parameter = Object.values<any>(synthesized.primaryTemplate.findResources('AWS::SSM::Parameter'))[0];
  const parameterArn = `arn:aws:ssm:us-east-1:111111111111:parameter${parameter.Properties.Name}`;

  test('reads the parameter by its name in the primary Region', () => {
    expect(parameterArn).toBe('arn:aws:ssm:us-east-1:111111111111:parameter/kms-mrk/app-data/primary-key-arn');
  });

  test.each(REPLICA_REGIONS)('in %s may call ssm:GetParameter on exactly that parameter ARN, and nothing else of SSM', (region) => {
    const policies = Object.values<any>(synthesized.replicaTemplate(region).findResources('AWS::IAM::Policy'));
    const ssmStatements = policies
      .flatMap((p) => list<Statement>(p.Properties.PolicyDocument.Statement))
      .filter((s) => list(s.Action).some((a) => a.startsWith('ssm:')));
    expect(ssmStatements).toEqual([{ Action: 'ssm:GetParameter', Effect: 'Allow', Resource: parameterArn }]);
  });
});

describe('key policies with administrators and users', () => {
  const synthesized = WITH_PRINCIPALS();
  const primaryPolicy = Object.values<any>(synthesized.primaryTemplate.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy;
  const statements: Statement[] = primaryPolicy.Statement;
  const grantedTo = (arn: string) => statements.filter((s) => principalArns(s).includes(arn));

  test('have a * principal only in the deny of grants not for AWS resources', () => {
    expect(statements.filter(isWildcardPrincipal).map((s) => [s.Sid, s.Effect, s.Action])).toEqual([
      ['DenyGrantsNotForAwsResources', 'Deny', 'kms:CreateGrant'],
    ]);
  });

  test('grant kms:* only to the account root (the delegation to IAM)', () => {
    const all = statements.filter((s) => list(s.Action).some((a) => a === '*' || actionMatches(a, 'kms:*')));
    expect(all.map((s) => principalArns(s))).toEqual([['arn:aws:iam::111111111111:root']]);
  });

  test('give administrators one statement with no cryptographic action', () => {
    const admin = grantedTo(ADMIN);
    expect(admin).toHaveLength(1);
    expect(list(admin[0].Action).length).toBe(KEY_ADMIN_ACTIONS.length);
    const crypto = list(admin[0].Action).filter((pattern) => CRYPTO_ACTIONS.some((action) => actionMatches(pattern, action)));
    expect(crypto).toEqual([]);
  });

  test('give users one statement with no management action', () => {
    const user = grantedTo(USER);
    expect(user).toHaveLength(1);
    expect(list(user[0].Action).length).toBe(KEY_USER_ACTIONS.length);
    const management = list(user[0].Action).filter((pattern) => MANAGEMENT_ACTIONS.some((action) => actionMatches(pattern, action)));
    expect(management).toEqual([]);
  });

  test.each(REPLICA_REGIONS)('are the same on the replica in %s as on the primary', (region) => {
    const replica = Object.values<any>(synthesized.replicaTemplate(region).findResources('AWS::KMS::ReplicaKey'))[0];
    expect(replica.Properties.KeyPolicy).toEqual(primaryPolicy);
  });
});

describe('the action matcher these checks rely on', () => {
  test.each([
    ['kms:*', 'kms:Decrypt', true],
    ['kms:ReEncrypt*', 'kms:ReEncryptFrom', true],
    ['kms:GenerateDataKey*', 'kms:GenerateDataKeyPair', true],
    ['KMS:decrypt', 'kms:Decrypt', true],
    ['kms:Describe*', 'kms:Decrypt', false],
    ['kms:DescribeKey', 'kms:*', false],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});
