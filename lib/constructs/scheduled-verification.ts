import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { controlTowerRule } from '../control-tower-checks';
import { junitReport, reportWriteStatement } from '../steps/report-groups';
import { BUNDLE_KEY_ARN_METADATA } from '../steps/verify-replication-step';

/** Where the verification step leaves the bundle in the bundle bucket. */
export const VERIFY_BUNDLE_OBJECT_KEY = 'verify-replication/verify-replication.js';
/** Where the verification step of a configuration with several keys leaves the key list that passed (`VERIFY_KEYS`). */
export const VERIFY_KEY_LIST_OBJECT_KEY = 'verify-replication/keys.json';
/** What a scheduled run prints when the pipeline has not yet left a bundle. */
export const NO_BUNDLE_YET = 'No verification bundle yet: the pipeline has not yet passed a verification, so there is nothing to verify.';

/**
 * The AWS CLI `--query` (JMESPath) over `aws s3api list-object-versions` that counts the versions and
 * delete markers of the object `key`: 0 only if it was never written.
 */
export function bundleVersionCountQuery(key: string): string {
  return `length(([Versions || \`[]\`, DeleteMarkers || \`[]\`][])[?Key=='${key}'])`;
}
/** The JUnit report of a run with no bundle yet: one skipped test that says why. */
export function noBundleReport(): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><testsuites name="scheduled verification" tests="1" failures="0" errors="0" skipped="1">' +
    '<testsuite name="scheduled verification" tests="1" failures="0" errors="0" skipped="1">' +
    `<testcase classname="scheduled verification" name="the bundle the pipeline last passed"><skipped message="${NO_BUNDLE_YET}"/></testcase>` +
    '</testsuite></testsuites>'
  );
}
const MIN_INTERVAL_MINUTES = 5;
const MAX_INTERVAL_MINUTES = 12 * 60;

export interface ScheduledVerificationProps {
  /** A name prefix for the schedule and the alarms (the project name). */
  readonly namePrefix: string;
  /** EventBridge Scheduler expression, a rate such as `rate(1 hour)`. */
  readonly schedule: string;
  /** The interval of `schedule`, in minutes: the period of the alarms. */
  readonly intervalMinutes: number;
  /** The verification program's inputs from the configuration (regions, alias, report path). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * What the program may call: KMS in the pipeline account, or, for keys in another account, only `sts:AssumeRole`
   * on the role there (whose ARN is `VERIFY_ROLE_ARN` in `environment`).
   */
  readonly verifyStatements: readonly iam.PolicyStatement[];
  /**
   * The project's role, named so that the role in another account can trust it.
   *
   * @default - a role that CodeBuild creates
   */
  readonly role?: iam.IRole;
  /** The JUnit file that the program writes, relative to its working directory. */
  readonly reportFile: string;
  /** Where the JUnit reports go: the same group as the pipeline's verification. */
  readonly reportGroup: codebuild.IReportGroup;
  /** Encrypts the bundle bucket and the build's outputs (the pipeline's artifact key). */
  readonly encryptionKey: kms.IKey;
  /** Receives the bundle bucket's server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Where the alarms send their notifications. */
  readonly alarmTopic: sns.ITopic;
  /**
   * How long a noncurrent version of the bundle is kept.
   *
   * @default Duration.days(90)
   */
  readonly bundleHistory?: Duration;
  /**
   * The object key, in the bundle bucket, of the key list (`VERIFY_KEYS`) that the verification step leaves beside the
   * bundle for several keys. The run reads the keys from it instead of one key ARN from the bundle's metadata, and
   * counts as "no bundle yet" until it exists.
   *
   * @default - one key, whose ARN is in the bundle's metadata
   */
  readonly keyListObjectKey?: string;
  /**
   * Where the scheduled runs log, like the pipeline's own CodeBuild projects.
   *
   * @default - CodeBuild's default log group for the project
   */
  readonly logging?: codebuild.LoggingOptions;
}

/**
 * The same verification as the pipeline's last step, between pushes: EventBridge
 * Scheduler starts a CodeBuild project that downloads the bundle the step left
 * in a versioned bucket (and the primary key ARN from its metadata) and runs it,
 * writing its report beside the pipeline's. CodeBuild's own per-project metrics
 * become two alarms: a failed run, and no run for two periods (missing data is
 * breaching, so a broken schedule is not silence).
 */
