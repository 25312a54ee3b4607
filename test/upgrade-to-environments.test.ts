import { validateConfig } from '../lib/config/validate-config';
import { keyStackTemplates } from '../scripts/replacement-guard/baseline';
import { findReplacements } from '../scripts/replacement-guard/replacement-guard';
import { configWith, exampleRawConfig, synthesizeOnce } from './helpers/app';
import { moveToEnvironments } from './helpers/config';
import { templateFiles } from './helpers/template-files';

/*
 * A deployed project without environments must be able to move to `environments` without CloudFormation touching
 * its keys: the environment that replaces the top-level Regions keeps the stack names (`legacyStackNames`), so
 * every template is byte-identical, and the environments added after it deploy stacks of their own.
 */

/** The README's migration: the top-level Regions and pipeline.manualApproval move into one environment. */
function toEnvironments(raw: Record<string, any>, legacyStackNames: boolean): Array<Record<string, any>> {
  const { primaryRegion, replicaRegions, noReplicaRegions, retiredReplicaRegions } = raw;
  return moveToEnvironments(raw, [
    {
      name: 'production',
      account: raw.pipeline.account,
      primaryRegion,
      replicaRegions,
      noReplicaRegions,
      retiredReplicaRegions,
      manualApproval: raw.pipeline.manualApproval,
      legacyStackNames,
    },
  ]);
}

describe('moving from the top-level Regions to `environments`', () => {
  const before = synthesizeOnce(configWith());
  const beforeFiles = templateFiles(before.app.outdir);

  test('with legacyStackNames on the environment in the pipeline account writes byte-identical templates, the pipeline included', () => {
    const raw = exampleRawConfig();
    toEnvironments(raw, true);
    const after = templateFiles(synthesizeOnce(validateConfig(raw)).app.outdir);
    expect([...after.keys()]).toEqual([...beforeFiles.keys()]);
    for (const [file, content] of beforeFiles) {
      expect({ file, identical: content.equals(after.get(file)!) }).toEqual({ file, identical: true });
    }
  });

  test('without legacyStackNames would deploy new stacks with new keys and leave the old ones, and the replacement guard says so', () => {
    const raw = exampleRawConfig();
    toEnvironments(raw, false);
    const after = keyStackTemplates(synthesizeOnce(validateConfig(raw)).stack);
    expect(after.map((s) => s.stackName)).toEqual(['kms-mrk-production-primary-key', 'kms-mrk-production-replica-key-eu-west-1']);
    const findings = findReplacements(keyStackTemplates(before.stack), after);
    expect(findings.map((f) => f.stack)).toEqual(
      expect.arrayContaining(['kms-mrk-primary-key (111111111111/us-east-1)', 'kms-mrk-replica-key-eu-west-1 (111111111111/eu-west-1)']),
    );
    expect(findings.length).toBeGreaterThan(0);
  });

  test('adding a staging environment in another account before it changes none of its stacks, and the guard covers both', () => {
    const raw = exampleRawConfig();
    const environments = toEnvironments(raw, true);
    environments.unshift({ ...environments[0], name: 'staging', account: '222222222222', legacyStackNames: false });
    const { stack } = synthesizeOnce(validateConfig(raw));
    const after = keyStackTemplates(stack);
    expect(after.map((s) => `${s.stackName} ${s.account}`)).toEqual([
      'kms-mrk-staging-primary-key 222222222222',
      'kms-mrk-staging-replica-key-eu-west-1 222222222222',
      'kms-mrk-primary-key 111111111111',
      'kms-mrk-replica-key-eu-west-1 111111111111',
    ]);
    expect(findReplacements(keyStackTemplates(before.stack), after)).toEqual([]);
    // Renaming the staging environment would lose its stacks: the guard reads every environment.
    const renamed = exampleRawConfig();
    const renamedEnvironments = toEnvironments(renamed, true);
    renamedEnvironments.unshift({ ...renamedEnvironments[0], name: 'stage', account: '222222222222', legacyStackNames: false });
    const lost = findReplacements(after, keyStackTemplates(synthesizeOnce(validateConfig(renamed)).stack));
    expect([...new Set(lost.map((f) => f.stack))]).toEqual([
      'kms-mrk-staging-primary-key (222222222222/us-east-1)',
      'kms-mrk-staging-replica-key-eu-west-1 (222222222222/eu-west-1)',
    ]);
  });
});
