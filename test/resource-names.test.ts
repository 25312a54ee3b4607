import { bootstrapQualifier, permissionsBoundaryName, toolkitStackName } from '../lib/resource-names';

describe('the project bootstrap qualifier', () => {
  test.each([
    ['kms-mrk', 'kmsmrk'],
    ['kms-multi-region-app', 'kmsmultire'],
    ['a1', 'a1'],
    ['payments-2024-keys', 'payments20'],
  ])('of %s is %s', (projectName, qualifier) => {
    expect(bootstrapQualifier(projectName)).toBe(qualifier);
  });

  test.each(['kms-mrk', 'k-m-s-m-r-k-a-b-c-d-e-f', 'x9', 'abcdefghijklmnopqrstuvwxyz012345'])(
    'of %s is what CDK accepts: 1 to 10 lowercase letters and digits (it names the staging bucket)',
    (projectName) => {
      expect(bootstrapQualifier(projectName)).toMatch(/^[a-z0-9]{1,10}$/);
    },
  );

  test('the bootstrap stack and the boundary are named after the project', () => {
    expect(toolkitStackName('kms-mrk')).toBe('kms-mrk-cdk-toolkit');
    expect(permissionsBoundaryName('kms-mrk')).toBe('kms-mrk-permissions-boundary');
  });
});
