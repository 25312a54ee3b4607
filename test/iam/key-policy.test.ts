/**
 * The key policy of the project's keys as deployed, judged by an IAM policy
 * simulator: who may use the key and who may manage or delete it.
 */
import { configWith } from '../helpers/app';
import { deployedStacks } from './deployed-stacks';
import { Decision, decide, PolicyDocument } from './simulator';

const ACCOUNT = '111111111111';
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/key-admin`;
const USER = `arn:aws:iam::${ACCOUNT}:role/app`;
const UNLISTED = `arn:aws:iam::${ACCOUNT}:role/someone-else`;
const FOREIGN = 'arn:aws:iam::222222222222:role/app';
const REPLICA_REGIONS = ['eu-west-1', 'ap-southeast-2'];

/** An identity policy that allows every KMS action on every key, as a careless account might have. */
const KMS_EVERYTHING: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

const { stacks } = deployedStacks(
  configWith((raw) => {
    raw.replicaRegions = REPLICA_REGIONS;
    raw.key.adminPrincipalArns = [ADMIN];
    raw.key.userPrincipalArns = [USER];
  }),
);

/** Every key of the project as deployed: its ARN and its key policy. */
const keys = stacks.flatMap((stack) =>
  stack
    .resources()
    .filter(([, r]) => (r.Type === 'AWS::KMS::Key' ? r.Properties.MultiRegion === true : r.Type === 'AWS::KMS::ReplicaKey'))
    .map(([id, r]) => ({
      where: `${stack.stackName} (${stack.region})`,
      arn: stack.arnOf(id),
      policy: stack.resolve(r.Properties.KeyPolicy),
    })),
);

function on(key: (typeof keys)[number]) {
  return (principal: string, action: string, identityPolicies: PolicyDocument[] = []): Promise<Decision> =>
    decide({ principal, action, resource: key.arn, identityPolicies, resourcePolicy: key.policy, resourceAccount: ACCOUNT });
}

test('covers the primary key and every replica', () => {
  expect(keys.map((k) => k.where).sort()).toEqual(
    ['kms-mrk-primary-key (us-east-1)', ...REPLICA_REGIONS.map((region) => `kms-mrk-replica-key-${region} (${region})`)].sort(),
  );
});

describe.each(keys.map((key) => [key.where, key] as const))('the key policy of %s', (_where, key) => {
  const decideOn = on(key);

  test.each(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'])(
    'lets a listed user call %s with no IAM policy of its own',
    async (action) => {
      expect(await decideOn(USER, action)).toBe('Allowed');
    },
  );

  test.each(['kms:Encrypt', 'kms:Decrypt'])(
    'refuses %s to a principal of another account, whatever its own policy says',
    async (action) => {
      expect(await decideOn(FOREIGN, action, [KMS_EVERYTHING])).toBe('ImplicitlyDenied');
    },
  );

  test('refuses cryptography to the administrators', async () => {
    expect(await decideOn(ADMIN, 'kms:Decrypt')).toBe('ImplicitlyDenied');
  });

  test.each(['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'])('%s: only the administrators, and the account through IAM', async (action) => {
    expect(await decideOn(ADMIN, action)).toBe('Allowed');
    // The delegation to the account: a principal of the account whose own IAM policy allows it.
    expect(await decideOn(UNLISTED, action, [KMS_EVERYTHING])).toBe('Allowed');
    expect(await decideOn(USER, action)).toBe('ImplicitlyDenied');
    expect(await decideOn(UNLISTED, action)).toBe('ImplicitlyDenied');
    expect(await decideOn(FOREIGN, action, [KMS_EVERYTHING])).toBe('ImplicitlyDenied');
  });

  test('lets the account delegate to IAM: an unlisted principal of the account is allowed only by its own IAM policy', async () => {
    expect(await decideOn(UNLISTED, 'kms:Decrypt')).toBe('ImplicitlyDenied');
    expect(await decideOn(UNLISTED, 'kms:Decrypt', [KMS_EVERYTHING])).toBe('Allowed');
  });
});
