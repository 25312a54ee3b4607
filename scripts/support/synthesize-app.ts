import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { buildApp, BuildAppOptions } from '../../lib/build-app';
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { KmsPipelineStack } from '../../lib/pipeline-stack';
import { featureFlags } from './project-config';

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
    treeMetadata: false,
  });
  const stack = buildApp(app, config, options);
  const assembly = app.synth();
  const pipelineTemplate = assembly.getStackArtifact(stack.artifactId).template;
  return { app, stack, pipelineTemplate };
}
