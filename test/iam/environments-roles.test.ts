/**
 * The roles of config/example-environments.json across accounts, judged by the IAM policy simulator: the step
 * roles of the tooling (pipeline) account 111111111111, the access roles of the environment accounts (staging
 * 222222222222, production 333333333333) and their trust policies, each with the permissions boundary of its own
 * account (scripts/bootstrap/permissions-boundary.ts).
 *
 * How IAM decides a request across accounts, which these tests rely on:
 * - A role in one account assumes a role in another only when both allow it: the caller's identity policy (within
 *   its boundary) allows sts:AssumeRole on the role, and the role's trust policy trusts the caller (IAM User Guide,
 *   Cross-account policy evaluation logic, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html;
 *   and How to use trust policies with IAM roles). So the trust policy is simulated as the resource policy of sts:AssumeRole.
 * - A trust policy that names the other account's root (`arn:aws:iam::111111111111:root`) delegates to that account,
 *   and its `ArnEquals` condition on `aws:PrincipalArn` then admits only the named roles: for a role session,
 *   aws:PrincipalArn is the ARN of the role, not of the session (IAM User Guide, AWS global condition context keys,
 *   aws:PrincipalArn, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 *   test/iam/simulator.ts puts that key in every request of a role.
 * - KMS authorizes a call on a key of another account only when the key policy allows the caller's account and the
 *   caller's own policies allow the call (KMS Developer Guide, Allowing users in other accounts to use a KMS key,
 *   https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
 */
import * as fs from 'fs';
import * as path from 'path';
import { validateConfig } from '../../lib/config/validate-config';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { deployedStacks, DeployedStack } from './deployed-stacks';
import { Decision, decide, PolicyDocument } from './simulator';

const config = validateConfig(
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'config', 'example-environments.json'), 'utf8')),
);
const PIPELINE = '111111111111';
const STRANGER = '444444444444';
const REMOTE = [
  { name: 'staging', account: '222222222222', regions: ['us-east-1', 'eu-west-1'] },
  { name: 'production', account: '333333333333', regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
];
/** Each step role of the pipeline account, and the access role it assumes in its environment's account. */
const STEPS: Array<[step: string, access: string]> = [
  ['verify-step', 'verify'],
  ['scheduled-verify', 'verify'],
  ['preflight-step', 'preflight'],
  ['protect-primary-step', 'protect'],
  ['protect-replicas-step', 'protect'],
];
const ACCESS = ['verify', 'preflight', 'protect'];
const MRK = 'mrk-0123456789abcdef0123456789abcdef';
const keyArn = (account: string, region: string, keyId = MRK) => `arn:aws:kms:${region}:${account}:key/${keyId}`;
const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

interface FoundRole {
  readonly arn: string;
  readonly trust: PolicyDocument;
  readonly policies: PolicyDocument[];
}

/** The role named `roleName` in the stacks, with its trust policy and identity policies as deployed. */
function findRole(stacks: DeployedStack[], roleName: string): FoundRole {
  for (const stack of stacks) {
    const found = stack.resources().find(([, r]) => r.Type === 'AWS::IAM::Role' && stack.resolve(r.Properties.RoleName) === roleName);
    if (found === undefined) continue;
    const [roleId, resource] = found;
    const policies = stack
      .resources()
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === roleId))
      .map(([, r]) => stack.resolve(r.Properties.PolicyDocument));
    return { arn: stack.arnOf(roleId), trust: stack.resolve(resource.Properties.AssumeRolePolicyDocument), policies };
  }
  throw new Error(`no role named ${roleName}`);
}

/** The key policy of the primary key of `alias` in the environment's account, as deployed. */
function keyPolicy(stacks: DeployedStack[], stackName: string): PolicyDocument {
  const stack = stacks.find((s) => s.stackName === stackName)!;
  const [, key] = stack.resources().find(([, r]) => r.Type === 'AWS::KMS::Key')!;
  return stack.resolve(key.Properties.KeyPolicy);
}

