import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { applyControlTowerChecks, CONTROL_TOWER_PLUGIN_NAME, controlTowerRule } from '../lib/control-tower-checks';
import { validateConfig } from '../lib/config/validate-config';
import { configWith, EXAMPLE_ENVIRONMENTS_CONFIG_FILE, ROOT, synthesize } from './helpers/app';
import { withCfnGuardResults } from './helpers/cfn-guard-results';

interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly reason?: string;
  readonly violatingConstructs: Array<{ readonly constructPath: string }>;
}

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: Violation[];
  readonly suppressedViolations?: Violation[];
}

function controlTowerReport(app: App): PluginReport | undefined {
  const file = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return undefined;
  const report: { pluginReports: PluginReport[] } = JSON.parse(fs.readFileSync(file, 'utf8'));
  return report.pluginReports.find((r) => r.pluginName === CONTROL_TOWER_PLUGIN_NAME);
}

/** `control ID construct path` of every violation, e.g. `CT.S3.PR.9 Pipeline/Artifacts/Bucket/Resource`. */
function rows(violations: Violation[] = []): string[] {
  return violations.flatMap((v) => v.violatingConstructs.map((c) => `${controlOf(v)} ${c.constructPath}`)).sort();
}

function controlOf(violation: Violation): string {
  return /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description)?.[1] ?? violation.ruleName;
}

const REPLICA_REGIONS = ['eu-west-1'];

/** What is acknowledged, per construct and control; each one is listed in the README with its reason. */
const ACKNOWLEDGED = [
  ...REPLICA_REGIONS.flatMap((region) => {
    const bucket = `cross-region-stack-111111111111:${region}/Default/CrossRegionCodePipelineReplicationBucket/Resource`;
    const reader = `Pipeline/Replica-${region}/KeyStack/PrimaryKeyArnReader`;
    return [
      `CT.S3.PR.2 ${bucket}`,
      `CT.S3.PR.4 ${bucket}`,
      `CT.S3.PR.9 ${bucket}`,
      `CT.CLOUDWATCH.PR.3 ${reader}/Logs/Resource`,
      `CT.LAMBDA.PR.3 ${reader}/Handler/Resource`,
    ];
  }),
  'CT.S3.PR.2 Pipeline/Artifacts/AccessLogs/Resource',
  'CT.S3.PR.4 Pipeline/Artifacts/AccessLogs/Resource',
  'CT.S3.PR.9 Pipeline/Artifacts/AccessLogs/Resource',
  'CT.S3.PR.10 Pipeline/Artifacts/AccessLogs/Resource',
  'CT.S3.PR.4 Pipeline/Artifacts/Bucket/Resource',
  'CT.S3.PR.9 Pipeline/Artifacts/Bucket/Resource',
  'CT.S3.PR.4 Pipeline/ScheduledVerification/BundleBucket/Resource',
  'CT.S3.PR.9 Pipeline/ScheduledVerification/BundleBucket/Resource',
].sort();

describe('AWS Control Tower proactive controls on the whole app', () => {
  // One synth for the file, with one replica Region: cfn-guard runs over every template, seconds per synth.
  // Its results are reused while the templates, rules and binary are byte for byte the same (see
  // withCfnGuardResults); the test below that the checks are live always runs it.
  const { app } = withCfnGuardResults(() =>
    synthesize(
      configWith((raw) => {
        raw.replicaRegions = REPLICA_REGIONS;
        raw.key.adminPrincipalArns = ['arn:aws:iam::111111111111:role/key-admin'];
        raw.key.userPrincipalArns = ['arn:aws:iam::111111111111:role/app'];
      }),
      { controlTowerChecks: true },
    ),
  );
  const report = controlTowerReport(app);

  test('the validator ran over the app and its report holds no unacknowledged violation', () => {
    expect(report).toBeDefined();
    expect(rows(report!.violations)).toEqual([]);
    expect(report!.conclusion).toBe('success');
  });

  test('what is acknowledged is exactly the listed constructs and controls, nothing broader', () => {
    expect(rows(report!.suppressedViolations)).toEqual(ACKNOWLEDGED);
  });

  test('every acknowledgement names its control and gives a reason of its own', () => {
    const reasons = (report!.suppressedViolations ?? []).map((v) => [controlOf(v), v.reason ?? ''] as const);
    for (const [control, reason] of reasons) {
      expect(reason.startsWith(`${control}: `)).toBe(true);
      expect(reason.split(/\s+/).length).toBeGreaterThanOrEqual(12);
    }
  });

  test('the README lists every acknowledged control next to the cdk-nag table', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(
      readme.indexOf('<!-- control-tower-acknowledgements:start -->'),
      readme.indexOf('<!-- control-tower-acknowledgements:end -->'),
    );
    expect(table.length).toBeGreaterThan(0);
    for (const control of new Set((report!.suppressedViolations ?? []).map(controlOf))) {
      expect(table).toContain(`| ${control} (`);
    }
  });
});

describe('AWS Control Tower proactive controls on an app with an environment in another account', () => {
  // The stacks that only environments bring: the access stack of roles, cross-account keys on the replication
  // buckets, the alerts bus policy. Two environments of the example (one in the pipeline account, one not), one key.
  const raw = JSON.parse(fs.readFileSync(EXAMPLE_ENVIRONMENTS_CONFIG_FILE, 'utf8'));
  raw.environments = raw.environments.slice(0, 2);
  raw.keys = raw.keys.slice(0, 1);
  const { app } = withCfnGuardResults(() => synthesize(validateConfig(raw), { controlTowerChecks: true }));
  const report = controlTowerReport(app);

  test('the validator ran over the app and its report holds no unacknowledged violation', () => {
    expect(report).toBeDefined();
    expect(rows(report!.violations)).toEqual([]);
    expect(report!.conclusion).toBe('success');
  });

  test('acknowledges for the environment in another account exactly what it acknowledges for the one in the pipeline account', () => {
    const of = (environment: string) =>
      rows(report!.suppressedViolations)
        .filter((row) => row.includes(`/${environment}-`))
        .map((row) => row.replace(`/${environment}-`, '/ENV-'));
    expect(of('dev').length).toBeGreaterThan(0);
    expect(of('staging')).toEqual(of('dev'));
  });
});

describe('the Control Tower checks are live', () => {
  test('a violation fails synthesis even when another violation of the same resource is acknowledged', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-ct-')), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Probe', { env: { account: '111111111111', region: 'us-east-1' } });
    const bucket = new s3.Bucket(stack, 'Unversioned', {
      encryption: s3.BucketEncryption.KMS_MANAGED,
      lifecycleRules: [{ expiration: Duration.days(1) }],
    });
    Validations.of(bucket).acknowledge({
      id: controlTowerRule('s3_bucket_object_lock_enabled_check'),
      reason: 'CT.S3.PR.9: a probe bucket that only this test synthesizes, never deployed anywhere.',
    });
    applyControlTowerChecks(app);
    expect(() => app.synth()).toThrow(/ERROR \[CT\.S3\.PR\.11\]/);
    const probe = controlTowerReport(app)!;
    expect(probe.conclusion).toBe('failure');
    expect(rows(probe.violations)).toContain('CT.S3.PR.11 Probe/Unversioned/Resource');
    expect(rows(probe.suppressedViolations)).toEqual(['CT.S3.PR.9 Probe/Unversioned/Resource']);
  });
});
