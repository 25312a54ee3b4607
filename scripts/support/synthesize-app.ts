import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../lib/build-app';
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../../lib/config/load-config';
import { KmsPipelineStack } from '../../lib/pipeline-stack';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The `context` of cdk.json: feature flags and the configuration (or the name of its file). */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
}

/** cdk.json's feature flags alone, without the configuration. */
export function featureFlags(): Record<string, unknown> {
  const context = { ...cdkJsonContext() };
  delete context[CONFIG_CONTEXT_KEY];
  delete context[CONFIG_FILE_CONTEXT_KEY];
  return context;
}

/**
 * The configuration a plain `npx cdk synth` uses: the file named by cdk.json's
 * `config` context value if there is one, else its `kmsMultiRegion` object;
 * or the file `configFile`, as with `-c config=FILE`.
 */
export function projectConfig(configFile?: string): KmsPipelineConfig {
  const context = cdkJsonContext();
  return loadConfig({
    contextValue: context[CONFIG_CONTEXT_KEY],
    configFile: configFile ?? context[CONFIG_FILE_CONTEXT_KEY],
    cwd: PROJECT_ROOT,
  });
}

/** Builds and synthesizes the app in-process, with cdk.json's feature flags, into a temporary directory. */
export function synthesizeApp(config: KmsPipelineConfig): { app: App; stack: KmsPipelineStack; pipelineTemplate: any } {
  const app = new App({
    context: featureFlags(),
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-')),
    builtinCloudFormationValidation: false,
  });
  const stack = buildApp(app, config);
  const assembly = app.synth();
  const pipelineTemplate = assembly.getStackArtifact(stack.artifactId).template;
  return { app, stack, pipelineTemplate };
}
