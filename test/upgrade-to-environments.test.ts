import { validateConfig } from '../lib/config/validate-config';
import { configWith, exampleRawConfig, synthesizeOnce } from './helpers/app';
import { templateFiles } from './helpers/template-files';

/*
 * A deployed project without environments must be able to move its configuration to `environments` as the README
 * says (Several environments, "Moving to environments") without CloudFormation touching a stack: byte-identical
 * templates.
 */

const TOP_LEVEL_REGIONS = ['primaryRegion', 'replicaRegions', 'noReplicaRegions', 'retiredReplicaRegions'] as const;

/** The example configuration moved to `environments` as the README says: one entry, in the pipeline account. */
function movedToEnvironments(legacyStackNames: boolean): Record<string, any> {
  const raw = exampleRawConfig();
  const environment: Record<string, unknown> = { name: 'production', account: raw.pipeline.account, legacyStackNames };
  for (const field of TOP_LEVEL_REGIONS) {
    environment[field] = raw[field];
    delete raw[field];
  }
  environment.manualApproval = raw.pipeline.manualApproval;
  delete raw.pipeline.manualApproval;
  raw.environments = [environment];
  return raw;
}

describe('moving to `environments`', () => {
  const before = templateFiles(synthesizeOnce(configWith()).app.outdir);

  test('with the documented values (the Regions and the approval in one entry, legacyStackNames true) writes byte-identical templates, the pipeline included', () => {
    const after = templateFiles(synthesizeOnce(validateConfig(movedToEnvironments(true))).app.outdir);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [file, content] of before) {
      expect({ file, identical: content.equals(after.get(file)!) }).toEqual({ file, identical: true });
    }
  });

  test('without legacyStackNames the key stacks get new names: new stacks, with new keys', () => {
    const { stack } = synthesizeOnce(validateConfig(movedToEnvironments(false)));
    expect([stack.primaryStage.keyStack.stackName, ...stack.replicaStages.map((s) => s.keyStack.stackName)]).toEqual([
      'kms-mrk-production-primary-key',
      'kms-mrk-production-replica-key-eu-west-1',
    ]);
  });
});
