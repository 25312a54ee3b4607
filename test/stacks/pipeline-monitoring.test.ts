/**
 * What the pipeline stack deploys to watch the key between pushes: the scheduled
 * verification (bucket, project, schedule, alarms) and the alerts (topic, its key
 * and policy, the key-activity bus and its rules).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { KeyActivityAlerts } from '../../lib/constructs/key-activity-alerts';
import {
  NO_BUNDLE_YET,
  ScheduledVerification,
  ScheduledVerificationProps,
  VERIFY_BUNDLE_OBJECT_KEY,
} from '../../lib/constructs/scheduled-verification';
import { BUNDLE_KEY_ARN_METADATA, VERIFY_REPORT_FILE } from '../../lib/steps/verify-replication-step';
import { configWith, synthesizeOnce, testApp } from '../helpers/app';
import { FakeAwsCli, fakeAwsCli, FakeObjectVersion } from '../helpers/fake-aws-cli';
import { projectNamed } from '../helpers/pipeline-template';

const ACCOUNT = '111111111111';
const ref = (template: Template, type: string, idPrefix: string) => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(idPrefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} ${idPrefix}*, got ${ids.join(', ')}`);
  return ids[0];
};

describe('the pipeline stack of the example configuration', () => {
  const { pipelineTemplate: template } = synthesizeOnce(configWith());
  const project = ref(template, 'AWS::CodeBuild::Project', 'ScheduledVerificationProject');
  const topic = ref(template, 'AWS::SNS::Topic', 'AlertsTopic');
  const bucket = ref(template, 'AWS::S3::Bucket', 'ScheduledVerificationBundleBucket');

  test('EventBridge Scheduler starts the scheduled project every hour, with a role that may start only that project', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'kms-mrk-verify-replication',
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [project, 'Arn'] } }),
    });
    const schedule = Object.values<any>(template.findResources('AWS::Scheduler::Schedule'))[0];
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy')).filter((p) =>
      p.Properties.Roles.some((r: any) => r.Ref === roleId),
    );
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'codebuild:StartBuild', Effect: 'Allow', Resource: { 'Fn::GetAtt': [project, 'Arn'] } },
    ]);
  });

  test('the scheduled project downloads the kept bundle, runs it, and reports into the verification report group', () => {
    const { project: resource } = projectNamed(template, 'ScheduledVerificationProject');
    const buildSpec = resource.Properties.Source.BuildSpec;
    const text = JSON.stringify(buildSpec);
    expect(text).toContain(
      'aws s3api get-object --bucket \\\\\\"$BUNDLE_BUCKET\\\\\\" --key \\\\\\"$BUNDLE_KEY\\\\\\" verify-replication.js',
    );
    expect(text).toContain('node verify-replication.js');
    expect(text).toContain('VerificationReports');
    expect(text).not.toContain('npm');
    const variables = Object.fromEntries(resource.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
    expect(variables).toMatchObject({
      REPLICA_REGIONS: 'eu-west-1',
      NO_REPLICA_REGIONS: 'ca-central-1',
      KEY_ALIAS: 'alias/app-data',
      BUNDLE_KEY: VERIFY_BUNDLE_OBJECT_KEY,
      BUNDLE_BUCKET: { Ref: bucket },
    });
  });

  test('the pipeline verification keeps its bundle only after it passed, and may write only that object', () => {
    const { project: step, statements } = projectNamed(template, 'VerifyReplication');
    const commands = JSON.stringify(step.Properties.Source.BuildSpec);
    expect(commands.indexOf('node verify-replication.js')).toBeLessThan(commands.indexOf('aws s3 cp verify-replication.js'));
    const puts = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:Put')));
    expect(puts).toEqual([
      {
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${VERIFY_BUNDLE_OBJECT_KEY}`]] },
      },
    ]);
  });

  test('the bundle bucket is versioned, encrypted with the artifact key, private and TLS-only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('an alarm fires on a failed run, from CodeBuild FailedBuilds of that project; no data is not a failure', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kms-mrk-verification-failed',
      Namespace: 'AWS/CodeBuild',
      MetricName: 'FailedBuilds',
      Dimensions: [{ Name: 'ProjectName', Value: { Ref: project } }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
    });
  });

  test('an alarm fires when no run has reported for two periods: missing data is breaching', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kms-mrk-verification-not-reporting',
      Namespace: 'AWS/CodeBuild',
      MetricName: 'Builds',
      Dimensions: [{ Name: 'ProjectName', Value: { Ref: project } }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: topic }],
    });
  });

  test('the alerts topic is encrypted with its own rotating key, which EventBridge and CloudWatch may use', () => {
    const key = ref(template, 'AWS::KMS::Key', 'AlertsTopicKey');
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'kms-mrk-alerts', KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('only EventBridge and CloudWatch of this account may publish to the topic, and only over TLS', () => {
    const policy = Object.values<any>(template.findResources('AWS::SNS::TopicPolicy'))[0];
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.filter((s: any) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'OnlyEventBridgeAndCloudWatchOfThisAccountPublish',
        Effect: 'Allow',
        Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ]);
    expect(statements.filter((s: any) => s.Effect === 'Deny')).toEqual([
      expect.objectContaining({ Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  test('the key-activity bus sends each kind of event to the topic with a message that names the call, key, Region and caller', () => {
    const bus = ref(template, 'AWS::Events::EventBus', 'AlertsBus');
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'kms-mrk-key-activity' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: bus },
      EventPattern: { source: ['aws.kms'], 'detail-type': ['AWS API Call via CloudTrail'], account: [ACCOUNT] },
      Targets: [
        Match.objectLike({
          Arn: { Ref: topic },
          InputTransformer: {
            InputPathsMap: Match.objectLike({
              'detail-eventName': '$.detail.eventName',
              'detail-userIdentity-arn': '$.detail.userIdentity.arn',
              'detail-requestParameters-keyId': '$.detail.requestParameters.keyId',
              'detail-requestParameters-aliasName': '$.detail.requestParameters.aliasName',
              region: '$.region',
            }),
            InputTemplate: Match.stringLikeRegexp(
              'KMS <detail-eventName> in <region> at <time> by <detail-userIdentity-arn>: key <detail-requestParameters-keyId>, alias <detail-requestParameters-aliasName>',
            ),
          },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: bus },
      EventPattern: { source: ['aws.kms'], 'detail-type': ['KMS CMK Deletion'], account: [ACCOUNT] },
      Targets: [
        Match.objectLike({
          Arn: { Ref: topic },
          InputTransformer: Match.objectLike({ InputPathsMap: Match.objectLike({ 'detail-key-id': '$.detail.key-id' }) }),
        }),
      ],
    });
  });
});

describe('with the scheduled verification turned off', () => {
  const { pipelineTemplate: template } = synthesizeOnce(configWith((raw) => (raw.monitoring = { verifySchedule: 'off' })));

  test('there is no schedule, no scheduled project, no bundle bucket and no alarm; the alerts stay', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(Object.keys(template.findResources('AWS::CodeBuild::Project')).filter((id) => id.startsWith('ScheduledVerification'))).toEqual(
      [],
    );
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('the pipeline verification keeps no bundle', () => {
    const { project } = projectNamed(template, 'VerifyReplication');
    expect(JSON.stringify(project.Properties.Source.BuildSpec)).not.toContain('aws s3 cp');
  });
});

describe('the constructs on their own', () => {
  function scheduled(change: Partial<ScheduledVerificationProps> = {}): Template {
    const stack = new Stack(testApp(), 'Test', { env: { account: ACCOUNT, region: 'us-east-1' } });
    new ScheduledVerification(stack, 'Scheduled', {
      namePrefix: 'p',
      schedule: 'rate(30 minutes)',
      intervalMinutes: 30,
      environment: { KEY_ALIAS: 'alias/a' },
      verifyStatements: [],
      reportFile: 'reports/verify.xml',
      reportGroup: new codebuild.ReportGroup(stack, 'Reports'),
      encryptionKey: new kms.Key(stack, 'Key'),
      accessLogsBucket: new s3.Bucket(stack, 'Logs'),
      alarmTopic: new sns.Topic(stack, 'Topic'),
      ...change,
    });
    return Template.fromStack(stack);
  }

  test('the alarms take the period of the schedule', () => {
    scheduled().allResourcesProperties('AWS::CloudWatch::Alarm', { Period: 1800 });
  });

  test.each<[string, Partial<ScheduledVerificationProps>, string]>([
    ['an interval under 5 minutes', { intervalMinutes: 1 }, 'intervalMinutes must be an integer from 5 to 720, got 1'],
    ['an interval over 12 hours', { intervalMinutes: 1440 }, 'intervalMinutes must be an integer from 5 to 720, got 1440'],
    [
      'a cron schedule',
      { schedule: 'cron(0 * * * ? *)' },
      'schedule must be a rate expression such as "rate(1 hour)", got "cron(0 * * * ? *)"',
    ],
  ])('rejects %s', (_name, change, message) => {
    expect(() => scheduled(change)).toThrow(message);
  });

  function alerts(emails: string[]): Template {
    const stack = new Stack(testApp(), 'Test', { env: { account: ACCOUNT, region: 'us-east-1' } });
    new KeyActivityAlerts(stack, 'Alerts', { topicName: 'p-alerts', busName: 'p-key-activity', emails });
    return Template.fromStack(stack);
  }

  test('subscribes each configured address by e-mail', () => {
    const template = alerts(['ops@example.com', 'sec@example.com']);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'sec@example.com' });
  });

  test('rejects an address that is not one', () => {
    expect(() => alerts(['ops'])).toThrow('emails must be e-mail addresses, got "ops"');
  });
});

describe("the scheduled build command, run by bash against a fake AWS CLI with S3's response shapes", () => {
  const { pipelineTemplate: template } = synthesizeOnce(configWith());
  const { project: resource } = projectNamed(template, 'ScheduledVerificationProject');
  // The buildspec is a Fn::Join around the report group's name; the build phase holds no token.
  const parts: unknown[] = resource.Properties.Source.BuildSpec['Fn::Join'][1];
  const buildSpec = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''));
  const [command] = buildSpec.phases.build.commands;
  const variables = Object.fromEntries(resource.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
  const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab';
  const bundle = (versionId: string, isLatest: boolean): FakeObjectVersion => ({
    Key: VERIFY_BUNDLE_OBJECT_KEY,
    VersionId: versionId,
    IsLatest: isLatest,
    LastModified: '2026-11-30T10:00:00.000Z',
    Body: "console.log('verified ' + process.env.PRIMARY_KEY_ARN);",
    Metadata: { [BUNDLE_KEY_ARN_METADATA]: KEY_ARN },
  });

  function runBuild(state: Parameters<FakeAwsCli['bucket']>[0]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-scheduled-'));
    const cli = fakeAwsCli(dir);
    cli.bucket(state);
    const env = {
      ...cli.env,
      BUNDLE_BUCKET: 'kms-mrk-pipeline-bundle',
      BUNDLE_KEY: variables.BUNDLE_KEY,
      BUNDLE_VERSIONS_QUERY: variables.BUNDLE_VERSIONS_QUERY,
    };
    const result = spawnSync('bash', ['-c', command], { cwd: dir, env, encoding: 'utf8' });
    const reportFile = path.join(dir, VERIFY_REPORT_FILE);
    return { ...result, report: fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8') : undefined };
  }

  test('before the first bundle, says there is nothing to verify, reports one skipped test and succeeds', () => {
    const result = runBuild({ versions: [], deleteMarkers: [] });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(NO_BUNDLE_YET);
    expect(XMLValidator.validate(result.report!)).toBe(true);
    const suite = new XMLParser({ ignoreAttributes: false }).parse(result.report!).testsuites.testsuite;
    expect([suite['@_tests'], suite['@_skipped'], suite['@_failures'], suite.testcase.skipped['@_message']]).toEqual([
      '1',
      '1',
      '0',
      NO_BUNDLE_YET,
    ]);
  });

  test('with a bundle, runs it with the primary key ARN from its metadata', () => {
    const result = runBuild({ versions: [bundle('v2', true), bundle('v1', false)], deleteMarkers: [] });
    expect([result.status, result.stdout.trim()]).toEqual([0, `verified ${KEY_ARN}`]);
  });

  test('fails when the bundle was deleted after it was written (a delete marker), instead of reporting nothing to verify', () => {
    const result = runBuild({
      versions: [bundle('v1', false)],
      deleteMarkers: [{ Key: VERIFY_BUNDLE_OBJECT_KEY, VersionId: 'v2', IsLatest: true, LastModified: '2026-11-30T11:00:00.000Z' }],
    });
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain(NO_BUNDLE_YET);
  });

  test('counts only the bundle itself, not other objects under its name', () => {
    const other = { ...bundle('v9', true), Key: `${VERIFY_BUNDLE_OBJECT_KEY}.old` };
    const result = runBuild({ versions: [other], deleteMarkers: [] });
    expect([result.status, result.stdout]).toEqual([0, `${NO_BUNDLE_YET}\n`]);
  });
});
