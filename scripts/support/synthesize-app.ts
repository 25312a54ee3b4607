import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../lib/build-app';
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { CONFIG_CONTEXT_KEY, loadConfig } from '../../lib/config/load-config';
import { KmsPipelineStack } from '../../lib/pipeline-stack';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The `context` of cdk.json: feature flags and the example configuration. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
}

/** The configuration a plain `cdk synth` uses, or the one in `configFile`. */
export function projectConfig(configFile?: string): KmsPipelineConfig {
  return loadConfig({ contextValue: cdkJsonContext()[CONFIG_CONTEXT_KEY], configFile, cwd: PROJECT_ROOT });
}

/** Builds and synthesizes the app in-process, with cdk.json's feature flags, into a temporary directory. */
export function synthesizeApp(config: KmsPipelineConfig): { app: App; stack: KmsPipelineStack; pipelineTemplate: any } {
  const context = { ...cdkJsonContext() };
  delete context[CONFIG_CONTEXT_KEY];
  const app = new App({ context, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-')), builtinCloudFormationValidation: false });
  const stack = buildApp(app, config);
  const assembly = app.synth();
  const pipelineTemplate = assembly.getStackArtifact(stack.artifactId).template;
  return { app, stack, pipelineTemplate };
}
