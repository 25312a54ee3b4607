/**
 * What the project permissions boundary lets a role do, judged by an IAM policy
 * simulator: the role's identity policy allows everything, so every decision is
 * the boundary's own. No CDK app is synthesized, so that this file stays fast
 * (mutation testing reruns it for every change of the boundary).
 */
import { bootstrapQualifier, PROJECT_TAG_KEY } from '../../lib/resource-names';
import { executionPolicy, monitoringExecutionPolicy } from '../../scripts/bootstrap/execution-policy';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { configWith } from '../helpers/config';
import { accountOf, Decision, decide, PolicyDocument } from './simulator';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const MRK = 'mrk-0123456789abcdef0123456789abcdef';
const SINGLE_REGION_KEY = '11111111-2222-3333-4444-555555555555';
const ALLOW_EVERYTHING: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/kms-mrk-pipeline-AnyRole-XXXXXXXXXXXX`;

const config = configWith();
/**
 * The boundary, built anew wherever a test reads it rather than once while the file loads: mutation testing
 * runs, for each change to the boundary's code, only the tests that ran that code.
 */
const boundary = {
  get document(): PolicyDocument {
    return permissionsBoundary(config).document;
  },
  get arn(): string {
    return permissionsBoundary(config).arn;
  },
  get name(): string {
    return permissionsBoundary(config).name;
  },
};
const QUALIFIER = bootstrapQualifier(config.projectName);
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/kms-mrk-permissions-boundary`;

const key = (region: string, keyId = MRK, account = ACCOUNT) => `arn:aws:kms:${region}:${account}:key/${keyId}`;
const projectRole = (name = 'kms-mrk-pipeline-AnyRole-XXXXXXXXXXXX', account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const logGroup = (name: string, region = 'us-east-1', account = ACCOUNT) => `arn:aws:logs:${region}:${account}:log-group:${name}`;

type Context = Record<string, string | string[]>;
type Case = [what: string, action: string, resource: string, context: Context, expected: Decision];

/**
 * The resource policy of every resource in another account, and the key policy of every key: it trusts
 * our account with everything, as a key policy must for KMS to look at IAM policies at all, as a role's
 * trust policy must for sts:AssumeRole, and as a resource in another account must for any call to it.
 * So a request is denied only by the boundary.
 */
const TRUSTS_OUR_ACCOUNT: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: '*', Resource: '*' }],
};

/** What a role with an allow-everything policy and the boundary `document` may do. */
function underBoundary(document: PolicyDocument, action: string, resource: string, context: Context = {}) {
  const needsResourcePolicy =
    /^arn:aws:kms:[^:]*:\d{12}:key\//.test(resource) || action === 'sts:AssumeRole' || accountOf(resource) === OTHER_ACCOUNT;
  return decide({
    principal: PRINCIPAL,
    action,
    resource,
    context,
    identityPolicies: [ALLOW_EVERYTHING],
    boundary: document,
    resourcePolicy: needsResourcePolicy ? TRUSTS_OUR_ACCOUNT : undefined,
  });
}

const expectDecisions = (cases: Case[]) =>
  test.each(cases)('%s: %s on %s', async (_what, action, resource, context, expected) => {
    expect(await underBoundary(boundary.document, action, resource, context)).toBe(expected);
  });

test('is named after the project, in the pipeline account', () => {
  expect(boundary.arn).toBe(BOUNDARY_ARN);
  expect(boundary.name).toBe('kms-mrk-permissions-boundary');
});

