/**
 * The execution policies and boundaries of config/example-environments.json, each account's own, judged by the IAM
 * policy simulator against what CloudFormation's resource handlers call (test/iam/handler-permissions.ts) for every
 * resource of every stack deployed in that account: the pipeline stack and its cross-Region support stacks in the
 * pipeline account, the key stacks and the access stacks in the environment accounts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { validateConfig } from '../../lib/config/validate-config';
import { bootstrapQualifier, PROJECT_TAG_KEY } from '../../lib/resource-names';
import { supportStackAliasName } from '../../scripts/bootstrap/accounts';
import { executionPolicies } from '../../scripts/bootstrap/execution-policy';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { deployedStacks, DeployedStack, keyPolicies, roleBoundaries } from './deployed-stacks';
import { handlerPermissions, isIamAction, isRetained, notCalledBecause, requestsFor, STACK_HANDLERS } from './handler-permissions';
import { Decision, decide, PolicyDocument } from './simulator';

const config = validateConfig(
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'config', 'example-environments.json'), 'utf8')),
);
const [PIPELINE, STAGING, PRODUCTION] = ['111111111111', '222222222222', '333333333333'];
const QUALIFIER = bootstrapQualifier(config.projectName);
/** The execution role that deploys a stack: CDK deploys the support stacks with the pipeline Region's. */
const executionRole = (stack: DeployedStack) =>
  `arn:aws:iam::${stack.account}:role/cdk-${QUALIFIER}-cfn-exec-role-${stack.account}-${stack.stackName.includes('-pipeline-support-') ? config.pipeline.region : stack.region}`;

describe('the execution policies of config/example-environments.json, account by account', () => {
  const { stacks } = deployedStacks(config);
  const boundaries = roleBoundaries(stacks);
  const world = { connectionArn: config.source.connectionArn, boundaryOfRole: (name: string) => boundaries.get(name) };
  const policiesOfKeys = keyPolicies(stacks);

  test('the support stacks have the key aliases that the bootstrap computes', () => {
    const aliases = stacks
      .filter((s) => s.stackName.includes('-pipeline-support-'))
      .map((s) => [s.region, s.resources().find(([, r]) => r.Type === 'AWS::KMS::Alias')?.[1].Properties.AliasName]);
    expect(aliases.length).toBeGreaterThan(0);
    expect(aliases).toEqual(aliases.map(([region]) => [region, supportStackAliasName(config, region!)]));
  });

  test('covers the stacks of every account', () => {
    expect(new Set(stacks.map((s) => s.account))).toEqual(new Set([PIPELINE, STAGING, PRODUCTION]));
    expect(stacks.map((s) => s.stackName)).toEqual(
      expect.arrayContaining(['kms-mrk-pipeline', 'kms-mrk-staging-pipeline-access', 'kms-mrk-production-replica-key-ap-southeast-2']),
    );
  });

  test('allows every handler permission of every resource in its account, within that account’s boundary', async () => {
    const denied: string[] = [];
    for (const stack of stacks) {
      const policies = executionPolicies(config, stack.account).map((p) => p.document);
      const boundary = permissionsBoundary(config, stack.account).document;
      for (const [logicalId, resource] of stack.resources()) {
        const handlers = handlerPermissions(resource.Type);
        if (handlers === undefined) {
          denied.push(`${stack.stackName}/${logicalId}: no handler permissions known for ${resource.Type}`);
          continue;
        }
        const properties = stack.resolve(resource.Properties ?? {});
        for (const handler of STACK_HANDLERS) {
          if (handler === 'delete' && isRetained(resource)) continue;
          for (const action of handlers[handler] ?? []) {
            if (!(await isIamAction(action)) || notCalledBecause(resource.Type, action, properties) !== undefined) continue;
            for (const request of await requestsFor(stack, logicalId, action, world)) {
              const decision = await decide({
                principal: executionRole(stack),
                action: request.action,
                resource: request.resource,
                context: request.context,
                identityPolicies: policies,
                boundary,
                resourcePolicy: policiesOfKeys.get(request.resource),
                resourceAccount: stack.account,
              });
              if (decision !== 'Allowed') denied.push(`${stack.stackName}/${resource.Type} ${handler}: ${request.action} is ${decision}`);
            }
          }
        }
      }
    }
    // Every key is retained, the support stacks' keys too (aws-cdk-lib would make those DESTROY, and their delete
    // handler's kms:ScheduleKeyDeletion, which no policy of the project allows, would stop the stack's deletion).
    expect([...new Set(denied)].sort()).toEqual([]);
  }, 120_000);
});

