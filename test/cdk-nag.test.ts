import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, IPropertyInjector, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildApp } from '../lib/build-app';
import { KmsPipelineConfig } from '../lib/config/kms-pipeline-config';
import { MultiRegionKey } from '../lib/constructs/multi-region-key';
import { KmsPipelineStack } from '../lib/pipeline-stack';
import { configWith, SynthesizedApp, synthesizeOnce, testApp } from './helpers/app';

interface ValidationReport {
  readonly pluginReports: Array<{
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: Array<{ readonly ruleName: string; readonly violatingConstructs: Array<{ readonly constructPath: string }> }>;
  }>;
}

/** The validation report CDK writes to the assembly when a validation plugin runs, if it wrote one. */
function validationReport(app: App): ValidationReport | undefined {
  const file = path.join(app.outdir, 'validation-report.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

/** A fresh app built as bin/app.ts builds it, not yet synthesized, so a test can add to it first. */
function unsynthesizedApp(config: KmsPipelineConfig, injectors: IPropertyInjector[] = []): { app: App; stack: KmsPipelineStack } {
  const app = testApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-nag-')), propertyInjectors: injectors });
  return { app, stack: buildApp(app, config) };
}

/** `[rule, construct path]` of every unacknowledged finding in the report. */
function failures(report: ValidationReport | undefined): Array<[string, string]> {
  return (report?.pluginReports ?? [])
    .filter((r) => r.conclusion === 'failure')
    .flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs.map((c): [string, string] => [v.ruleName, c.constructPath])));
}

const CONFIGS: Array<[string, () => KmsPipelineConfig]> = [
  ['the example config', () => configWith()],
  [
    'admin and user principals with three replica Regions',
    () =>
      configWith((raw) => {
        raw.replicaRegions = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];
        raw.key.adminPrincipalArns = ['arn:aws:iam::111111111111:role/key-admin'];
        raw.key.userPrincipalArns = ['arn:aws:iam::111111111111:role/app', 'arn:aws:iam::111111111111:user/ops'];
      }),
  ],
  ['key rotation turned off', () => configWith((raw) => (raw.key.enableKeyRotation = false))],
];

describe.each(CONFIGS)('cdk-nag AwsSolutions on %s', (_name, config) => {
  let synthesized: SynthesizedApp | undefined;
  const synthesizedApp = (): SynthesizedApp => (synthesized ??= synthesizeOnce(config()));

  test('synthesis succeeds, so every finding is fixed or acknowledged', () => {
    expect(synthesizedApp).not.toThrow();
  });

  test('no plugin report concludes in failure', () => {
    const report = validationReport(synthesizedApp().app);
    expect(report).toBeDefined();
    expect(report!.pluginReports.filter((r) => r.conclusion === 'failure')).toEqual([]);
  });

  test('no AwsSolutions finding of any severity is left, warnings included', () => {
    const report = validationReport(synthesizedApp().app)!;
    const findings = report.pluginReports
      .flatMap((r) => r.violations.map((v) => v.ruleName))
      .filter((rule) => rule.startsWith('AwsSolutions'));
    expect(findings).toEqual([]);
  });

  test('no stack carries an AwsSolutions error annotation', () => {
    const stacks = synthesizedApp()
      .app.node.findAll()
      .filter((c): c is Stack => Stack.isStack(c));
    expect(stacks.length).toBeGreaterThanOrEqual(4);
    for (const stack of stacks) {
      expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    }
  });

  test('every acknowledgement is narrow, on a resource construct, with a specific reason', () => {
    const acknowledgements = synthesizedApp()
      .app.node.findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.entries<string>(m.data).map(([id, reason]) => ({ construct, id: id.replace(/^annotation::/i, ''), reason })),
          ),
      );
    expect(acknowledgements.length).toBeGreaterThan(0);
    const problems = acknowledgements.flatMap(({ construct, id, reason }) => {
      const where = `${construct.node.path}: ${id}`;
      const found: string[] = [];
      if (id === 'AwsSolutions-IAM5' || id === 'AwsSolutions-IAM4')
        found.push(`${where} acknowledges every finding of the rule; name the finding (${id}[...])`);
      if (Stack.isStack(construct) || Stage.isStage(construct)) found.push(`${where} is on a whole stack or stage`);
      if (typeof reason !== 'string' || reason.trim().split(/\s+/).length < 8)
        found.push(`${where} has no specific reason: ${JSON.stringify(reason)}`);
      return found;
    });
    expect(problems).toEqual([]);
  });
});

describe('the checks are live', () => {
  test('an IAM policy with Resource "*" in the pipeline stack fails synthesis with AwsSolutions-IAM5', () => {
    const { app, stack } = unsynthesizedApp(configWith());
    const role = new iam.Role(stack, 'UnscopedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
    expect(failures(validationReport(app))).toEqual([['AwsSolutions-IAM5[Resource::*]', 'Pipeline/UnscopedRole/DefaultPolicy/Resource']]);
  });

  test('a bucket without access logs fails synthesis with AwsSolutions-S1', () => {
    const { app, stack } = unsynthesizedApp(configWith());
    new s3.Bucket(stack, 'UnloggedBucket', { enforceSSL: true });
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    expect(failures(validationReport(app))).toEqual([['AwsSolutions-S1', 'Pipeline/UnloggedBucket/Resource']]);
  });

  test('the checks reach the key stacks, which CDK Pipelines synthesizes while it builds the pipeline', () => {
    // Turns rotation off below MultiRegionKey, so that its own acknowledgement (made only when the config turns rotation off) is absent.
    const rotationOff: IPropertyInjector = {
      constructUniqueId: kms.Key.PROPERTY_INJECTION_ID,
      inject: (props, context) =>
        context.scope instanceof MultiRegionKey ? { ...props, enableKeyRotation: false, rotationPeriod: undefined } : props,
    };
    const { app } = unsynthesizedApp(configWith(), [rotationOff]);
    expect(() => app.synth()).toThrow(/AwsSolutions-KMS5/);
    expect(failures(validationReport(app))).toEqual([['AwsSolutions-KMS5', 'Pipeline/Primary/KeyStack/PrimaryKey/Key/Resource']]);
  });
});
