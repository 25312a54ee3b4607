import * as fs from 'fs';
import * as path from 'path';
import { validateConfig } from '../lib/config/validate-config';
import { BASELINE_DIR, baselineFile, keyStackTemplates, readBaseline, serializeTemplate } from '../scripts/replacement-guard/baseline';
import { findReplacements, normalizeTemplate } from '../scripts/replacement-guard/replacement-guard';
import { configWith, exampleRawConfig, synthesizeOnce } from './helpers/app';
import { moveToKeys } from './helpers/config';
import { templateFiles } from './helpers/template-files';

/*
 * A deployed single-key project must be able to take the version that knows several keys, and to move its
 * configuration from `key` to `keys`, without CloudFormation touching its key: the same stack names, logical IDs,
 * outputs and SSM parameter name, so byte-identical templates.
 */

/** The baseline file of each key stack, relative to the baseline folder. */
function relativeBaselineFile(stack: Parameters<typeof baselineFile>[1]): string {
  return path.relative(BASELINE_DIR, baselineFile(BASELINE_DIR, stack));
}

describe("today's single-key configuration (config/example.json, `key`)", () => {
  const { stack } = synthesizeOnce(configWith());

  test('synthesizes every key stack byte for byte as the committed replacement guard baseline', () => {
    const current = keyStackTemplates(stack);
    expect(current.map(relativeBaselineFile).sort()).toEqual(readBaseline(BASELINE_DIR).map(relativeBaselineFile).sort());
    for (const keyStack of current) {
      const file = relativeBaselineFile(keyStack);
      expect([file, serializeTemplate(keyStack.template)]).toEqual([file, fs.readFileSync(path.join(BASELINE_DIR, file), 'utf8')]);
    }
  });
});

describe('moving from `key` to `keys`', () => {
  const before = synthesizeOnce(configWith());
  const beforeFiles = templateFiles(before.app.outdir);

  test('with the documented values (name app-data, legacyConstructIds true) writes byte-identical templates, the pipeline included', () => {
    const raw = exampleRawConfig();
    moveToKeys(raw);
    const after = templateFiles(synthesizeOnce(validateConfig(raw)).app.outdir);
    expect([...after.keys()]).toEqual([...beforeFiles.keys()]);
    for (const [file, content] of beforeFiles) {
      expect({ file, identical: content.equals(after.get(file)!) }).toEqual({ file, identical: true });
    }
  });

  test('without legacyConstructIds would orphan the key, delete its aliases and move its parameter, and the replacement guard says so', () => {
    const raw = exampleRawConfig();
    moveToKeys(raw)[0].legacyConstructIds = false;
    const findings = findReplacements(keyStackTemplates(before.stack), keyStackTemplates(synthesizeOnce(validateConfig(raw)).stack));
    expect(findings.map((f) => [f.stack, f.logicalId, f.impact])).toEqual(
      expect.arrayContaining([
        ['kms-mrk-primary-key (111111111111/us-east-1)', 'PrimaryKeyCA3E73BD', 'WILL_ORPHAN'],
        ['kms-mrk-primary-key (111111111111/us-east-1)', 'PrimaryKeyAlias198A8B76', 'WILL_DESTROY'],
        ['kms-mrk-primary-key (111111111111/us-east-1)', 'PrimaryKeyArnParameter495DCEF8', 'WILL_DESTROY'],
        ['kms-mrk-replica-key-eu-west-1 (111111111111/eu-west-1)', 'ReplicaKey4DE8F013', 'WILL_ORPHAN'],
        ['kms-mrk-replica-key-eu-west-1 (111111111111/eu-west-1)', 'ReplicaKeyAlias323C4A06', 'WILL_DESTROY'],
      ]),
    );
  });

  test('adding a second key beside the migrated one changes none of its resources', () => {
    const raw = exampleRawConfig();
    moveToKeys(raw, { name: 'logs', alias: 'alias/logs' });
    const { stack } = synthesizeOnce(validateConfig(raw));
    expect(findReplacements(keyStackTemplates(before.stack), keyStackTemplates(stack))).toEqual([]);
    const [beforeStacks, afterStacks] = [before.stack, stack].map((s) =>
      keyStackTemplates(s).map((t) => normalizeTemplate(t.template).Resources!),
    );
    for (const [i, resources] of beforeStacks.entries()) {
      for (const [logicalId, resource] of Object.entries(resources)) {
        expect([logicalId, afterStacks[i][logicalId]]).toEqual([logicalId, resource]);
      }
    }
  });
});