describe('repeats the narrow statements of the execution policy', () => {
  expectDecisions([
    ['list aliases', 'kms:ListAliases', '*', {}, 'Allowed'],
    ['create the project alias', 'kms:CreateAlias', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app-data`, {}, 'Allowed'],
    ['delete the project alias', 'kms:DeleteAlias', `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/app-data`, {}, 'Allowed'],
    ['not another alias', 'kms:CreateAlias', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/other`, {}, 'ImplicitlyDenied'],
    [
      'read the project bootstrap version',
      'ssm:GetParameter',
      `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/cdk-bootstrap/${QUALIFIER}/version`,
      {},
      'Allowed',
    ],
    [
      'not the default bootstrap version',
      'ssm:GetParameter',
      `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/cdk-bootstrap/hnb659fds/version`,
      {},
      'ImplicitlyDenied',
    ],
    ['describe log groups', 'logs:DescribeLogGroups', '*', {}, 'Allowed'],
    ['create a project role with the boundary', 'iam:CreateRole', projectRole(), { 'iam:PermissionsBoundary': BOUNDARY_ARN }, 'Allowed'],
    ['change a project role with the boundary', 'iam:PutRolePolicy', projectRole(), { 'iam:PermissionsBoundary': BOUNDARY_ARN }, 'Allowed'],
    [
      'not a role of another app',
      'iam:CreateRole',
      projectRole('other-app-role'),
      { 'iam:PermissionsBoundary': BOUNDARY_ARN },
      'ImplicitlyDenied',
    ],
    ['read a project role', 'iam:GetRole', projectRole(), {}, 'Allowed'],
    ['not a role of another app', 'iam:GetRole', projectRole('other-app-role'), {}, 'ImplicitlyDenied'],
    ['pass a project role to Lambda', 'iam:PassRole', projectRole(), { 'iam:PassedToService': 'lambda.amazonaws.com' }, 'Allowed'],
    ['not to EC2', 'iam:PassRole', projectRole(), { 'iam:PassedToService': 'ec2.amazonaws.com' }, 'ImplicitlyDenied'],
  ]);
});

const OURS: Context = { [`aws:ResourceTag/${PROJECT_TAG_KEY}`]: 'kms-mrk' };
const ANOTHER_PROJECTS: Context = { [`aws:ResourceTag/${PROJECT_TAG_KEY}`]: 'payments' };
const UNTAGGED: Context = { 'aws:ResourceTag/team': 'payments' };

