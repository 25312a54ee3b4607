import { App, AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { KmsPipelineStack } from '../../lib/pipeline-stack';
import { featureFlags } from '../../scripts/support/project-config';
import { synthesizeApp, SynthesizeAppOptions, WITHOUT_STACK_TRACES } from '../../scripts/support/synthesize-app';

// The configuration helpers, for the tests that also build apps.
export {
  configWith,
  EXAMPLE_CONFIG_FILE,
  EXAMPLE_ENVIRONMENTS_CONFIG_FILE,
  EXAMPLE_KEYS_CONFIG_FILE,
  exampleRawConfig,
  keysConfigWith,
  ROOT,
} from './config';

/** The feature flags of cdk.json, so tests synthesize exactly what `cdk synth` does. */
export const FEATURE_FLAGS: Record<string, unknown> = featureFlags();

/**
 * An app for a test of one construct or stack: cdk.json's feature flags, and
 * without CDK's built-in CloudFormation validator, which costs seconds per synth
 * (test/bin-app.test.ts runs it, as `cdk synth` does), and without stack traces in
 * construct metadata (`WITHOUT_STACK_TRACES`).
 */
export function testApp(props: Pick<AppProps, 'outdir' | 'propertyInjectors'> = {}): App {
  return new App({
    ...props,
    context: { ...FEATURE_FLAGS, ...WITHOUT_STACK_TRACES.context },
    builtinCloudFormationValidation: false,
    stackTraces: WITHOUT_STACK_TRACES.stackTraces,
    treeMetadata: false,
  });
}

export type SynthOptions = SynthesizeAppOptions;

export interface SynthesizedApp {
  readonly app: App;
  readonly stack: KmsPipelineStack;
  /** Templates of the pipeline, primary key and replica key stacks. */
  readonly pipelineTemplate: Template;
  readonly primaryTemplate: Template;
  replicaTemplate(region: string): Template;
}

/** `synthesizeApp` (as bin/app.ts builds the app; throws on a cdk-nag finding), with the stacks' templates. */
export function synthesize(config: KmsPipelineConfig, options: SynthOptions = {}): SynthesizedApp {
  const { app, stack } = synthesizeApp(config, options);
  const replicas = new Map(stack.replicaStages.map((s) => [s.keyStack.region, s]));
  return {
    app,
    stack,
    pipelineTemplate: Template.fromStack(stack),
    primaryTemplate: Template.fromStack(stack.primaryStage.keyStack),
    replicaTemplate(region: string): Template {
      const stage = replicas.get(region);
      if (!stage) throw new Error(`no replica stage for ${region}`);
      return Template.fromStack(stage.keyStack);
    },
  };
}

const cache = new Map<string, SynthesizedApp>();

/** `synthesize`, memoized per configuration and options within one test file. */
export function synthesizeOnce(config: KmsPipelineConfig, options: SynthOptions = {}): SynthesizedApp {
  const key = JSON.stringify([config, options]);
  let result = cache.get(key);
  if (!result) {
    result = synthesize(config, options);
    cache.set(key, result);
  }
  return result;
}
