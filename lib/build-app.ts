import { App } from 'aws-cdk-lib';
import { applyAwsSolutionsChecks } from './aws-solutions-checks';
import { KmsPipelineConfig } from './config/kms-pipeline-config';
import { KmsPipelineStack } from './pipeline-stack';
import { pipelineStackName } from './resource-names';

export interface BuildAppOptions {
  /** The configuration file named with `-c config=FILE`, if any. */
  readonly configFile?: string;
  /** The source commit being synthesized (CodeBuild's CODEBUILD_RESOLVED_SOURCE_VERSION). */
  readonly sourceVersion?: string;
}

/**
 * Adds the pipeline stack (and through it every stage) to `app` and applies
 * the cdk-nag checks. `bin/app.ts` and the tests build the app the same way.
 */
export function buildApp(app: App, config: KmsPipelineConfig, options: BuildAppOptions = {}): KmsPipelineStack {
  const stack = new KmsPipelineStack(app, 'Pipeline', {
    stackName: pipelineStackName(config.projectName),
    env: { account: config.pipeline.account, region: config.pipeline.region },
    terminationProtection: true,
    description: `CDK Pipeline that deploys and verifies the multi-region KMS key ${config.key.alias}`,
    config,
    configFile: options.configFile,
    sourceVersion: options.sourceVersion,
  });
  applyAwsSolutionsChecks(app);
  return stack;
}
