import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { buildApp, BuildAppOptions } from '../../lib/build-app';
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../../lib/config/load-config';
import { ConfigError } from '../../lib/config/validate-config';
import { KmsPipelineStack } from '../../lib/pipeline-stack';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const PROJECT_CDK_JSON = path.join(PROJECT_ROOT, 'cdk.json');

/** The `context` of a cdk.json: feature flags and the configuration (or the name of its file). */
export function cdkJsonContext(cdkJsonPath: string = PROJECT_CDK_JSON): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(cdkJsonPath, 'utf8')).context ?? {};
  } catch (error) {
    throw new ConfigError(`${cdkJsonPath} cannot be read as JSON (${(error as Error).message.replace(/\s+/g, ' ')}): pass --config FILE`);
  }
}

/** cdk.json's feature flags alone, without the configuration. */
export function featureFlags(): Record<string, unknown> {
  const context = { ...cdkJsonContext() };
  delete context[CONFIG_CONTEXT_KEY];
  delete context[CONFIG_FILE_CONTEXT_KEY];
  return context;
}

export interface ProjectConfigOptions {
  /** A configuration file, as with `-c config=FILE`; it wins over cdk.json. @default - what cdk.json says */
  readonly configFile?: string;
  /** What `configFile` is relative to. @default the project root */
  readonly cwd?: string;
  /** The cdk.json to read. @default the project's */
  readonly cdkJsonPath?: string;
}

/**
 * The configuration a plain `npx cdk synth` uses: the file named by cdk.json's
 * `config` context value if there is one (relative to cdk.json), else its
 * `kmsMultiRegion` object; or `configFile`, as with `-c config=FILE`.
 */
export function projectConfig(options: ProjectConfigOptions = {}): KmsPipelineConfig {
  if (options.configFile !== undefined) {
    return loadConfig({ configFile: options.configFile, cwd: options.cwd ?? PROJECT_ROOT });
  }
  const cdkJsonPath = options.cdkJsonPath ?? PROJECT_CDK_JSON;
  const context = cdkJsonContext(cdkJsonPath);
  return loadConfig({
    contextValue: context[CONFIG_CONTEXT_KEY],
    configFile: context[CONFIG_FILE_CONTEXT_KEY],
    cwd: path.dirname(cdkJsonPath),
  });
}

/**
 * App settings that leave the stack traces out of construct metadata. The templates are the same; the
 * traces cost about a tenth of a whole-app synth under jest, which source-maps every frame of every trace.
 */
export const WITHOUT_STACK_TRACES = {
  stackTraces: false,
  context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true },
} as const;

export interface SynthesizeAppOptions extends BuildAppOptions {
  /** Run CDK's built-in CloudFormation validator (seconds per synth). @default false */
  readonly cloudFormationValidation?: boolean;
}

/**
 * Builds and synthesizes the app in-process as bin/app.ts does, with cdk.json's
 * feature flags, into a temporary directory. Synthesis runs the cdk-nag checks,
 * so it throws when a finding is not acknowledged.
 */
export function synthesizeApp(
  config: KmsPipelineConfig,
  options: SynthesizeAppOptions = {},
): { app: App; stack: KmsPipelineStack; pipelineTemplate: any } {
  const app = new App({
    context: { ...featureFlags(), ...WITHOUT_STACK_TRACES.context },
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-')),
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
    stackTraces: WITHOUT_STACK_TRACES.stackTraces,
  });
  const stack = buildApp(app, config, options);
  const assembly = app.synth();
  const pipelineTemplate = assembly.getStackArtifact(stack.artifactId).template;
  return { app, stack, pipelineTemplate };
}