describe('manages only keys with the project tag, whatever policy a role is given', () => {
  expectDecisions([
    [
      'not create a key, even with the project tag: only the execution role may',
      'kms:CreateKey',
      '*',
      { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'kms-mrk', 'aws:TagKeys': [PROJECT_TAG_KEY] },
      'ImplicitlyDenied',
    ],
    ['not a key without it', 'kms:CreateKey', '*', {}, 'ImplicitlyDenied'],
    [
      "not a key with another project's",
      'kms:CreateKey',
      '*',
      { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'payments', 'aws:TagKeys': [PROJECT_TAG_KEY] },
      'ImplicitlyDenied',
    ],
    ['change the policy of a project key', 'kms:PutKeyPolicy', key('eu-west-1'), OURS, 'Allowed'],
    ['not of a key without the tag', 'kms:PutKeyPolicy', key('eu-west-1'), UNTAGGED, 'ImplicitlyDenied'],
    ["not of another project's key", 'kms:PutKeyPolicy', key('eu-west-1'), ANOTHER_PROJECTS, 'ImplicitlyDenied'],
    ['disable a project key', 'kms:DisableKey', key('eu-west-1'), OURS, 'Allowed'],
    ['not a key without the tag', 'kms:DisableKey', key('eu-west-1'), UNTAGGED, 'ImplicitlyDenied'],
    [
      'replicate the project key to a replica Region',
      'kms:ReplicateKey',
      key('us-east-1'),
      { ...OURS, 'kms:ReplicaRegion': 'eu-west-1' },
      'Allowed',
    ],
    ['not to another Region', 'kms:ReplicateKey', key('us-east-1'), { ...OURS, 'kms:ReplicaRegion': 'ap-southeast-2' }, 'ImplicitlyDenied'],
    [
      'not a key without the tag',
      'kms:ReplicateKey',
      key('us-east-1'),
      { ...UNTAGGED, 'kms:ReplicaRegion': 'eu-west-1' },
      'ImplicitlyDenied',
    ],
    [
      'not remove the project tag',
      'kms:UntagResource',
      key('eu-west-1'),
      { ...OURS, 'aws:TagKeys': [PROJECT_TAG_KEY] },
      'ImplicitlyDenied',
    ],
    ['remove another tag of a project key', 'kms:UntagResource', key('eu-west-1'), { ...OURS, 'aws:TagKeys': ['team'] }, 'Allowed'],
    [
      'not give the project tag another value',
      'kms:TagResource',
      key('eu-west-1'),
      { ...OURS, [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'payments', 'aws:TagKeys': [PROJECT_TAG_KEY] },
      'ImplicitlyDenied',
    ],
    [
      'not tag a key without the tag',
      'kms:TagResource',
      key('eu-west-1'),
      { ...UNTAGGED, 'aws:RequestTag/team': 'x', 'aws:TagKeys': ['team'] },
      'ImplicitlyDenied',
    ],
  ]);

  const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-${QUALIFIER}-cfn-exec-role-${ACCOUNT}-eu-west-1`;
  const asExecutionRole = (action: string, resource: string, context: Context) =>
    decide({
      principal: EXECUTION_ROLE,
      action,
      resource,
      context,
      identityPolicies: [ALLOW_EVERYTHING],
      boundary: boundary.document,
      resourcePolicy: resource === '*' ? undefined : TRUSTS_OUR_ACCOUNT,
    });
  const projectTag = { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'kms-mrk', 'aws:TagKeys': [PROJECT_TAG_KEY] };

  test.each([
    ['creates a key with the project tag', 'kms:CreateKey', '*', projectTag, 'Allowed'],
    ['adds the project tag to a key without it', 'kms:TagResource', key('eu-west-1'), { ...UNTAGGED, ...projectTag }, 'Allowed'],
    [
      "not with another project's name",
      'kms:CreateKey',
      '*',
      { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'payments', 'aws:TagKeys': [PROJECT_TAG_KEY] },
      'ImplicitlyDenied',
    ],
  ])('the execution role %s: %s', async (_what, action, resource, context, expected) => {
    expect(await asExecutionRole(action, resource, context)).toBe(expected);
  });
});

describe('manages keys with the project tag but never deletes them', () => {
  expectDecisions([
    ...(
      [
        ['kms:DescribeKey', {}],
        ['kms:GetKeyPolicy', {}],
        ['kms:GetKeyRotationStatus', {}],
        ['kms:ListResourceTags', {}],
        ['kms:EnableKeyRotation', {}],
        ['kms:PutKeyPolicy', {}],
        ['kms:EnableKey', {}],
        ['kms:DisableKey', {}],
        ['kms:DisableKeyRotation', {}],
        ['kms:UpdateKeyDescription', {}],
        ['kms:TagResource', { 'aws:RequestTag/team': 'crypto', 'aws:TagKeys': ['team'] }],
        ['kms:UntagResource', { 'aws:TagKeys': ['team'] }],
        ['kms:ReplicateKey', { 'kms:ReplicaRegion': 'eu-west-1' }],
      ] as Array<[string, Context]>
    ).map(([action, request]): Case => ['manage a project key', action, key('us-east-1'), { ...OURS, ...request }, 'Allowed']),
    ['not delete a key', 'kms:ScheduleKeyDeletion', key('us-east-1'), OURS, 'ImplicitlyDenied'],
    ['not move the primary key', 'kms:UpdatePrimaryRegion', key('us-east-1'), OURS, 'ImplicitlyDenied'],
    ['not a key of another account', 'kms:DescribeKey', key('us-east-1', MRK, OTHER_ACCOUNT), {}, 'ImplicitlyDenied'],
  ]);
});

describe('manages the project parameters', () => {
  const parameter = (path: string, account = ACCOUNT) => `arn:aws:ssm:us-east-1:${account}:parameter/${path}`;
  expectDecisions([
    ['write', 'ssm:PutParameter', parameter('kms-mrk/alias/app-data/primary-key-arn'), {}, 'Allowed'],
    ['delete', 'ssm:DeleteParameter', parameter('kms-mrk/x'), {}, 'Allowed'],
    ['read history (any ssm action)', 'ssm:GetParameterHistory', parameter('kms-mrk/x'), {}, 'Allowed'],
    ['not another path', 'ssm:PutParameter', parameter('other/x'), {}, 'ImplicitlyDenied'],
    ['not a path that only starts with the name', 'ssm:PutParameter', parameter('kms-mrk-other/x'), {}, 'ImplicitlyDenied'],
    ['not another account', 'ssm:PutParameter', parameter('kms-mrk/x', OTHER_ACCOUNT), {}, 'ImplicitlyDenied'],
  ]);
});

describe('manages the project functions, log groups, buckets and pipeline', () => {
  const fn = (name: string, account = ACCOUNT) => `arn:aws:lambda:eu-west-1:${account}:function:${name}`;
  const pipeline = (name: string, account = ACCOUNT) => `arn:aws:codepipeline:us-east-1:${account}:${name}`;
  expectDecisions(
    [
      ['invoke a project function', 'lambda:InvokeFunction', fn('kms-mrk-replica-key-Reader')],
      ['add a permission (any lambda action)', 'lambda:AddPermission', fn('kms-mrk-replica-key-Reader')],
      ['set a project log group retention', 'logs:PutRetentionPolicy', logGroup('kms-mrk-pipeline-Logs')],
      ['delete the pipeline build log group', 'logs:DeleteLogGroup', logGroup('/kms-mrk/pipeline/builds')],
      ['write an artifact', 's3:PutObject', 'arn:aws:s3:::kms-mrk-pipeline-artifactsbucket-x/artifact'],
      ['create a project bucket', 's3:CreateBucket', 'arn:aws:s3:::kms-mrk-pipeline-artifactsbucket-x'],
      ['start the pipeline', 'codepipeline:StartPipelineExecution', pipeline('kms-mrk-pipeline')],
      ['delete the pipeline', 'codepipeline:DeletePipeline', pipeline('kms-mrk-pipeline')],
    ].map(([what, action, resource]): Case => [what, action, resource, {}, 'Allowed']),
  );
  expectDecisions(
    [
      ['not another function', 'lambda:InvokeFunction', fn('other-app-fn')],
      ['not a function named with the bare project name', 'lambda:InvokeFunction', fn('kms-mrkfn')],
      ['not a project-named function of another account', 'lambda:InvokeFunction', fn('kms-mrk-fn', OTHER_ACCOUNT)],
      ['not another log group', 'logs:PutRetentionPolicy', logGroup('other-app-logs')],
      ['not a project-named log group of another account', 'logs:PutRetentionPolicy', logGroup('kms-mrk-logs', 'us-east-1', OTHER_ACCOUNT)],
      ['not another log group path', 'logs:DeleteLogGroup', logGroup('/other/pipeline/builds')],
      ['not CodeBuild log groups beyond writing', 'logs:DeleteLogGroup', logGroup('/aws/codebuild/kms-mrk-build')],
      ['not another bucket', 's3:GetObject', 'arn:aws:s3:::payroll-exports/2026.csv'],
      ['not another pipeline', 'codepipeline:StartPipelineExecution', pipeline('other-pipeline')],
      [
        'not a project-named pipeline of another account',
        'codepipeline:StartPipelineExecution',
        pipeline('kms-mrk-pipeline', OTHER_ACCOUNT),
      ],
    ].map(([what, action, resource]): Case => [what, action, resource, {}, 'ImplicitlyDenied']),
  );
});

describe('manages and uses the alerts topic, the key-activity bus and rules, the schedule and the alarms', () => {
  const arn = (service: string, resource: string, account = ACCOUNT) => `arn:aws:${service}:us-east-1:${account}:${resource}`;
  expectDecisions(
    [
      ['publish an alert', 'sns:Publish', arn('sns', 'kms-mrk-monitoring-Alerts')],
      ['put events on the bus', 'events:PutEvents', arn('events', 'event-bus/kms-mrk-key-activity')],
      ['put a rule', 'events:PutRule', arn('events', 'rule/kms-mrk-monitoring-Rule')],
      ['update the schedule', 'scheduler:UpdateSchedule', arn('scheduler', 'schedule/default/kms-mrk-verify')],
      ['set an alarm', 'cloudwatch:PutMetricAlarm', arn('cloudwatch', 'alarm:kms-mrk-verification-failed')],
    ].map(([what, action, resource]): Case => [what, action, resource, {}, 'Allowed']),
  );
  expectDecisions(
    [
      ['not another topic', 'sns:Publish', arn('sns', 'other-topic')],
      ['not a project-named topic of another account', 'sns:Publish', arn('sns', 'kms-mrk-alerts', OTHER_ACCOUNT)],
      ['not another bus', 'events:PutEvents', arn('events', 'event-bus/default')],
      ['not another rule', 'events:PutRule', arn('events', 'rule/other-rule')],
      ['not another schedule', 'scheduler:UpdateSchedule', arn('scheduler', 'schedule/default/other')],
      ['not another alarm', 'cloudwatch:PutMetricAlarm', arn('cloudwatch', 'alarm:other')],
    ].map(([what, action, resource]): Case => [what, action, resource, {}, 'ImplicitlyDenied']),
  );
});

describe('manages and runs build projects and report groups', () => {
  const arn = (resource: string, account = ACCOUNT) => `arn:aws:codebuild:us-east-1:${account}:${resource}`;
  expectDecisions([
    ['start a build', 'codebuild:StartBuild', arn('project/VerifyReplication1234'), {}, 'Allowed'],
    ['report test results', 'codebuild:BatchPutTestCases', arn('report-group/Tests-x'), {}, 'Allowed'],
    ['not a project of another account', 'codebuild:StartBuild', arn('project/Verify', OTHER_ACCOUNT), {}, 'ImplicitlyDenied'],
    [
      'not a report group of another account',
      'codebuild:BatchPutTestCases',
      arn('report-group/Tests', OTHER_ACCOUNT),
      {},
      'ImplicitlyDenied',
    ],
  ]);
});

describe('uses and passes only the source connection, under either service name', () => {
  const codestar = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/11111111-1111-1111-1111-111111111111`;
  const codestarBoundary = (): PolicyDocument =>
    permissionsBoundary(
      configWith((raw) => {
        raw.source.connectionArn = codestar;
      }),
    ).document;
  const projectBoundary = (): PolicyDocument => boundary.document;
  const other = `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/99999999-9999-9999-9999-999999999999`;
  test.each([
    ['codeconnections:UseConnection', config.source.connectionArn, projectBoundary, 'Allowed'],
    ['codeconnections:PassConnection', config.source.connectionArn, projectBoundary, 'Allowed'],
    ['codestar-connections:UseConnection', codestar, codestarBoundary, 'Allowed'],
    ['codestar-connections:PassConnection', codestar, codestarBoundary, 'Allowed'],
    ['codeconnections:UseConnection', other, projectBoundary, 'ImplicitlyDenied'],
    ['codestar-connections:UseConnection', codestar, projectBoundary, 'ImplicitlyDenied'],
  ] as Array<[string, string, () => PolicyDocument, Decision]>)('%s on %s', async (action, resource, document, expected) => {
    expect(await underBoundary(document(), action, resource)).toBe(expected);
  });
});

describe('uses keys only through S3 or with the project alias', () => {
  const singleRegion = key('us-east-1', SINGLE_REGION_KEY);
  const viaS3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
  const withAlias = { 'kms:ResourceAliases': ['alias/app-data'] };
  expectDecisions([
    ...[
      'kms:Encrypt',
      'kms:Decrypt',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext',
    ].flatMap((action): Case[] => [
      ['through S3', action, singleRegion, viaS3, 'Allowed'],
      ['not directly', action, singleRegion, {}, 'ImplicitlyDenied'],
      ['not through another service', action, singleRegion, { 'kms:ViaService': 'lambda.us-east-1.amazonaws.com' }, 'ImplicitlyDenied'],
    ]),
    [
      'not a key of another account through S3',
      'kms:Decrypt',
      key('us-east-1', SINGLE_REGION_KEY, OTHER_ACCOUNT),
      viaS3,
      'ImplicitlyDenied',
    ],
    ['not signing through S3', 'kms:Sign', singleRegion, viaS3, 'ImplicitlyDenied'],
    ['encrypt with the project key', 'kms:Encrypt', key('eu-west-1'), withAlias, 'Allowed'],
    ['decrypt with the project key', 'kms:Decrypt', key('eu-west-1'), withAlias, 'Allowed'],
    [
      'decrypt with a key that also has the alias',
      'kms:Decrypt',
      key('eu-west-1'),
      { 'kms:ResourceAliases': ['alias/x', 'alias/app-data'] },
      'Allowed',
    ],
    ['not data keys of the project key', 'kms:GenerateDataKey', key('eu-west-1'), withAlias, 'ImplicitlyDenied'],
    ['not a key with another alias', 'kms:Decrypt', key('eu-west-1'), { 'kms:ResourceAliases': ['alias/other'] }, 'ImplicitlyDenied'],
    ['not a project-aliased key of another account', 'kms:Decrypt', key('eu-west-1', MRK, OTHER_ACCOUNT), withAlias, 'ImplicitlyDenied'],
  ]);
});

describe('may prove that a Region without a replica cannot decrypt', () => {
  expectDecisions([
    ['decrypt with a multi-Region key ID in a Region without a replica', 'kms:Decrypt', key('ca-central-1'), {}, 'Allowed'],
    ['not in a replica Region', 'kms:Decrypt', key('eu-west-1'), {}, 'ImplicitlyDenied'],
    ['not in the primary Region', 'kms:Decrypt', key('us-east-1'), {}, 'ImplicitlyDenied'],
    ['not a single-Region key', 'kms:Decrypt', key('ca-central-1', SINGLE_REGION_KEY), {}, 'ImplicitlyDenied'],
    ['not another account', 'kms:Decrypt', key('ca-central-1', MRK, OTHER_ACCOUNT), {}, 'ImplicitlyDenied'],
    ['not encrypt', 'kms:Encrypt', key('ca-central-1'), {}, 'ImplicitlyDenied'],
  ]);

  test('in every Region without a replica that the configuration names', async () => {
    const document = permissionsBoundary(configWith((raw) => (raw.noReplicaRegions = ['ca-central-1', 'sa-east-1']))).document;
    expect(await underBoundary(document, 'kms:Decrypt', key('sa-east-1'))).toBe('Allowed');
    expect(await underBoundary(document, 'kms:Decrypt', key('ca-central-1'))).toBe('Allowed');
  });
});

describe('writes build logs', () => {
  const group = logGroup('/aws/codebuild/VerifyReplication1234');
  expectDecisions([
    ['create the log group', 'logs:CreateLogGroup', group, {}, 'Allowed'],
    ['create a log stream', 'logs:CreateLogStream', `${group}:log-stream:build-1`, {}, 'Allowed'],
    ['put log events', 'logs:PutLogEvents', `${group}:log-stream:build-1`, {}, 'Allowed'],
    [
      'not in another account',
      'logs:PutLogEvents',
      `${logGroup('/aws/codebuild/x', 'us-east-1', OTHER_ACCOUNT)}:log-stream:b`,
      {},
      'ImplicitlyDenied',
    ],
    ['not in a log group of another app', 'logs:PutLogEvents', `${logGroup('/aws/lambda/x')}:log-stream:b`, {}, 'ImplicitlyDenied'],
  ]);
});

describe('assumes the project roles and the deploy roles of the project bootstrap', () => {
  test.each([
    ['a project role', projectRole('kms-mrk-monitoring-VerifyRole-X'), 'Allowed'],
    ['the project deploy role', projectRole(`cdk-${QUALIFIER}-deploy-role-${ACCOUNT}-eu-west-1`), 'Allowed'],
    [
      'the project deploy role in another account',
      projectRole(`cdk-${QUALIFIER}-deploy-role-${OTHER_ACCOUNT}-eu-west-1`, OTHER_ACCOUNT),
      'Allowed',
    ],
    ['not the default bootstrap deploy role', projectRole(`cdk-hnb659fds-deploy-role-${ACCOUNT}-eu-west-1`), 'ImplicitlyDenied'],
    ['not a role of another app', projectRole('other-app-role'), 'ImplicitlyDenied'],
    ['not a project-named role in another account', projectRole('kms-mrk-role', OTHER_ACCOUNT), 'ImplicitlyDenied'],
  ] as Array<[string, string, Decision]>)('%s', async (_what, role, expected) => {
    expect(await underBoundary(boundary.document, 'sts:AssumeRole', role)).toBe(expected);
  });
});

describe('reads stacks and protects the project stacks', () => {
  const stack = (name: string, account = ACCOUNT) =>
    `arn:aws:cloudformation:eu-west-1:${account}:stack/${name}/00000000-0000-0000-0000-000000000000`;
  expectDecisions([
    ['describe a project stack', 'cloudformation:DescribeStacks', stack('kms-mrk-replica-key-eu-west-1'), {}, 'Allowed'],
    ['protect a project stack', 'cloudformation:UpdateTerminationProtection', stack('kms-mrk-primary-key'), {}, 'Allowed'],
    ['not delete a project stack', 'cloudformation:DeleteStack', stack('kms-mrk-primary-key'), {}, 'ImplicitlyDenied'],
    ['not another stack', 'cloudformation:UpdateTerminationProtection', stack('other-app'), {}, 'ImplicitlyDenied'],
    [
      'not a project-named stack of another account',
      'cloudformation:DescribeStacks',
      stack('kms-mrk-primary-key', OTHER_ACCOUNT),
      {},
      'ImplicitlyDenied',
    ],
  ]);
});

describe('denies roles and users without this boundary', () => {
  const user = `arn:aws:iam::${ACCOUNT}:user/kms-mrk-user`;
  const withBoundary = { 'iam:PermissionsBoundary': BOUNDARY_ARN };
  const withOther = { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/something-else` };
  const withAdmin = { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' };
  expectDecisions([
    ['create a project role with it', 'iam:CreateRole', projectRole(), withBoundary, 'Allowed'],
    ['put it on a project role', 'iam:PutRolePermissionsBoundary', projectRole(), withBoundary, 'Allowed'],
    ...(['iam:CreateRole', 'iam:PutRolePermissionsBoundary'] as const).flatMap((action): Case[] => [
      ['without a boundary', action, projectRole(), {}, 'ExplicitlyDenied'],
      ['with another boundary', action, projectRole(), withOther, 'ExplicitlyDenied'],
      ['with AdministratorAccess as boundary', action, projectRole(), withAdmin, 'ExplicitlyDenied'],
    ]),
    ...(['iam:CreateUser', 'iam:PutUserPermissionsBoundary'] as const).flatMap((action): Case[] => [
      ['without a boundary', action, user, {}, 'ExplicitlyDenied'],
      ['with another boundary', action, user, withOther, 'ExplicitlyDenied'],
      // Not denied by this statement, but still not allowed: the boundary allows no user at all.
      ['with it', action, user, withBoundary, 'ImplicitlyDenied'],
    ]),
    ['create a role of another app without it', 'iam:CreateRole', projectRole('other-app-role'), {}, 'ExplicitlyDenied'],
  ]);
});

describe('denies removing the boundary', () => {
  expectDecisions([
    ['from a role', 'iam:DeleteRolePermissionsBoundary', projectRole(), { 'iam:PermissionsBoundary': BOUNDARY_ARN }, 'ExplicitlyDenied'],
    ['from a role', 'iam:DeleteRolePermissionsBoundary', projectRole('other-app-role'), {}, 'ExplicitlyDenied'],
    ['from a user', 'iam:DeleteUserPermissionsBoundary', `arn:aws:iam::${ACCOUNT}:user/kms-mrk-user`, {}, 'ExplicitlyDenied'],
  ]);
});

describe('denies changing the boundary or the execution policies', () => {
  const policy = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
  expectDecisions([
    ...['kms-mrk-permissions-boundary', 'kms-mrk-cfn-execution', 'kms-mrk-cfn-execution-monitoring'].flatMap((name) =>
      ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'].map((action): Case => [
        name,
        action,
        policy(name),
        {},
        'ExplicitlyDenied',
      ]),
    ),
    // The statement names the three by the project's prefix, which no other managed policy of the project has.
    ['another policy with the prefix', 'iam:CreatePolicyVersion', policy('kms-mrk-other'), {}, 'ExplicitlyDenied'],
    // Any other policy is simply not allowed, not denied by this statement.
    ['another policy', 'iam:CreatePolicyVersion', policy('other-app-policy'), {}, 'ImplicitlyDenied'],
  ]);
});

describe("IAM's rules for statement IDs", () => {
  // "In IAM, the Sid value must be unique within a JSON policy. The Sid element supports ASCII uppercase
  // letters (A-Z), lowercase letters (a-z), and numbers (0-9)." IAM JSON policy elements: Sid,
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
  // Every statement has one, so that a denial can be traced to the statement that decided it.
  test.each([
    ['the permissions boundary', () => boundary.document],
    ['the execution policy', () => executionPolicy(config).document],
    ['the monitoring execution policy', () => monitoringExecutionPolicy(config).document],
  ])('every statement of %s has a Sid of letters and digits, unique in the policy', (_name, document) => {
    const sids = (document().Statement as ReadonlyArray<{ Sid?: unknown }>).map((statement) => statement.Sid);
    expect(sids.filter((sid) => typeof sid !== 'string' || !/^[A-Za-z0-9]+$/.test(sid))).toEqual([]);
    expect(new Set(sids).size).toBe(sids.length);
  });

  // "Resource": an ARN (arn:partition:service:region:account-id:resource, Region and account empty for
  // global resources) or "*". IAM JSON policy elements: Resource,
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
  test.each([
    ['the permissions boundary', () => boundary.document],
    ['the execution policy', () => executionPolicy(config).document],
    ['the monitoring execution policy', () => monitoringExecutionPolicy(config).document],
  ])('every Resource of %s is an ARN or "*"', (_name, document) => {
    const resources = (document().Statement as ReadonlyArray<{ Resource?: string | readonly string[] }>).flatMap((statement) =>
      [statement.Resource ?? []].flat(),
    );
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.filter((r) => r !== '*' && !/^arn:aws(-[a-z]+)*:[a-z0-9-]+:[a-z0-9*-]*:(\d{12}|\*)?:.+$/.test(r))).toEqual([]);
  });
});
