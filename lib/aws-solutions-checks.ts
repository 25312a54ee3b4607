import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Registers cdk-nag's AWS Solutions rules on the app. cdk-nag runs as a CDK
 * validation plugin: a finding that is not acknowledged (with
 * `Validations.of(construct).acknowledge`) fails the synth.
 */
export function applyAwsSolutionsChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
