/*
 * Every KMS key of the app carries the project tag from its creation, with the project name as its value: the
 * execution policy and the permissions boundary let a deploy manage only keys with it (attribute-based access
 * control, scripts/bootstrap/execution-policy.ts), so a key without it could not be updated by its own pipeline.
 * test/iam/execution-policy.test.ts proves the same through the IAM simulator; this file says it in template terms.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_TAG_KEY } from '../lib/resource-names';
import { configWith, synthesizeOnce } from './helpers/app';

const KEY_TYPES = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'];

function keysOfEveryStack(config: ReturnType<typeof configWith>): Array<[string, string, any]> {
  const { app } = synthesizeOnce(config);
  const assembly = app.synth();
  return assembly.stacksRecursively.flatMap((artifact) =>
    KEY_TYPES.flatMap((type) =>
      Object.entries(Template.fromJSON(artifact.template).findResources(type)).map(
        ([id, resource]) => [`${artifact.stackName}/${id}`, type, resource] as [string, string, any],
      ),
    ),
  );
}

describe.each([
  ['the example configuration', configWith()],
  [
    'another project name and two replica Regions',
    configWith((raw) => {
      raw.projectName = 'payments-keys';
      raw.replicaRegions = ['eu-west-1', 'ap-southeast-2'];
    }),
  ],
])('for %s', (_name, config) => {
  const keys = keysOfEveryStack(config);

  test('the app has the keys this test is about: artifacts, alerts, the primary and each replica', () => {
    expect(keys.map(([path, type]) => `${type} ${path.split('/')[0]}`).sort()).toEqual(
      [
        `AWS::KMS::Key ${config.projectName}-pipeline`,
        `AWS::KMS::Key ${config.projectName}-pipeline`,
        `AWS::KMS::Key ${config.projectName}-primary-key`,
        ...config.replicaRegions.map((region) => `AWS::KMS::ReplicaKey ${config.projectName}-replica-key-${region}`),
      ].sort(),
    );
  });

  test('every key carries the project tag with the project name, beside the configured tags', () => {
    const tagged = (resource: any) =>
      (resource.Properties.Tags ?? []).some((tag: any) => tag.Key === PROJECT_TAG_KEY && tag.Value === config.projectName);
    expect(keys.filter(([, , resource]) => !tagged(resource)).map(([path]) => path)).toEqual([]);
    for (const [path, , resource] of keys) {
      if (!path.includes('-pipeline/')) {
        expect(resource.Properties.Tags).toEqual(
          expect.arrayContaining(Object.entries(config.key.tags).map(([Key, Value]) => ({ Key, Value }))),
        );
      }
    }
  });
});
