#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/build-app';
import { ConfigError } from '../lib/config/validate-config';
import { CONFIG_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../lib/config/load-config';

// The only place that reads context and the environment.
const app = new App();
const configFile = app.node.tryGetContext(CONFIG_FILE_CONTEXT_KEY);
try {
  const config = loadConfig({ contextValue: app.node.tryGetContext(CONFIG_CONTEXT_KEY), configFile });
  buildApp(app, config, {
    configFile,
    // Set by CodeBuild in the pipeline's synth step; a fixed value elsewhere keeps local synths identical.
    sourceVersion: process.env.CODEBUILD_RESOLVED_SOURCE_VERSION,
  });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(`Invalid configuration: ${e.message}`);
  process.exit(1);
}