describe("an environment account's execution role and the keys of others", () => {
  const policies = executionPolicies(config, STAGING).map((p) => p.document);
  const boundary = permissionsBoundary(config, STAGING).document;
  const exec = `arn:aws:iam::${STAGING}:role/cdk-${QUALIFIER}-cfn-exec-role-${STAGING}-us-east-1`;
  const key = `arn:aws:kms:us-east-1:${STAGING}:key/mrk-0123456789abcdef0123456789abcdef`;
  const keyPolicy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${STAGING}:root` }, Action: 'kms:*', Resource: '*' }],
  };
  const ours = { [`aws:ResourceTag/${PROJECT_TAG_KEY}`]: 'kms-mrk' };
  const asExecutionRole = (action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Decision> =>
    decide({
      principal: exec,
      action,
      resource,
      context,
      identityPolicies: policies,
      boundary,
      resourcePolicy: resource.includes(':key/') ? keyPolicy : undefined,
    });

  test.each([
    [
      'creates a key with the project tag',
      'kms:CreateKey',
      '*',
      { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'kms-mrk', 'aws:TagKeys': [PROJECT_TAG_KEY] },
      'Allowed',
    ],
    ['replicates a project key into its replica Region', 'kms:ReplicateKey', key, { ...ours, 'kms:ReplicaRegion': 'eu-west-1' }, 'Allowed'],
    [
      'creates an access role with the boundary',
      'iam:CreateRole',
      `arn:aws:iam::${STAGING}:role/kms-mrk-staging-verify`,
      { 'iam:PermissionsBoundary': `arn:aws:iam::${STAGING}:policy/kms-mrk-permissions-boundary` },
      'Allowed',
    ],
    [
      'creates a forwarding rule',
      'events:PutRule',
      `arn:aws:events:eu-west-1:${STAGING}:rule/kms-mrk-staging-replica-key-eu-west-1-Rule-A1B2C3D4E5F6`,
      {},
      'Allowed',
    ],
  ])('%s', async (_what, action, resource, context, expected) => {
    expect(await asExecutionRole(action, resource, context)).toBe(expected);
  });

  test.each([
    ["changes another project's key", 'kms:PutKeyPolicy', key, { [`aws:ResourceTag/${PROJECT_TAG_KEY}`]: 'payments' }],
    ['changes a key without the project tag', 'kms:DisableKey', key, { 'aws:ResourceTag/team': 'payments' }],
    [
      "creates a key with another project's tag",
      'kms:CreateKey',
      '*',
      { [`aws:RequestTag/${PROJECT_TAG_KEY}`]: 'payments', 'aws:TagKeys': [PROJECT_TAG_KEY] },
    ],
    ["replicates into another environment's Region only", 'kms:ReplicateKey', key, { ...ours, 'kms:ReplicaRegion': 'ap-southeast-2' }],
    ['deletes a project key', 'kms:ScheduleKeyDeletion', key, ours],
    ['creates a role without the boundary', 'iam:CreateRole', `arn:aws:iam::${STAGING}:role/kms-mrk-staging-escape`, {}],
    ['creates a pipeline bucket', 's3:CreateBucket', 'arn:aws:s3:::kms-mrk-staging-bucket', {}],
    [
      'manages a key of the pipeline account',
      'kms:PutKeyPolicy',
      `arn:aws:kms:us-east-1:${PIPELINE}:key/mrk-0123456789abcdef0123456789abcdef`,
      ours,
    ],
  ])('is denied when it %s', async (_what, action, resource, context) => {
    expect(await asExecutionRole(action, resource, context)).toMatch(/Denied$/);
  });
});
