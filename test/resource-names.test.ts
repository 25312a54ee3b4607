import { bootstrapQualifier, permissionsBoundaryName, toolkitStackName } from '../lib/resource-names';

describe('the project bootstrap qualifier', () => {
  test.each([
    ['kms-mrk', 'kmsmrk0be8'],
    ['kmsmrk', 'kmsmrk599c'],
    ['payments-platform-a', 'paymen7a88'],
    ['payments-platform-b', 'paymen0836'],
  ])('of %s is %s: its start, and a hash that keeps similar names apart', (projectName, qualifier) => {
    expect(bootstrapQualifier(projectName)).toBe(qualifier);
  });

  test('is never the default qualifier that other CDK apps share', () => {
    // The last 4 characters are hex digits; the default ends in "fds".
    expect(['kms-mrk', 'hnb659fds', 'hnb-659-fds', 'hnb659'].map(bootstrapQualifier)).not.toContain('hnb659fds');
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
