import { Annotations, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { devDependencies } from '../package.json';
import { KeyDefinition, KmsPipelineConfig } from './config/kms-pipeline-config';
import { CONFIG_FILE_CONTEXT_KEY, isRepositoryPath } from './config/load-config';
import { VERIFY_SCHEDULE_OFF, verifyIntervalMinutes } from './config/config-schema';
import { ConfigError } from './config/validate-config';
import { CONTROL_TOWER_CHECKS_CONTEXT_KEY } from './control-tower-checks';
import { KeyActivityAlerts } from './constructs/key-activity-alerts';
import { KeyActivityForwarding } from './constructs/key-activity-rules';
import { KeySettingsProps } from './constructs/key-settings';
import { ScheduledVerification, VERIFY_BUNDLE_OBJECT_KEY, VERIFY_KEY_LIST_OBJECT_KEY } from './constructs/scheduled-verification';
import { grantUseConnection } from './constructs/source-connection';
import { PipelineArtifactStore } from './constructs/pipeline-artifact-store';
import { PipelineBuildLogs } from './constructs/pipeline-build-logs';
import { hardenReplicationBucket } from './cross-region-replication-bucket';
import {
  acknowledgeArtifactAccess,
  acknowledgeArtifactKeyUse,
  acknowledgeCodeBuildProject,
  acknowledgeReplicationBucket,
  acknowledgeReplicationBucketAccess,
  acknowledgeSelfMutation,
} from './pipeline-nag-acknowledgements';
import {
  alertsTopicName,
  keyActivityBusName,
  keyArnParameterName,
  pipelineBuildLogGroupName,
  primaryKeyStackName,
  replicaKeyStackName,
  PROJECT_TAG_KEY,
} from './resource-names';
import { PrimaryStage } from '../stages/primary-stage';
import { PreflightReplicaRegionsStep } from './steps/preflight-replica-regions-step';
import { ProtectKeyStacksStep } from './steps/protect-key-stacks-step';
import { junitReport, reportWriteStatement } from './steps/report-groups';
import {
  acknowledgeVerificationKeyWildcards,
  VERIFY_BUNDLE_DIR,
  VERIFY_REPORT_FILE,
  verificationEnvironment,
  verificationKmsStatements,
  verifiesKeyList,
  VerifyReplicationStep,
} from './steps/verify-replication-step';
import { ReplicaStage } from '../stages/replica-stage';

/** The pinned aws-cdk CLI version, read from package.json so the two cannot drift. */
const CDK_CLI_VERSION: string = devDependencies['aws-cdk'];

export interface KmsPipelineStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: KmsPipelineConfig;
  /**
   * The configuration file given to this synth with `-c config=FILE`; the
   * pipeline's own synth uses the same file, so self-mutation keeps it.
   *
   * @default - the configuration in cdk.json
   */
  readonly configFile?: string;
  /**
   * The source commit being synthesized; replica stacks re-read the primary
   * key ARN when it changes.
   *
   * @default 'local'
   */
  readonly sourceVersion?: string;
}

/**
 * The self-mutating pipeline: source, synth (tests, bundle, cdk synth),
 * self-mutation, the primary key stage, a manual approval, every replica
 * stage in one wave, and the verification step.
 */
