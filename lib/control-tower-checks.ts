import { App, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/**
 * The context key that turns the Control Tower checks on:
 * `npx cdk synth -c controlTowerChecks=true`. The pipeline's synth step sets it.
 */
export const CONTROL_TOWER_CHECKS_CONTEXT_KEY = 'controlTowerChecks';

/** The name the validator reports under, and the prefix of its acknowledgement IDs. */
export const CONTROL_TOWER_PLUGIN_NAME = 'cdk-validator-cfnguard';

/**
 * Registers AWS Control Tower's proactive controls (the CloudFormation Guard
 * rules bundled by `@cdklabs/cdk-validator-cfnguard`) on the app, beside
 * cdk-nag. A violation that is not acknowledged fails the synth, as a nag
 * finding does. The validator runs the cfn-guard binary shipped in its npm
 * package over every template of the app, nested stage assemblies included.
 */
export function applyControlTowerChecks(app: App): void {
  Validations.of(app).addPlugins(new CfnGuardValidator({ controlTowerRulesEnabled: true }));
}

/**
 * The acknowledgement ID of a Control Tower rule, by the rule name cfn-guard
 * reports (`kms_create_grant_aws_service_check` for CT.KMS.PR.3).
 */
export function controlTowerRule(ruleName: string): string {
  return `${CONTROL_TOWER_PLUGIN_NAME}::${ruleName}`;
}
