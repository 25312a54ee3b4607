#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/build-app';
import { ConfigError } from '../lib/config/validate-config';
import { CONTROL_TOWER_CHECKS_CONTEXT_KEY } from '../lib/control-tower-checks';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../lib/config/load-config';

// The only place that reads context and the environment.
const app = new App();
const configFile = app.node.tryGetContext(CONFIG_FILE_CONTEXT_KEY);
try {
  const config = loadConfig({ contextValue: app.node.tryGetContext(CONFIG_CONTEXT_KEY), configFile });
  const controlTowerChecks = app.node.tryGetContext(CONTROL_TOWER_CHECKS_CONTEXT_KEY) ?? false;
  if (![true, false, 'true', 'false'].includes(controlTowerChecks)) {
    throw new ConfigError(`context "${CONTROL_TOWER_CHECKS_CONTEXT_KEY}" must be true or false, got ${JSON.stringify(controlTowerChecks)}`);
  }
  buildApp(app, config, {
    configFile,
    // Off by default (about 1.7 s per synth); the pipeline's synth step turns it on with -c controlTowerChecks=true.
    controlTowerChecks: controlTowerChecks === true || controlTowerChecks === 'true',
    // Set by CodeBuild in the pipeline's synth step; a fixed value elsewhere keeps local synths identical.
    sourceVersion: process.env.CODEBUILD_RESOLVED_SOURCE_VERSION,
  });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(`Invalid configuration: ${e.message}`);
  process.exit(1);
}
