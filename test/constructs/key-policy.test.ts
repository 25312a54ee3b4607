import { Stack } from 'aws-cdk-lib';
import { multiRegionKeyPolicy } from '../../lib/constructs/key-policy';

const ADMIN = 'arn:aws:iam::111111111111:role/key-admin';
const OTHER_ADMIN = 'arn:aws:iam::111111111111:user/alice';
const USER = 'arn:aws:iam::111111111111:role/app';

const ACCOUNT_STATEMENT = {
  Sid: 'EnableIamPoliciesOfTheAccount',
  Effect: 'Allow',
  Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
  Action: 'kms:*',
  Resource: '*',
};

function statements(props?: Parameters<typeof multiRegionKeyPolicy>[0]): any[] {
  return new Stack().resolve(multiRegionKeyPolicy(props).toJSON()).Statement;
}

function statement(props: Parameters<typeof multiRegionKeyPolicy>[0], sid: string): any {
  return statements(props).find((s) => s.Sid === sid);
}

describe('the key policy', () => {
  test.each([
    ['no principals', undefined],
    ['empty principal lists', { adminPrincipalArns: [], userPrincipalArns: [] }],
  ])('with %s is the account delegation and the grant guard, so IAM policies decide', (_label, props) => {
    const all = statements(props);
    expect(all[0]).toEqual(ACCOUNT_STATEMENT);
    expect(all.slice(1).map((s) => [s.Effect, s.Action])).toEqual([['Deny', 'kms:CreateGrant']]);
  });

  test('keeps the account delegation first when administrators and users are named', () => {
    const all = statements({ adminPrincipalArns: [ADMIN], userPrincipalArns: [USER] });
    expect(all.map((s) => s.Sid)).toEqual([
      'EnableIamPoliciesOfTheAccount',
      'KeyAdministratorsManageButDoNotUse',
      'KeyUsersUseButDoNotManage',
      'DenyGrantsNotForAwsResources',
    ]);
    expect(all[0]).toEqual(ACCOUNT_STATEMENT);
  });

  test('lets every administrator manage and replicate this key, with no cryptographic action', () => {
    const admin = statement({ adminPrincipalArns: [ADMIN, OTHER_ADMIN] }, 'KeyAdministratorsManageButDoNotUse');
    expect(admin).toMatchObject({ Effect: 'Allow', Principal: { AWS: [ADMIN, OTHER_ADMIN] }, Resource: '*' });
    expect(admin.Action).toEqual(
      expect.arrayContaining(['kms:ReplicateKey', 'kms:UpdatePrimaryRegion', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy']),
    );
    expect(admin.Action.filter((action: string) => /Encrypt|Decrypt|GenerateDataKey|CreateGrant/.test(action))).toEqual([]);
    expect(statement({ adminPrincipalArns: [ADMIN] }, 'KeyUsersUseButDoNotManage')).toBeUndefined();
  });

  test('lets a user encrypt and decrypt with this key, and manage nothing', () => {
    const user = statement({ userPrincipalArns: [USER] }, 'KeyUsersUseButDoNotManage');
    expect(user).toMatchObject({ Effect: 'Allow', Principal: { AWS: USER }, Resource: '*' });
    expect(user.Action).toEqual(expect.arrayContaining(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']));
    expect(user.Action.filter((action: string) => /Key(Policy|Deletion|Rotation)|Alias|Replicate|Primary|Grant|Tag/.test(action))).toEqual(
      [],
    );
    expect(statement({ userPrincipalArns: [USER] }, 'KeyAdministratorsManageButDoNotUse')).toBeUndefined();
  });
});