/** Trusts the pipeline account with everything: a role whose trust policy alone would let the caller in. */
const TRUSTS_THE_PIPELINE_ACCOUNT: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PIPELINE}:root` }, Action: 'sts:AssumeRole' }],
};
const ALLOW_ASSUME_ANY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
};

describe('roles of config/example-environments.json', () => {
  const { stacks } = deployedStacks(config);
  const pipelineBoundary = permissionsBoundary(config).document;
  const accessRole = (environment: string, access: string) => findRole(stacks, `kms-mrk-${environment}-${access}`);
  const stepRole = (environment: string, step: string) => findRole(stacks, `kms-mrk-${environment}-${step}`);

  describe.each(REMOTE)('the step roles of $name in the pipeline account', ({ name, account }) => {
    const other = REMOTE.find((e) => e.name !== name)!;

    test.each(STEPS)('%s may assume its own access role %s there, and no other', async (step, access) => {
      const role = stepRole(name, step);
      expect(role.arn).toBe(roleArn(PIPELINE, `kms-mrk-${name}-${step}`));
      const assume = (target: string, trust: PolicyDocument): Promise<Decision> =>
        decide({
          principal: role.arn,
          action: 'sts:AssumeRole',
          resource: target,
          identityPolicies: role.policies,
          boundary: pipelineBoundary,
          resourcePolicy: trust,
        });
      const own = accessRole(name, access);
      expect(await assume(own.arn, own.trust)).toBe('Allowed');
      // Another environment's role of the same step, even if its trust policy let every role of the pipeline account in.
      const othersRole = accessRole(other.name, access);
      expect(await assume(othersRole.arn, othersRole.trust)).toBe('ImplicitlyDenied');
      expect(await assume(othersRole.arn, TRUSTS_THE_PIPELINE_ACCOUNT)).toBe('ImplicitlyDenied');
      // The other access roles of its own environment.
      for (const otherAccess of ACCESS.filter((a) => a !== access)) {
        const sibling = accessRole(name, otherAccess);
        expect([otherAccess, await assume(sibling.arn, TRUSTS_THE_PIPELINE_ACCOUNT)]).toEqual([otherAccess, 'ImplicitlyDenied']);
      }
      // Arbitrary roles: of the environment account, of the pipeline account, of the bootstrap.
      for (const target of [
        roleArn(account, 'OrganizationAccountAccessRole'),
        roleArn(account, `kms-mrk-${name}-admin`),
        roleArn(PIPELINE, 'kms-mrk-pipeline-SynthRole'),
        roleArn(account, `cdk-kmsmrk0be8-deploy-role-${account}-us-east-1`),
      ]) {
        expect([target, await assume(target, TRUSTS_THE_PIPELINE_ACCOUNT)]).toEqual([target, 'ImplicitlyDenied']);
      }
    });

    test.each(STEPS)('%s can do nothing in KMS itself, in any account', async (step) => {
      const role = stepRole(name, step);
      const delegating = (keyAccount: string): PolicyDocument => ({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [`arn:aws:iam::${keyAccount}:root`, `arn:aws:iam::${PIPELINE}:root`] },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      });
      for (const keyAccount of [account, PIPELINE]) {
        for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:DescribeKey', 'kms:GetKeyRotationStatus']) {
          const decision = await decide({
            principal: role.arn,
            action,
            resource: keyArn(keyAccount, 'us-east-1'),
            context: { 'kms:ResourceAliases': ['alias/app-data'] },
            identityPolicies: role.policies,
            boundary: pipelineBoundary,
            resourcePolicy: delegating(keyAccount),
          });
          expect([keyAccount, action, decision]).toEqual([keyAccount, action, 'ImplicitlyDenied']);
        }
      }
    });
  });

  describe.each(REMOTE)("the trust policies of $name's access roles", ({ name, account }) => {
    const other = REMOTE.find((e) => e.name !== name)!;
    /** What the trust policy of `access` decides for `caller`, whose own policy allows it to assume any role. */
    const trusts = (access: string, caller: string): Promise<Decision> => {
      const role = accessRole(name, access);
      return decide({
        principal: caller,
        action: 'sts:AssumeRole',
        resource: role.arn,
        identityPolicies: [ALLOW_ASSUME_ANY],
        resourcePolicy: role.trust,
      });
    };

    test.each(ACCESS)('%s admits exactly the named step roles of the pipeline account', async (access) => {
      const admitted = STEPS.filter(([, a]) => a === access).map(([step]) => step);
      for (const step of admitted) {
        expect([step, await trusts(access, roleArn(PIPELINE, `kms-mrk-${name}-${step}`))]).toEqual([step, 'Allowed']);
      }
      const refused = [
        // Another step of the same environment, another environment's step role of the same name, another role of the tooling account.
        ...STEPS.filter(([, a]) => a !== access).map(([step]) => roleArn(PIPELINE, `kms-mrk-${name}-${step}`)),
        ...admitted.map((step) => roleArn(PIPELINE, `kms-mrk-${other.name}-${step}`)),
        roleArn(PIPELINE, 'kms-mrk-pipeline-PipelineRoleB27FAA37-A1B2C3D4E5F6'),
        roleArn(PIPELINE, 'Admin'),
        // The step role's name in another account, and a role of the environment account itself.
        ...admitted.map((step) => roleArn(STRANGER, `kms-mrk-${name}-${step}`)),
        roleArn(account, `kms-mrk-${name}-${admitted[0]}`),
      ];
      for (const caller of refused) {
        expect([caller, await trusts(access, caller)]).toEqual([caller, 'ImplicitlyDenied']);
      }
    });
  });

  describe.each(REMOTE)("$name's access roles, with the boundary of their account", ({ name, account, regions }) => {
    const other = REMOTE.find((e) => e.name !== name)!;
    const boundary = permissionsBoundary(config, account).document;
    const ownKeyPolicy = keyPolicy(stacks, `kms-mrk-${name}-primary-key`);
    const othersKeyPolicy = keyPolicy(stacks, `kms-mrk-${other.name}-primary-key`);
    const as = (access: string) => {
      const role = accessRole(name, access);
      return (action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: PolicyDocument) =>
        decide({ principal: role.arn, action, resource, context, identityPolicies: role.policies, boundary, resourcePolicy });
    };

    test('the verification role may use every project key by its alias in each Region of the environment', async () => {
      const verify = as('verify');
      for (const region of regions) {
        for (const { alias } of config.keys) {
          for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GetKeyRotationStatus']) {
            const decision = await verify(action, keyArn(account, region), { 'kms:ResourceAliases': [alias] }, ownKeyPolicy);
            expect([region, alias, action, decision]).toEqual([region, alias, action, 'Allowed']);
          }
        }
      }
    });

    test('the verification role may not use a key without a project alias, nor one in a Region of no environment', async () => {
      const verify = as('verify');
      expect(await verify('kms:Decrypt', keyArn(account, 'us-east-1'), { 'kms:ResourceAliases': ['alias/payroll'] }, ownKeyPolicy)).toBe(
        'ImplicitlyDenied',
      );
      expect(await verify('kms:Decrypt', keyArn(account, 'us-east-1'), {}, ownKeyPolicy)).toBe('ImplicitlyDenied');
      expect(await verify('kms:Encrypt', keyArn(account, 'sa-east-1'), { 'kms:ResourceAliases': ['alias/app-data'] }, ownKeyPolicy)).toBe(
        'ImplicitlyDenied',
      );
    });

    test("no access role may touch the other environment's keys, in the other account", async () => {
      for (const access of ACCESS) {
        for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:DescribeKey']) {
          const decision = await as(access)(
            action,
            keyArn(other.account, 'us-east-1'),
            { 'kms:ResourceAliases': ['alias/app-data'], 'kms:RequestAlias': 'alias/app-data' },
            othersKeyPolicy,
          );
          expect([access, action, decision]).toEqual([access, action, 'ImplicitlyDenied']);
        }
      }
    });

    test('no access role may manage or delete a project key', async () => {
      for (const access of ACCESS) {
        for (const action of ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKey', 'kms:CreateGrant']) {
          const decision = await as(access)(
            action,
            keyArn(account, 'us-east-1'),
            { 'kms:ResourceAliases': ['alias/app-data'] },
            ownKeyPolicy,
          );
          // CreateGrant is denied explicitly by the key policy's grant guard; the rest by the roles' policies.
          expect([access, action, decision]).toEqual([access, action, expect.stringMatching(/Denied$/)]);
        }
      }
    });

    test('the preflight role may read the replica key stacks and resolve the aliases there, and use no key', async () => {
      const preflight = as('preflight');
      for (const region of regions.slice(1)) {
        const stack = `arn:aws:cloudformation:${region}:${account}:stack/kms-mrk-${name}-replica-key-${region}/0a1b2c3d-0000-0000-0000-000000000000`;
        expect(await preflight('cloudformation:DescribeStacks', stack)).toBe('Allowed');
        expect(await preflight('kms:DescribeKey', keyArn(account, region), { 'kms:RequestAlias': 'alias/logs' }, ownKeyPolicy)).toBe(
          'Allowed',
        );
      }
      expect(await preflight('kms:Decrypt', keyArn(account, 'us-east-1'), { 'kms:ResourceAliases': ['alias/logs'] }, ownKeyPolicy)).toBe(
        'ImplicitlyDenied',
      );
    });

    test('the protection role may protect the key stacks of its environment, and no other stack', async () => {
      const protect = as('protect');
      const stack = (region: string, stackName: string, stackAccount = account) =>
        `arn:aws:cloudformation:${region}:${stackAccount}:stack/${stackName}/0a1b2c3d-0000-0000-0000-000000000000`;
      expect(await protect('cloudformation:UpdateTerminationProtection', stack('us-east-1', `kms-mrk-${name}-primary-key`))).toBe(
        'Allowed',
      );
      for (const region of regions.slice(1)) {
        expect(await protect('cloudformation:UpdateTerminationProtection', stack(region, `kms-mrk-${name}-replica-key-${region}`))).toBe(
          'Allowed',
        );
      }
      for (const denied of [
        stack('us-east-1', `kms-mrk-${name}-pipeline-access`),
        stack('us-east-1', 'payroll'),
        stack('us-east-1', `kms-mrk-${other.name}-primary-key`, other.account),
      ]) {
        expect([denied, await protect('cloudformation:UpdateTerminationProtection', denied)]).toEqual([denied, 'ImplicitlyDenied']);
      }
      expect(await protect('cloudformation:DeleteStack', stack('us-east-1', `kms-mrk-${name}-primary-key`))).toBe('ImplicitlyDenied');
    });
  });
});
