/**
 * The bootstrap's execution policy, judged by an IAM policy simulator against
 * what CloudFormation's resource handlers call (the registry schemas' handler
 * permissions, test/aws-rules/), for every resource of every synthesized stack,
 * with the permissions boundary that the bootstrap puts on the execution role.
 */
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { bootstrapQualifier, PROJECT_TAG_KEY } from '../../lib/resource-names';
import { executionPolicy, monitoringExecutionPolicy } from '../../scripts/bootstrap/execution-policy';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { configWith } from '../helpers/app';
import { deployedStacks, DeployedStack, keyPolicies, roleBoundaries } from './deployed-stacks';
import { handlerPermissions, isIamAction, isRetained, notCalledBecause, requestsFor, STACK_HANDLERS } from './handler-permissions';
import { Decision, decide } from './simulator';

const ACCOUNT = '111111111111';

const CONFIGS: Array<[string, KmsPipelineConfig]> = [
  ['the example configuration', configWith()],
  [
    'three replica Regions, a retired one, administrators and users, a codestar-connections source, rotation off',
    configWith((raw) => {
      raw.pipeline.region = 'eu-central-1';
      raw.replicaRegions = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];
      raw.retiredReplicaRegions = ['eu-north-1'];
      raw.key.adminPrincipalArns = [`arn:aws:iam::${ACCOUNT}:role/key-admin`];
      raw.key.userPrincipalArns = [`arn:aws:iam::${ACCOUNT}:role/app`];
      raw.key.enableKeyRotation = false;
      raw.source.connectionArn = `arn:aws:codestar-connections:eu-central-1:${ACCOUNT}:connection/11111111-1111-1111-1111-111111111111`;
    }),
  ],
];

function executionRole(config: KmsPipelineConfig, region: string): string {
  const qualifier = bootstrapQualifier(config.projectName);
  return `arn:aws:iam::${ACCOUNT}:role/cdk-${qualifier}-cfn-exec-role-${ACCOUNT}-${region}`;
}

