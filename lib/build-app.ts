import { App, PERMISSIONS_BOUNDARY_CONTEXT_KEY, Tags } from 'aws-cdk-lib';
import { applyAwsSolutionsChecks } from './aws-solutions-checks';
import { applyControlTowerChecks } from './control-tower-checks';
import { KmsPipelineConfig } from './config/kms-pipeline-config';
import { KmsPipelineStack } from './pipeline-stack';
import { bootstrapQualifier, permissionsBoundaryName, pipelineStackName, PROJECT_TAG_KEY } from './resource-names';

/** CDK's context key for the bootstrap qualifier of every stack's default synthesizer. */
export const BOOTSTRAP_QUALIFIER_CONTEXT_KEY = '@aws-cdk/core:bootstrapQualifier';

/** The resource types that carry the project tag: every KMS key, primary, replica or single-Region. */
export const PROJECT_TAGGED_TYPES: readonly string[] = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'];

export interface BuildAppOptions {
  /** The configuration file named with `-c config=FILE`, if any. */
  readonly configFile?: string;
  /** The source commit being synthesized (CodeBuild's CODEBUILD_RESOLVED_SOURCE_VERSION). */
  readonly sourceVersion?: string;
  /**
   * Also run AWS Control Tower's proactive controls as a validation plugin
   * (about 1.7 s per synth). The pipeline's synth step and the tests turn it on.
   *
   * @default false
   */
  readonly controlTowerChecks?: boolean;
}

/**
 * Adds the pipeline stack (and through it every stage) to `app` and applies
 * the cdk-nag checks, and the Control Tower checks when asked. `bin/app.ts`
 * and the tests build the app the same way.
 */
export function buildApp(app: App, config: KmsPipelineConfig, options: BuildAppOptions = {}): KmsPipelineStack {
  // Every stack, stage stacks included, deploys through the project's own bootstrap roles.
  app.node.setContext(BOOTSTRAP_QUALIFIER_CONTEXT_KEY, bootstrapQualifier(config.projectName));
  // Every IAM role the app creates carries the project's boundary, which the execution policy requires.
  app.node.setContext(PERMISSIONS_BOUNDARY_CONTEXT_KEY, { name: permissionsBoundaryName(config.projectName) });
  const stack = new KmsPipelineStack(app, 'Pipeline', {
    stackName: pipelineStackName(config.projectName),
    env: { account: config.pipeline.account, region: config.pipeline.region },
    terminationProtection: true,
    description: `CDK Pipeline that deploys and verifies the multi-region KMS ${config.keys.length === 1 ? 'key' : 'keys'} ${config.keys.map((key) => key.alias).join(', ')}`,
    config,
    configFile: options.configFile,
    sourceVersion: options.sourceVersion,
  });
  // Every KMS key carries the project tag from its creation: the execution policy and the boundary let a deploy
  // manage only keys with it (scripts/bootstrap/execution-policy.ts, keyStatements). This tags the pipeline
  // stack's own keys (artifacts, alerts); CDK Pipelines synthesizes each stage when the pipeline adds it, before
  // this aspect runs, so the key stacks get the tag through their key settings (lib/pipeline-stack.ts).
  Tags.of(app).add(PROJECT_TAG_KEY, config.projectName, { includeResourceTypes: [...PROJECT_TAGGED_TYPES] });
  applyAwsSolutionsChecks(app);
  if (options.controlTowerChecks) applyControlTowerChecks(app);
  return stack;
}
