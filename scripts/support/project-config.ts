import * as fs from 'fs';
import * as path from 'path';
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../../lib/config/load-config';
import { ConfigError } from '../../lib/config/validate-config';

/*
 * The project's configuration as the CDK app reads it, without loading aws-cdk-lib: the bootstrap
 * and the configuration's unit tests need the configuration, not the app.
 */

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

/** The app command in the project's cdk.json: what `npx cdk synth` runs, here and in the pipeline's synth step. */
export function cdkJsonAppCommand(): string {
  return JSON.parse(fs.readFileSync(PROJECT_CDK_JSON, 'utf8')).app;
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
