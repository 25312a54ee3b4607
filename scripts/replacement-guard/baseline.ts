import * as fs from 'fs';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { KmsPipelineStack } from '../../lib/pipeline-stack';
import { CfnTemplate, normalizeTemplate, StackTemplate } from './replacement-guard';

/**
 * The reviewed templates of the example configuration's key stacks, one file
 * per stack: `<account>-<region>/<stack name>.template.json`, because account,
 * Region and name together are what makes a CloudFormation stack the same stack.
 */
export const BASELINE_DIR = path.resolve(__dirname, '..', '..', 'test', 'replacement-guard', 'baseline');

const ENV_DIR = /^(\d{12})-([a-z]{2}(?:-[a-z]+)+-\d+)$/;
const TEMPLATE_SUFFIX = '.template.json';

/**
 * The templates of the primary key stack and of every replica key stack of every
 * environment, read from their stages' cloud assemblies. CDK Pipelines synthesizes
 * each stage while it builds the pipeline, so `pipeline` only has to be constructed.
 */
export function keyStackTemplates(pipeline: KmsPipelineStack): StackTemplate[] {
  const stages: Array<[Stage, Stack]> = pipeline.environments.flatMap(({ primaryStage, replicaStages }) => [
    [primaryStage, primaryStage.keyStack] as [Stage, Stack],
    ...replicaStages.map((stage): [Stage, Stack] => [stage, stage.keyStack]),
  ]);
  return stages.map(([stage, stack]) => ({
    stackName: stack.stackName,
    account: stack.account,
    region: stack.region,
    template: stage.synth().getStackArtifact(stack.artifactId).template as CfnTemplate,
  }));
}

/** Where the baseline of `stack` lives under `dir`. */
export function baselineFile(dir: string, stack: Pick<StackTemplate, 'stackName' | 'account' | 'region'>): string {
  return path.join(dir, `${stack.account}-${stack.region}`, `${stack.stackName}${TEMPLATE_SUFFIX}`);
}

/** The baseline file's content: the normalized template, two-space JSON, one trailing newline. */
export function serializeTemplate(template: CfnTemplate): string {
  return `${JSON.stringify(normalizeTemplate(template), undefined, 2)}\n`;
}

/** Every baseline stack under `dir`; an empty list when the directory does not exist. */
export function readBaseline(dir: string): StackTemplate[] {
  if (!fs.existsSync(dir)) return [];
  const stacks: StackTemplate[] = [];
  for (const envDir of fs.readdirSync(dir).sort()) {
    const env = ENV_DIR.exec(envDir);
    if (!env) throw new Error(`${path.join(dir, envDir)} is not an <account>-<region> directory of the replacement guard baseline`);
    for (const file of fs.readdirSync(path.join(dir, envDir)).sort()) {
      if (!file.endsWith(TEMPLATE_SUFFIX))
        throw new Error(`${path.join(dir, envDir, file)} is not a <stack name>${TEMPLATE_SUFFIX} baseline file`);
      const template = JSON.parse(fs.readFileSync(path.join(dir, envDir, file), 'utf8')) as CfnTemplate;
      stacks.push({ stackName: file.slice(0, -TEMPLATE_SUFFIX.length), account: env[1], region: env[2], template });
    }
  }
  return stacks;
}

export interface BaselineChange {
  readonly file: string;
  readonly status: 'created' | 'updated' | 'unchanged' | 'removed';
}

/** Makes `dir` hold exactly `stacks`: writes new and changed files, deletes files of stacks no longer synthesized. */
export function writeBaseline(dir: string, stacks: readonly StackTemplate[]): BaselineChange[] {
  const changes: BaselineChange[] = [];
  const written = new Set<string>();
  for (const stack of stacks) {
    const file = baselineFile(dir, stack);
    const content = serializeTemplate(stack.template);
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (before !== content) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    changes.push({ file, status: before === undefined ? 'created' : before === content ? 'unchanged' : 'updated' });
    written.add(file);
  }
  for (const stale of readBaseline(dir).map((s) => baselineFile(dir, s))) {
    if (written.has(stale)) continue;
    fs.rmSync(stale);
    if (fs.readdirSync(path.dirname(stale)).length === 0) fs.rmdirSync(path.dirname(stale));
    changes.push({ file: stale, status: 'removed' });
  }
  return changes;
}
