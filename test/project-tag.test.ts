/*
 * Every KMS key of the app carries the project tag from its creation, with the project name as its value: the
 * execution policy and the permissions boundary let a deploy manage only keys with it (attribute-based access
 * control, scripts/bootstrap/execution-policy.ts), so a key without it could not be updated by its own pipeline.
 * test/iam/execution-policy.test.ts proves the same through the IAM simulator; this file says it in template terms.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_TAG_KEY } from '../lib/resource-names';
import { configWith, keysConfigWith, synthesizeOnce } from './helpers/app';

const KEY_TYPES = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'];

/** The alias name that targets the key `keyId` of `template`, if any. */
function aliasOf(template: Template, keyId: string): string | undefined {
  const aliases = Object.values(template.findResources('AWS::KMS::Alias'));
  const target = aliases.find((alias) => JSON.stringify(alias.Properties.TargetKeyId).includes(`"${keyId}"`));
  return target?.Properties.AliasName;
}

/** Every key of every stack: `stack/logicalId`, its type, the resource and the alias that targets it. */
function keysOfEveryStack(config: ReturnType<typeof configWith>): Array<[string, string, any, string | undefined]> {
  const { app } = synthesizeOnce(config);
  const assembly = app.synth();
  return assembly.stacksRecursively.flatMap((artifact) => {
    const template = Template.fromJSON(artifact.template);
    return KEY_TYPES.flatMap((type) =>
      Object.entries(template.findResources(type)).map(
        ([id, resource]) =>
          [`${artifact.stackName}/${id}`, type, resource, aliasOf(template, id)] as [string, string, any, string | undefined],
      ),
    );
  });
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
  ['the example configuration of several keys', keysConfigWith()],
])('for %s', (_name, config) => {
  const keys = keysOfEveryStack(config);

  test('the app has the keys this test is about: artifacts, alerts, the primary and each replica', () => {
    expect(keys.map(([path, type]) => `${type} ${path.split('/')[0]}`).sort()).toEqual(
      [
        `AWS::KMS::Key ${config.projectName}-pipeline`,
        `AWS::KMS::Key ${config.projectName}-pipeline`,
        ...config.keys.flatMap(() => [
          `AWS::KMS::Key ${config.projectName}-primary-key`,
          ...config.environments[0].replicaRegions.map((region) => `AWS::KMS::ReplicaKey ${config.projectName}-replica-key-${region}`),
        ]),
      ].sort(),
    );
  });

  test('every key carries the project tag with the project name, beside the configured tags', () => {
    const tagged = (resource: any) =>
      (resource.Properties.Tags ?? []).some((tag: any) => tag.Key === PROJECT_TAG_KEY && tag.Value === config.projectName);
    expect(keys.filter(([, , resource]) => !tagged(resource)).map(([path]) => path)).toEqual([]);
    // Each key of the configuration keeps its own tags beside the project tag, in its primary and every replica.
    for (const key of config.keys) {
      const withAlias = keys.filter(([, , , alias]) => alias === key.alias);
      expect(withAlias).toHaveLength(1 + config.environments[0].replicaRegions.length);
      for (const [, , resource] of withAlias) {
        expect(resource.Properties.Tags).toEqual(expect.arrayContaining(Object.entries(key.tags).map(([Key, Value]) => ({ Key, Value }))));
      }
    }
  });
});
