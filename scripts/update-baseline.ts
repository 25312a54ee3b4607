/**
 * Rewrites the replacement guard's baseline: the templates of the key stacks
 * (the primary and every replica) that the example configuration in cdk.json
 * synthesizes, in test/replacement-guard/baseline/<account>-<region>/<stack>.template.json.
 *
 * The guard test (test/replacement-guard/replacement-guard.test.ts) fails when a
 * change would replace or remove a key, a replica, an alias or the key ARN
 * parameter. Run this only to accept such a change, once you have decided that
 * losing the old resource is intended (data re-encrypted, or loss accepted):
 *
 *   npm run baseline:update
 *   git diff test/replacement-guard/baseline    # review, then commit it with the change
 *
 * It prints the findings it accepts, the template diff of each changed stack,
 * and what it wrote. It exits non-zero, with one line saying why, if the app
 * cannot be synthesized.
 */
import * as path from 'path';
import { formatDifferences, fullDiff } from '@aws-cdk/cloudformation-diff';
import { BASELINE_DIR, baselineFile, keyStackTemplates, readBaseline, writeBaseline } from './replacement-guard/baseline';
import { findReplacements, normalizeTemplate, stackLabel } from './replacement-guard/replacement-guard';
import { runMain } from './support/run-main';
import { PROJECT_ROOT, projectConfig } from './support/project-config';
import { synthesizeApp } from './support/synthesize-app';

function main(): void {
  const { stack } = synthesizeApp(projectConfig());
  const current = keyStackTemplates(stack);
  const baseline = readBaseline(BASELINE_DIR);

  const findings = findReplacements(baseline, current);
  for (const finding of findings) console.log(`accepting: ${finding.message}`);

  const baselineByFile = new Map(baseline.map((s) => [baselineFile(BASELINE_DIR, s), s]));
  for (const stackTemplate of current) {
    const before = baselineByFile.get(baselineFile(BASELINE_DIR, stackTemplate));
    const diff = fullDiff(normalizeTemplate(before?.template ?? {}), normalizeTemplate(stackTemplate.template));
    if (diff.isEmpty) continue;
    console.log(`\n${stackLabel(stackTemplate)}${before ? '' : ' (new in the baseline)'}`);
    formatDifferences(process.stdout, diff);
  }

  for (const change of writeBaseline(BASELINE_DIR, current)) {
    console.log(`${change.status.padEnd(9)} ${path.relative(PROJECT_ROOT, change.file)}`);
  }
}

runMain('update-baseline', main);
