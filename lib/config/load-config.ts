import * as fs from 'fs';
import * as path from 'path';
import { KmsPipelineConfig } from './kms-pipeline-config';
import { ConfigError, validateConfig } from './validate-config';

/** The CDK context key that holds the configuration object (see `cdk.json`). */
export const CONFIG_CONTEXT_KEY = 'kmsMultiRegion';
/** The CDK context key that names a JSON configuration file (`-c config=my-env.json`). */
export const CONFIG_FILE_CONTEXT_KEY = 'config';

export interface ConfigSources {
  /** The value of the `kmsMultiRegion` context key: an object, or a JSON string from `-c`. */
  readonly contextValue?: unknown;
  /** The value of the `config` context key: a path to a JSON file; it wins over `contextValue`. */
  readonly configFile?: unknown;
  /** Directory that relative file paths are resolved against. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * A relative path that stays inside the repository and needs no quoting in a shell command: what the pipeline
 * accepts as `-c config=FILE`, since its own synth reads the file from its checkout.
 */
export function isRepositoryPath(file: string): boolean {
  return /^[A-Za-z0-9._/-]+$/.test(file) && !file.startsWith('/') && !file.split('/').includes('..');
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the error, newlines included: keep the message on one line.
    throw new ConfigError(`${where} is not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`);
  }
}

function readConfigFile(file: unknown, cwd: string): unknown {
  if (typeof file !== 'string' || file.trim() === '') {
    throw new ConfigError(`context "${CONFIG_FILE_CONTEXT_KEY}" must be the path of a JSON file, got ${JSON.stringify(file)}`);
  }
  const resolved = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`config file ${file} (from -c ${CONFIG_FILE_CONTEXT_KEY}=${file}) cannot be read: ${code} at ${resolved}`);
  }
  return parseJson(text, `config file ${file}`);
}

/**
 * Reads the configuration from its one source and validates it.
 *
 * A file named by `-c config=FILE` replaces the `kmsMultiRegion` object of
 * `cdk.json` as a whole; it is not merged, so what a file says is all there is.
 */
export function loadConfig(sources: ConfigSources): KmsPipelineConfig {
  const cwd = sources.cwd ?? process.cwd();
  let raw: unknown;
  if (sources.configFile !== undefined) {
    raw = readConfigFile(sources.configFile, cwd);
  } else if (sources.contextValue === undefined) {
    throw new ConfigError(
      `no configuration: set context "${CONFIG_CONTEXT_KEY}" in cdk.json or pass -c ${CONFIG_FILE_CONTEXT_KEY}=FILE.json`,
    );
  } else if (typeof sources.contextValue === 'string') {
    raw = parseJson(sources.contextValue, `context "${CONFIG_CONTEXT_KEY}"`);
  } else {
    raw = sources.contextValue;
  }
  return validateConfig(raw);
}