describe.each(CONFIGS)('the execution policy for %s', (_name, config) => {
  const { stacks } = deployedStacks(config);
  const policy = executionPolicy(config).document;
  const monitoringPolicy = monitoringExecutionPolicy(config).document;
  const boundary = permissionsBoundary(config).document;
  const boundaries = roleBoundaries(stacks);
  const world = { connectionArn: config.source.connectionArn, boundaryOfRole: (name: string) => boundaries.get(name) };
  const policiesOfKeys = keyPolicies(stacks);

  test('covers the pipeline, its support stacks and every key stack', () => {
    const expected = [
      'kms-mrk-pipeline',
      'kms-mrk-primary-key',
      ...config.environments[0].replicaRegions.map((r) => `kms-mrk-replica-key-${r}`),
    ];
    expect(stacks.map((s) => s.stackName)).toEqual(expect.arrayContaining(expected));
  });

  test('every resource type in the templates has its handler permissions in the table', () => {
    const types = new Set(stacks.flatMap((s) => s.resources().map(([, r]) => r.Type as string)));
    expect([...types].filter((type) => handlerPermissions(type) === undefined)).toEqual([]);
  });

  test('allows every handler permission of every resource, in its Region and account, within the boundary', async () => {
    const denied: string[] = [];
    for (const stack of stacks) {
      for (const [logicalId, resource] of stack.resources()) {
        for (const problem of await deniedHandlerCalls(stack, logicalId, resource)) denied.push(problem);
      }
    }
    expect(denied).toEqual([]);
  }, 60_000);

  /**
   * The policies match resources by the project prefix and wildcards, never by a stack name after
   * that prefix, a logical ID or a key ID, so two resources of one Region whose ARNs differ only
   * there get the same decision: simulate it once.
   */
  const decisions = new Map<string, Promise<Decision>>();
  const once = (key: unknown[], run: () => Promise<Decision>): Promise<Decision> => {
    const id = JSON.stringify(key);
    if (!decisions.has(id)) decisions.set(id, run());
    return decisions.get(id)!;
  };
  const sameShape = (arn: string, logicalId: string, stackName: string): string =>
    arn
      .split(stackName)
      .join('<stack>')
      .split(stackName.toLowerCase().slice(0, 25))
      .join('<stack>')
      .split(logicalId)
      .join('<id>')
      .split(logicalId.toLowerCase())
      .join('<id>')
      .replace(/mrk-[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '<key>');

  async function deniedHandlerCalls(stack: DeployedStack, logicalId: string, resource: any): Promise<string[]> {
    const handlers = handlerPermissions(resource.Type) ?? {};
    const properties = stack.resolve(resource.Properties ?? {});
    const problems: string[] = [];
    for (const handler of STACK_HANDLERS) {
      // CloudFormation never deletes a resource that is retained on deletion and on replacement.
      if (handler === 'delete' && isRetained(resource)) continue;
      for (const action of handlers[handler] ?? []) {
        if (!(await isIamAction(action))) continue;
        if (notCalledBecause(resource.Type, action, properties) !== undefined) continue;
        for (const request of await requestsFor(stack, logicalId, action, world)) {
          const resourcePolicy = policiesOfKeys.get(request.resource);
          const decision = await once(
            [stack.region, request.action, sameShape(request.resource, logicalId, stack.stackName), request.context, resourcePolicy],
            () =>
              decide({
                principal: executionRole(config, stack.region),
                action: request.action,
                resource: request.resource,
                context: request.context,
                identityPolicies: [policy, monitoringPolicy],
                boundary,
                resourcePolicy,
                resourceAccount: stack.account,
              }),
          );
          if (decision !== 'Allowed') {
            problems.push(
              `${stack.stackName}/${logicalId} (${resource.Type}) ${handler}: ${request.action} on ${request.resource} is ${decision}`,
            );
          }
        }
      }
    }
    return problems;
  }
});

describe('the handler data itself', () => {
  test('names, for the actions skipped as unknown, only actions that IAM really does not define', async () => {
    expect(await isIamAction('s3:DeleteBucketCors')).toBe(false);
    expect(await isIamAction('s3:REST.PUT.OBJECT')).toBe(false);
    expect(await isIamAction('s3:PutBucketCORS')).toBe(true);
    expect(await isIamAction('S3:GetBucketWebsite')).toBe(true);
  });

  test('skips a conditional permission only while the resource lacks the property that makes CloudFormation call it', () => {
    expect(notCalledBecause('AWS::Lambda::Function', 'ec2:DescribeSubnets', {})).toBe('the function is not in a VPC');
    expect(notCalledBecause('AWS::Lambda::Function', 'ec2:DescribeSubnets', { VpcConfig: { SubnetIds: ['s'] } })).toBeUndefined();
    expect(notCalledBecause('AWS::Lambda::Function', 'iam:PassRole', {})).toBeUndefined();
    expect(notCalledBecause('AWS::IAM::Role', 'iam:DeleteRolePermissionsBoundary', {})).toBeUndefined();
  });

  test('skips the delete handler only for a resource kept both on deletion and on replacement', () => {
    expect(isRetained({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })).toBe(true);
    expect(isRetained({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' })).toBe(false);
    expect(isRetained({ DeletionPolicy: 'Retain' })).toBe(false);
    expect(isRetained({})).toBe(false);
  });
});

describe('privilege escalation through the deploy role', () => {
  const config = configWith();
  const exec = executionRole(config, 'us-east-1');
  const policies = [executionPolicy(config).document, monitoringExecutionPolicy(config).document];
  const boundary = permissionsBoundary(config);
  const projectRole = `arn:aws:iam::${ACCOUNT}:role/kms-mrk-pipeline-AnyRole-${'X'.repeat(12)}`;
  const asExecutionRole = (action: string, resource: string, context: Record<string, string> = {}) =>
    decide({ principal: exec, action, resource, context, identityPolicies: policies, boundary: boundary.document });

  test('a project role created with the boundary is allowed', async () => {
    expect(await asExecutionRole('iam:CreateRole', projectRole, { 'iam:PermissionsBoundary': boundary.arn })).toBe('Allowed');
  });

  test.each([
    ['without a boundary', {}],
    ['with another boundary', { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/something-else` }],
    ['with AdministratorAccess as its boundary', { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' }],
  ])('a role created %s is denied', async (_how, context) => {
    expect(await asExecutionRole('iam:CreateRole', projectRole, context)).toMatch(/Denied$/);
  });

  test('an inline policy on a role without the boundary is denied, on one with it allowed', async () => {
    expect(await asExecutionRole('iam:PutRolePolicy', projectRole)).toMatch(/Denied$/);
    expect(await asExecutionRole('iam:PutRolePolicy', projectRole, { 'iam:PermissionsBoundary': boundary.arn })).toBe('Allowed');
  });

  test.each([
    ['removing the boundary of a project role', 'iam:DeleteRolePermissionsBoundary', projectRole],
    ['changing the boundary policy', 'iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/kms-mrk-permissions-boundary`],
    ['changing the execution policy', 'iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/kms-mrk-cfn-execution`],
    ['creating a user', 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/kms-mrk-user`],
    ['deleting a key', 'kms:ScheduleKeyDeletion', `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef`],
    [
      'moving the primary key to another Region',
      'kms:UpdatePrimaryRegion',
      `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef`,
    ],
    ['creating a role of another app', 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/other-app-role`],
  ])('%s is denied', async (_what, action, resource) => {
    expect(await asExecutionRole(action, resource, { 'iam:PermissionsBoundary': boundary.arn })).toMatch(/Denied$/);
  });

  test('removing the boundary is denied explicitly, by the boundary itself', async () => {
    expect(await asExecutionRole('iam:DeleteRolePermissionsBoundary', projectRole, { 'iam:PermissionsBoundary': boundary.arn })).toBe(
      'ExplicitlyDenied',
    );
  });

  test.each([
    ['lambda.amazonaws.com', 'Allowed'],
    ['ec2.amazonaws.com', 'ImplicitlyDenied'],
  ])('a project role may be passed to %s: %s', async (service, expected) => {
    expect(await asExecutionRole('iam:PassRole', projectRole, { 'iam:PassedToService': service })).toBe(expected);
  });

  describe('a project role that a template gives an administrator policy', () => {
    const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const asAdminRole = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
      decide({ principal: projectRole, action, resource, context, identityPolicies: [admin], boundary: boundary.document });

    test.each([
      ['create a role without the boundary', 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/kms-mrk-escape`],
      ['read another bucket', 's3:GetObject', 'arn:aws:s3:::payroll-exports/2026.csv'],
      ['decrypt with another key directly', 'kms:Decrypt', `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`],
      ['delete the project key', 'kms:ScheduleKeyDeletion', `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef`],
      ['start an instance', 'ec2:RunInstances', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`],
    ])('still cannot %s', async (_what, action, resource) => {
      expect(await asAdminRole(action, resource)).toMatch(/Denied$/);
    });

    test('can only do what the boundary allows, such as writing a pipeline artifact', async () => {
      expect(await asAdminRole('s3:PutObject', 'arn:aws:s3:::kms-mrk-pipeline-artifactsbucket-x/artifact')).toBe('Allowed');
    });
  });
});

/**
 * Attribute-based access control on keys: the execution role manages only keys that carry the project tag with
 * this project's name, creates keys only with that tag, cannot take the tag off or give it another value, and
 * replicates only into the configured replica Regions. The key policy of every key delegates to the account, as
 * KMS's default policy does, so each decision below is the execution policy's and the boundary's.
 */
describe('the execution role and the keys of other apps', () => {
  const config = configWith();
  const exec = executionRole(config, 'us-east-1');
  const policies = [executionPolicy(config).document, monitoringExecutionPolicy(config).document];
  const boundary = permissionsBoundary(config).document;
  const keyPolicy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
  };
  const primaryKey = `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef`;
  const ours = { [`aws:ResourceTag/${PROJECT_TAG_KEY}`]: 'kms-mrk' };
  const anotherProjects = { [`aws:ResourceTag/${PROJECT_TAG_KEY}`]: 'payments' };
  const untagged = { 'aws:ResourceTag/team': 'payments' };
  const asExecutionRole = (action: string, resource: string, context: Record<string, string | string[]>) =>
    decide({ principal: exec, action, resource, context, identityPolicies: policies, boundary, resourcePolicy: keyPolicy });

  test.each([
    ['with the project tag', 'Allowed', { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'kms-mrk', 'aws:TagKeys': [PROJECT_TAG_KEY] }],
    [
      'with the project tag and a tag of the configuration',
      'Allowed',
      {
        [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'kms-mrk',
        'aws:RequestTag/team': 'crypto',
        'aws:TagKeys': [PROJECT_TAG_KEY, 'team'],
      },
    ],
    ['without tags', 'ImplicitlyDenied', {}],
    ['with other tags only', 'ImplicitlyDenied', { 'aws:RequestTag/team': 'crypto', 'aws:TagKeys': ['team'] }],
    [
      "with another project's tag",
      'ImplicitlyDenied',
      { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'payments', 'aws:TagKeys': [PROJECT_TAG_KEY] },
    ],
  ])('creates a key %s: %s', async (_how, expected, context) => {
    expect(await decide({ principal: exec, action: 'kms:CreateKey', resource: '*', context, identityPolicies: policies, boundary })).toBe(
      expected,
    );
  });

  test.each(['kms:PutKeyPolicy', 'kms:DisableKey', 'kms:EnableKey', 'kms:DisableKeyRotation', 'kms:UpdateKeyDescription'])(
    "%s: allowed on a key with the project tag, denied on a key without it or with another project's",
    async (action) => {
      expect(await asExecutionRole(action, primaryKey, ours)).toBe('Allowed');
      expect(await asExecutionRole(action, primaryKey, untagged)).toBe('ImplicitlyDenied');
      expect(await asExecutionRole(action, primaryKey, anotherProjects)).toBe('ImplicitlyDenied');
    },
  );

  test.each([
    ['a primary with the project tag, to a replica Region', 'Allowed', ours, 'eu-west-1'],
    ['a primary with the project tag, to a Region outside the replica list', 'ImplicitlyDenied', ours, 'ap-southeast-2'],
    ['a primary with the project tag, to a no-replica Region', 'ImplicitlyDenied', ours, 'ca-central-1'],
    ['a primary without the project tag, to a replica Region', 'ImplicitlyDenied', untagged, 'eu-west-1'],
    ["another project's primary, to a replica Region", 'ImplicitlyDenied', anotherProjects, 'eu-west-1'],
  ])('replicates %s: %s', async (_what, expected, tags, region) => {
    expect(await asExecutionRole('kms:ReplicateKey', primaryKey, { ...tags, 'kms:ReplicaRegion': region })).toBe(expected);
  });

  test.each([
    ['removes a tag of the configuration from a project key', 'kms:UntagResource', 'Allowed', ours, { 'aws:TagKeys': ['team'] }],
    ['removes the project tag', 'kms:UntagResource', 'ImplicitlyDenied', ours, { 'aws:TagKeys': [PROJECT_TAG_KEY] }],
    [
      'removes the project tag with another tag',
      'kms:UntagResource',
      'ImplicitlyDenied',
      ours,
      { 'aws:TagKeys': ['team', PROJECT_TAG_KEY] },
    ],
    ['removes a tag from a key of another app', 'kms:UntagResource', 'ImplicitlyDenied', untagged, { 'aws:TagKeys': ['team'] }],
    [
      'adds a tag of the configuration to a project key',
      'kms:TagResource',
      'Allowed',
      ours,
      { 'aws:RequestTag/team': 'crypto', 'aws:TagKeys': ['team'] },
    ],
    [
      'changes the project tag to another project',
      'kms:TagResource',
      'ImplicitlyDenied',
      ours,
      {
        [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'payments',
        'aws:TagKeys': [PROJECT_TAG_KEY],
      },
    ],
    [
      'adds a tag to a key of another app',
      'kms:TagResource',
      'ImplicitlyDenied',
      untagged,
      { 'aws:RequestTag/team': 'crypto', 'aws:TagKeys': ['team'] },
    ],
    // The upgrade of a deployment whose keys were created before the tag: CloudFormation adds it with TagResource.
    [
      'adds the project tag to a key without it',
      'kms:TagResource',
      'Allowed',
      untagged,
      {
        [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'kms-mrk',
        'aws:TagKeys': [PROJECT_TAG_KEY],
      },
    ],
  ])('%s (%s): %s', async (_what, action, expected, tags, request) => {
    expect(await asExecutionRole(action, primaryKey, { ...tags, ...request })).toBe(expected);
  });

  test.each([['kms:DescribeKey'], ['kms:GetKeyPolicy'], ['kms:ListResourceTags']])(
    '%s stays allowed on a key without the tag (CloudFormation reads a key before it adds the tag)',
    async (action) => {
      expect(await asExecutionRole(action, primaryKey, untagged)).toBe('Allowed');
    },
  );
});
