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
 * The example configuration, as shipped in cdk.json, kept here as a fixture so
 * that the tests' expectations do not change when a user configures cdk.json
 * for their own account.
 */
export const EXAMPLE_CONFIG_FILE = path.join(ROOT, 'test', 'fixtures', 'example-config.json');
const EXAMPLE_CONFIG = fs.readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');

/** The example configuration as raw JSON (a fresh copy each call). */
export function exampleRawConfig(): Record<string, any> {
  return JSON.parse(EXAMPLE_CONFIG);
}

/** The example configuration with `change` applied to a copy of its raw JSON, validated. */
export function configWith(change: (raw: Record<string, any>) => void = () => undefined): KmsPipelineConfig {
  const raw = exampleRawConfig();
  change(raw);
  return validateConfig(raw);
}
