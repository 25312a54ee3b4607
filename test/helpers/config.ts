import * as fs from 'fs';
import * as path from 'path';
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { validateConfig } from '../../lib/config/validate-config';

/*
 * The example configuration, for tests. This module loads no aws-cdk-lib, so that the configuration's
 * own unit tests (and mutation testing, which reruns them for every change) start in milliseconds.
 */

export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The example configuration file, the same as the example in cdk.json (test/config/config-files.test.ts proves
 * it). Users keep their own configuration in a file of their own, so the tests' expectations stay put.
 */
export const EXAMPLE_CONFIG_FILE = path.join(ROOT, 'config', 'example.json');
const EXAMPLE_CONFIG = fs.readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');

/** The example configuration of several keys (application data, logs, backups), `config/example-keys.json`. */
export const EXAMPLE_KEYS_CONFIG_FILE = path.join(ROOT, 'config', 'example-keys.json');
const EXAMPLE_KEYS_CONFIG = fs.readFileSync(EXAMPLE_KEYS_CONFIG_FILE, 'utf8');

/** The example configuration of three environments (dev, staging, production) and three keys, `config/example-environments.json`. */
export const EXAMPLE_ENVIRONMENTS_CONFIG_FILE = path.join(ROOT, 'config', 'example-environments.json');

/** The example configuration of several keys with `change` applied to a copy of its raw JSON, validated. */
export function keysConfigWith(change: (raw: Record<string, any>) => void = () => undefined): KmsPipelineConfig {
  const raw = JSON.parse(EXAMPLE_KEYS_CONFIG);
  change(raw);
  return validateConfig(raw);
}

/** The example configuration as raw JSON, with its `$schema` (a fresh copy each call). */
export function exampleRawConfig(): Record<string, any> {
  return JSON.parse(EXAMPLE_CONFIG);
}

/** The example configuration with `change` applied to a copy of its raw JSON, validated. */
export function configWith(change: (raw: Record<string, any>) => void = () => undefined): KmsPipelineConfig {
  const raw = exampleRawConfig();
  change(raw);
  return validateConfig(raw);
}

/**
 * Moves the example's one key into `keys` as the README's migration does: named `app-data`, with
 * `legacyConstructIds: true` so that it keeps the single-key construct IDs, followed by `more`. Returns the list.
 */
export function moveToKeys(raw: Record<string, any>, ...more: Array<Record<string, unknown>>): Array<Record<string, any>> {
  raw.keys = [{ name: 'app-data', legacyConstructIds: true, ...raw.key }, ...more];
  delete raw.key;
  return raw.keys;
}

/** The top-level fields that name the one environment of a configuration without `environments`. */
const TOP_LEVEL_REGIONS = ['primaryRegion', 'replicaRegions', 'noReplicaRegions', 'retiredReplicaRegions'];

/**
 * Moves the example to the shape with environments: the top-level Regions and `pipeline.manualApproval` leave, and
 * `environments` lists `environments`. Returns the list.
 */
export function moveToEnvironments(raw: Record<string, any>, environments: Array<Record<string, any>>): Array<Record<string, any>> {
  for (const field of TOP_LEVEL_REGIONS) delete raw[field];
  delete raw.pipeline.manualApproval;
  raw.environments = environments;
  return environments;
}