export class ScheduledVerification extends Construct {
  public readonly bundleBucket: s3.Bucket;
  public readonly project: codebuild.Project;
  public readonly schedule: scheduler.Schedule;
  public readonly failedAlarm: cloudwatch.Alarm;
  public readonly notReportingAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScheduledVerificationProps) {
    super(scope, id);
    if (
      !Number.isInteger(props.intervalMinutes) ||
      props.intervalMinutes < MIN_INTERVAL_MINUTES ||
      props.intervalMinutes > MAX_INTERVAL_MINUTES
    ) {
      throw new Error(
        `intervalMinutes must be an integer from ${MIN_INTERVAL_MINUTES} to ${MAX_INTERVAL_MINUTES}, got ${props.intervalMinutes}`,
      );
    }
    if (!props.schedule.startsWith('rate(')) {
      throw new Error(`schedule must be a rate expression such as "rate(1 hour)", got ${JSON.stringify(props.schedule)}`);
    }

    this.bundleBucket = new s3.Bucket(this, 'BundleBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'verification-bundle/',
      lifecycleRules: [{ noncurrentVersionExpiration: props.bundleHistory ?? Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bundleBucket).acknowledge(
      {
        id: controlTowerRule('s3_event_notifications_enabled_check'),
        reason:
          'CT.S3.PR.4: one object, written by the pipeline after a passing verification and read by the scheduled run; nothing reacts to its events, and every request is in the access logs.',
      },
      {
        id: controlTowerRule('s3_bucket_object_lock_enabled_check'),
        reason:
          'CT.S3.PR.9: the bundle is replaced after every passing run and its old versions expire; Object Lock would hold each past expiration, cannot be turned off, and would block deleting the bucket.',
      },
    );

    const keyList = props.keyListObjectKey;
    // The object whose versions say whether the pipeline has passed a verification yet: written last after a pass.
    const passedMarker = keyList ?? VERIFY_BUNDLE_OBJECT_KEY;
    const runTheBundle =
      keyList === undefined
        ? [
            `  PRIMARY_KEY_ARN="$(aws s3api get-object --bucket "$BUNDLE_BUCKET" --key "$BUNDLE_KEY" verify-replication.js --query 'Metadata."${BUNDLE_KEY_ARN_METADATA}"' --output text)" &&`,
            '  PRIMARY_KEY_ARN="$PRIMARY_KEY_ARN" node verify-replication.js;',
          ]
        : [
            '  aws s3api get-object --bucket "$BUNDLE_BUCKET" --key "$BUNDLE_KEY" verify-replication.js > /dev/null &&',
            '  aws s3api get-object --bucket "$BUNDLE_BUCKET" --key "$KEY_LIST_KEY" keys.json > /dev/null &&',
            '  VERIFY_KEYS="$(cat keys.json)" node verify-replication.js;',
          ];
    this.project = new codebuild.Project(this, 'Project', {
      description: 'Runs the verification program that the pipeline last passed, on a schedule',
      role: props.role,
      encryptionKey: props.encryptionKey,
      logging: props.logging,
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
      timeout: Duration.minutes(10),
      environmentVariables: {
        ...Object.fromEntries(Object.entries(props.environment).map(([name, value]) => [name, { value }])),
        BUNDLE_BUCKET: { value: this.bundleBucket.bucketName },
        BUNDLE_KEY: { value: VERIFY_BUNDLE_OBJECT_KEY },
        ...(keyList === undefined ? {} : { KEY_LIST_KEY: { value: keyList } }),
        // In a variable, so that the shell leaves the query's backquotes alone.
        BUNDLE_VERSIONS_QUERY: { value: bundleVersionCountQuery(passedMarker) },
      },
      buildSpec: codebuild.mergeBuildSpecs(
        codebuild.BuildSpec.fromObject({
          version: '0.2',
          phases: {
            install: { 'runtime-versions': { nodejs: 22 } },
            build: {
              commands: [
                [
                  // Until the pipeline's first verification passes there is no bundle, and nothing to verify: the run
                  // says so, reports one skipped test and succeeds. Once a bundle was written, a missing one (a delete
                  // marker) or a failed download fails the run, and so does a listing that cannot be made.
                  `if [ "$(aws s3api list-object-versions --bucket "$BUNDLE_BUCKET" --prefix "${keyList === undefined ? '$BUNDLE_KEY' : '$KEY_LIST_KEY'}" --output json --query "$BUNDLE_VERSIONS_QUERY")" = "0" ]; then`,
                  `  echo "${NO_BUNDLE_YET}";`,
                  `  mkdir -p "$(dirname "${props.reportFile}")" && echo '${noBundleReport()}' > "${props.reportFile}";`,
                  'else',
                  ...runTheBundle,
                  'fi',
                ].join('\n'),
              ],
            },
          },
        }),
        junitReport(props.reportGroup, props.reportFile),
      ),
    });
    const role = this.project.role!;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheBundle',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [VERIFY_BUNDLE_OBJECT_KEY, ...(keyList === undefined ? [] : [keyList])].map((key) =>
          this.bundleBucket.arnForObjects(key),
        ),
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListTheBundleVersions',
        actions: ['s3:ListBucketVersions'],
        resources: [this.bundleBucket.bucketArn],
        conditions: { StringEquals: { 's3:prefix': passedMarker } },
      }),
    );
    for (const statement of props.verifyStatements) role.addToPrincipalPolicy(statement);
    role.addToPrincipalPolicy(reportWriteStatement(props.reportGroup));

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      scheduleName: `${props.namePrefix}-verify-replication`,
      description: 'Starts the scheduled verification of the multi-region key',
      schedule: scheduler.ScheduleExpression.expression(props.schedule),
      target: new schedulerTargets.CodeBuildStartBuild(this.project),
    });

    const period = Duration.minutes(props.intervalMinutes);
    this.failedAlarm = new cloudwatch.Alarm(this, 'FailedAlarm', {
      alarmName: `${props.namePrefix}-verification-failed`,
      alarmDescription: 'The scheduled verification of the multi-region key failed. See docs/runbooks/alerts.md, "Verification failed".',
      metric: this.project.metricFailedBuilds({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.notReportingAlarm = new cloudwatch.Alarm(this, 'NotReportingAlarm', {
      alarmName: `${props.namePrefix}-verification-not-reporting`,
      alarmDescription:
        'No scheduled verification of the multi-region key ran for two periods. See docs/runbooks/alerts.md, "Verification not reporting".',
      metric: this.project.metricBuilds({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const alarm of [this.failedAlarm, this.notReportingAlarm]) {
      alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    }
  }
}