export class KmsPipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;
  public readonly primaryStage: PrimaryStage;
  public readonly replicaStages: ReplicaStage[];
  /** Report group of the unit tests run by the synth step. */
  public readonly unitTestReports: codebuild.ReportGroup;
  /** Report group of the post-deploy verification and of the scheduled one. */
  public readonly verificationReports: codebuild.ReportGroup;
  /** The alerts topic and the bus that the key Regions forward their key's activity to. */
  public readonly alerts: KeyActivityAlerts;
  /** The verification between pushes, unless `monitoring.verifySchedule` is `off`. */
  public readonly scheduledVerification?: ScheduledVerification;

  constructor(scope: Construct, id: string, props: KmsPipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const account = config.pipeline.account;
    if (props.configFile !== undefined && !isRepositoryPath(props.configFile)) {
      throw new ConfigError(
        `context "${CONFIG_FILE_CONTEXT_KEY}" must be a path inside the repository, relative to it, of A-Z a-z 0-9 . _ - / ` +
          `(the pipeline's own synth reads the file from its checkout), got ${JSON.stringify(props.configFile)}`,
      );
    }

    // DeleteReportGroup fails on a group that holds reports, so the stack deletes the reports with the group.
    this.unitTestReports = new codebuild.ReportGroup(this, 'UnitTestReports', {
      type: codebuild.ReportGroupType.TEST,
      removalPolicy: RemovalPolicy.DESTROY,
      deleteReports: true,
    });
    this.verificationReports = new codebuild.ReportGroup(this, 'VerificationReports', {
      type: codebuild.ReportGroupType.TEST,
      removalPolicy: RemovalPolicy.DESTROY,
      deleteReports: true,
    });

    const source = pipelines.CodePipelineSource.connection(config.source.repository, config.source.branch, {
      connectionArn: config.source.connectionArn,
      triggerOnPush: true,
    });
    // The pipeline's synth is where the Control Tower checks run on the real configuration, before anything deploys.
    const synthCommand =
      `npx cdk synth -c ${CONTROL_TOWER_CHECKS_CONTEXT_KEY}=true` +
      (props.configFile === undefined ? '' : ` -c ${CONFIG_FILE_CONTEXT_KEY}=${props.configFile}`);
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      commands: ['npm ci', 'npm test', 'npm run bundle', synthCommand],
      primaryOutputDirectory: 'cdk.out',
      partialBuildSpec: junitReport(this.unitTestReports, 'reports/unit-tests.xml'),
      rolePolicyStatements: [reportWriteStatement(this.unitTestReports)],
    });

    const artifacts = new PipelineArtifactStore(this, 'Artifacts');
    const buildLogs = new PipelineBuildLogs(this, 'BuildLogs', {
      logGroupName: pipelineBuildLogGroupName(config.projectName),
      encryptionKey: artifacts.encryptionKey,
    });
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      artifactBucket: artifacts.bucket,
      pipelineType: codepipeline.PipelineType.V2,
      synth,
      selfMutation: true,
      // The same CDK CLI as package.json, instead of whatever is newest when self-mutation runs.
      cliVersion: CDK_CLI_VERSION,
      crossAccountKeys: false,
      // One CloudFormation action per stack instead of create-change-set + execute.
      useChangeSets: false,
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.SMALL,
        },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: 22 } } },
        }),
        timeout: Duration.minutes(30),
        logging: buildLogs.logging,
      },
    });

    this.alerts = new KeyActivityAlerts(this, 'Alerts', {
      topicName: alertsTopicName(config.projectName),
      busName: keyActivityBusName(config.projectName),
      emails: config.monitoring.alertEmails,
    });
    const keyActivity: KeyActivityForwarding = {
      busRegion: config.pipeline.region,
      busName: keyActivityBusName(config.projectName),
      replicaRegions: config.replicaRegions,
    };
    const intervalMinutes = verifyIntervalMinutes(config.monitoring.verifySchedule);
    if (config.monitoring.verifySchedule !== VERIFY_SCHEDULE_OFF && intervalMinutes !== undefined) {
      this.scheduledVerification = new ScheduledVerification(this, 'ScheduledVerification', {
        namePrefix: config.projectName,
        schedule: config.monitoring.verifySchedule,
        intervalMinutes,
        environment: verificationEnvironment(config),
        keyListObjectKey: verifiesKeyList(config) ? VERIFY_KEY_LIST_OBJECT_KEY : undefined,
        kmsStatements: verificationKmsStatements(this, config),
        reportFile: VERIFY_REPORT_FILE,
        reportGroup: this.verificationReports,
        encryptionKey: artifacts.encryptionKey,
        accessLogsBucket: artifacts.accessLogsBucket,
        alarmTopic: this.alerts.topic,
        logging: buildLogs.logging,
      });
    }

    const keySettings = (key: KeyDefinition): KeySettingsProps => ({
      alias: key.alias,
      description: key.description,
      pendingWindowDays: key.pendingWindowDays,
      // The project tag, which the deploy role's policies require on every key (lib/resource-names.ts).
      tags: { ...key.tags, [PROJECT_TAG_KEY]: config.projectName },
      adminPrincipalArns: key.adminPrincipalArns,
      userPrincipalArns: key.userPrincipalArns,
    });
    const keyIdentity = (key: KeyDefinition) => ({
      name: key.name,
      legacyConstructIds: key.legacyConstructIds,
      keyArnParameterName: keyArnParameterName(config.projectName, key),
    });

    this.primaryStage = new PrimaryStage(this, 'Primary', {
      env: { account, region: config.primaryRegion },
      keyStack: {
        stackName: primaryKeyStackName(config.projectName),
        keyActivity,
        keys: config.keys.map((key) => ({
          ...keyIdentity(key),
          key: {
            ...keySettings(key),
            enableKeyRotation: key.enableKeyRotation,
            rotationPeriodDays: key.enableKeyRotation ? key.rotationPeriodDays : undefined,
          },
        })),
      },
    });
    this.pipeline.addStage(this.primaryStage);

    this.replicaStages = config.replicaRegions.map(
      (region) =>
        new ReplicaStage(this, `Replica-${region}`, {
          env: { account, region },
          keyStack: {
            stackName: replicaKeyStackName(config.projectName, region),
            keys: config.keys.map((key) => ({ ...keyIdentity(key), key: keySettings(key) })),
            primaryRegion: config.primaryRegion,
            refreshToken: props.sourceVersion ?? 'local',
            keyActivity,
          },
        }),
    );

    const aliases = config.keys.map((key) => key.alias).join(', ');
    for (const region of config.retiredReplicaRegions) {
      Annotations.of(this).addWarningV2(
        'kms-mrk:retired-replica-region',
        `Replica Region ${region} is retired: this pipeline no longer deploys or updates its replica of ${aliases}, ` +
          `whose stack ${replicaKeyStackName(config.projectName, region)} and key stay in the account (retained). ` +
          `Follow the runbook docs/runbooks/retire-a-replica-region.md to schedule its deletion, or put ${region} back in replicaRegions.`,
      );
    }
    for (const name of config.retiredKeys) {
      Annotations.of(this).addWarningV2(
        'kms-mrk:retired-key',
        `Key ${name} is retired: this pipeline no longer deploys, updates or verifies it. Its primary key and its replicas stay in ` +
          `the account (retained), no longer managed by ${primaryKeyStackName(config.projectName)} and the replica key stacks, ` +
          'which deleted its aliases and its SSM parameter when the key left their templates. Follow the runbook ' +
          'docs/runbooks/retiring-a-key.md to schedule its deletion. Putting the name back in keys creates a new key, not this one.',
      );
    }

    // What the steps read of each key: its name, alias and the primary key stack's output of its ARN.
    const deployedKeys = config.keys.map((key, i) => ({
      name: key.name,
      alias: key.alias,
      keyArnOutput: this.primaryStage.keyStack.keys[i].keyArnOutput,
    }));

    const bundle = synth.addOutputDirectory(VERIFY_BUNDLE_DIR);
    const replicaWave = this.pipeline.addWave('Replicas');
    // The primary key stack is protected while the approval waits, in parallel with it.
    const protectPrimary = new ProtectKeyStacksStep('ProtectPrimaryKeyStack', {
      pipelineStack: this,
      keyStacks: [this.primaryStage.keyStack],
      input: bundle,
    });
    replicaWave.addPre(protectPrimary);
    // Beside the approval too: a Region that a failed first create left blocked fails here, not halfway through the wave.
    const preflight = new PreflightReplicaRegionsStep('PreflightReplicaRegions', {
      pipelineStack: this,
      bundle,
      keys: deployedKeys,
      primaryRegion: config.primaryRegion,
      replicaKeyStacks: this.replicaStages.map((s) => s.keyStack),
    });
    replicaWave.addPre(preflight);
    if (config.pipeline.manualApproval) {
      replicaWave.addPre(
        new pipelines.ManualApprovalStep('ApproveReplicas', {
          comment:
            config.keys.length === 1
              ? `The primary key ${aliases} is deployed in ${config.primaryRegion}. ` +
                `Approving creates or updates its replicas in ${config.replicaRegions.join(', ')}, then verifies ` +
                `that ciphertext from ${config.primaryRegion} decrypts there and not in ${config.noReplicaRegions.join(', ')}.`
              : `The ${config.keys.length} primary keys ${aliases} are deployed in ${config.primaryRegion}. ` +
                `Approving creates or updates their replicas in ${config.replicaRegions.join(', ')}, then verifies for every key ` +
                `that ciphertext from ${config.primaryRegion} decrypts there and not in ${config.noReplicaRegions.join(', ')}.`,
        }),
      );
    }
    for (const stage of this.replicaStages) {
      replicaWave.addStage(stage);
    }

    const verify = new VerifyReplicationStep('VerifyReplication', {
      pipelineStack: this,
      bundle,
      keys: deployedKeys,
      config,
      reportGroup: this.verificationReports,
      bundleStore:
        this.scheduledVerification === undefined
          ? undefined
          : {
              bucket: this.scheduledVerification.bundleBucket,
              key: VERIFY_BUNDLE_OBJECT_KEY,
              keyListKey: verifiesKeyList(config) ? VERIFY_KEY_LIST_OBJECT_KEY : undefined,
            },
    });
    const protectReplicas = new ProtectKeyStacksStep('ProtectReplicaKeyStacks', {
      pipelineStack: this,
      keyStacks: this.replicaStages.map((s) => s.keyStack),
      input: bundle,
    });
    replicaWave.addPost(verify, protectReplicas);

    // Build now, so that checks applied to the app (cdk-nag) see the pipeline's constructs.
    this.pipeline.buildPipeline();
    for (const role of this.sourceActionRoles()) {
      grantUseConnection(role, config.source.connectionArn);
    }
    this.acknowledgeGeneratedPolicies(artifacts, [protectPrimary, preflight, verify, protectReplicas]);
    preflight.acknowledgeWildcards();
    verify.acknowledgeKeyWildcards();
    protectPrimary.acknowledgeStackIdWildcards();
    protectReplicas.acknowledgeStackIdWildcards();
    if (this.scheduledVerification !== undefined) {
      const project = this.scheduledVerification.project;
      acknowledgeArtifactKeyUse(project.role!, artifacts.encryptionKey);
      acknowledgeCodeBuildProject(project);
      acknowledgeVerificationKeyWildcards(project.role!, this, config);
    }
  }

  /** The role(s) of the Source stage's action, which CDK Pipelines creates. */
  private sourceActionRoles(): iam.Role[] {
    const sourceStage = this.pipeline.pipeline.node.findChild('Source');
    return sourceStage.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role);
  }

  private acknowledgeGeneratedPolicies(artifacts: PipelineArtifactStore, waveSteps: pipelines.CodeBuildStep[]): void {
    const { bucket, encryptionKey } = artifacts;
    const codePipeline = this.pipeline.pipeline;
    acknowledgeArtifactAccess(codePipeline.role, bucket, encryptionKey, true);
    for (const [region, support] of Object.entries(codePipeline.crossRegionSupport)) {
      acknowledgeReplicationBucket(support.replicationBucket, region);
      hardenReplicationBucket(support.replicationBucket, region, artifacts.artifactExpiration);
      acknowledgeReplicationBucketAccess(codePipeline.role, support.replicationBucket.bucketName, region);
    }
    for (const role of this.sourceActionRoles()) {
      acknowledgeArtifactAccess(role, bucket, encryptionKey, true);
    }
    acknowledgeArtifactAccess(this.pipeline.synthProject.role!, bucket, encryptionKey, true);
    acknowledgeCodeBuildProject(this.pipeline.synthProject);
    acknowledgeArtifactAccess(this.pipeline.selfMutationProject.role!, bucket, encryptionKey, false);
    acknowledgeCodeBuildProject(this.pipeline.selfMutationProject);
    acknowledgeSelfMutation(this.pipeline.selfMutationProject);
    for (const step of waveSteps) {
      acknowledgeArtifactAccess(step.project.role!, bucket, encryptionKey, false);
      acknowledgeCodeBuildProject(step.project);
    }
  }
}
