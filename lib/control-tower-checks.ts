import {
  App,
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
  Validations,
} from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/**
 * The context key that turns the Control Tower checks on:
 * `npx cdk synth -c controlTowerChecks=true`. The pipeline's synth step sets it.
 */
export const CONTROL_TOWER_CHECKS_CONTEXT_KEY = 'controlTowerChecks';

/** The name the validator reports under, and the prefix of its acknowledgement IDs. */
export const CONTROL_TOWER_PLUGIN_NAME = 'cdk-validator-cfnguard';

/**
 * AWS Control Tower's proactive controls: the CloudFormation Guard rules
 * bundled by `@cdklabs/cdk-validator-cfnguard`, run by the cfn-guard binary
 * shipped in its npm package over every template of the app.
 *
 * The validator reports its violations without a severity, and once any
 * violation of a plugin is acknowledged, aws-cdk-lib judges the plugin's
 * report by severity alone: one acknowledgement would let every other
 * violation pass. Every violation is therefore reported as an error.
 */
class ControlTowerChecks implements IPolicyValidationPluginBeta1 {
  public readonly name = CONTROL_TOWER_PLUGIN_NAME;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly validator = new CfnGuardValidator({ controlTowerRulesEnabled: true });

  constructor() {
    this.version = this.validator.version;
    this.ruleIds = this.validator.ruleIds;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.validator.validate(context);
    return { ...report, violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })) };
  }
}

/**
 * Registers the Control Tower checks on the app, beside cdk-nag: a violation
 * that is not acknowledged fails the synth, as a nag finding does.
 */
export function applyControlTowerChecks(app: App): void {
  Validations.of(app).addPlugins(new ControlTowerChecks());
}

/**
 * The acknowledgement ID of a Control Tower rule, by the rule name cfn-guard
 * reports (`kms_create_grant_aws_service_check` for CT.KMS.PR.3).
 */
export function controlTowerRule(ruleName: string): string {
  return `${CONTROL_TOWER_PLUGIN_NAME}::${ruleName}`;
}
