import { Annotations, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { devDependencies } from '../package.json';
import { EnvironmentDefinition, KeyDefinition, KmsPipelineConfig } from './config/kms-pipeline-config';
import { CONFIG_FILE_CONTEXT_KEY, isRepositoryPath } from './config/load-config';
import { VERIFY_SCHEDULE_OFF, verifyIntervalMinutes } from './config/config-schema';
import { ConfigError } from './config/validate-config';
import { principalAccount } from './config/config-schema';
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
  acknowledgeReplicationKeyAccess,
  acknowledgeSelfMutation,
} from './pipeline-nag-acknowledgements';
import {
  alertsTopicName,
  environmentAccessStackName,
  environmentPrefix,
  environmentStagePrefix,
  environmentStepRoleName,
  keyActivityBusName,
  keyArnParameterName,
  pipelineBuildLogGroupName,
  primaryKeyStackName,
  replicaKeyStackName,
  PROJECT_TAG_KEY,
} from './resource-names';
import { EnvironmentAccessStack } from './stacks/environment-access-stack';
import { PrimaryStage } from '../stages/primary-stage';
import { PreflightReplicaRegionsStep } from './steps/preflight-replica-regions-step';
import { ProtectKeyStacksStep } from './steps/protect-key-stacks-step';
import { junitReport, reportWriteStatement } from './steps/report-groups';
import { assumeAccessRoleStatement, StepAccess } from './steps/step-access';
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
  /** What the pipeline deploys in each environment, in configuration order. */
  public readonly environments: EnvironmentDeployment[];
  /** Report group of the unit tests run by the synth step. */
  public readonly unitTestReports: codebuild.ReportGroup;
  /** Report group of the post-deploy verification and of the scheduled one. */
  public readonly verificationReports: codebuild.ReportGroup;
  /** The alerts topic and the bus that the key Regions forward their key's activity to. */
  public readonly alerts: KeyActivityAlerts;

  /** The primary stage of the first environment (the only one of a configuration without environments). */
  public get primaryStage(): PrimaryStage {
    return this.environments[0].primaryStage;
  }

  /** The replica stages of the first environment (the only one of a configuration without environments). */
  public get replicaStages(): ReplicaStage[] {
    return this.environments[0].replicaStages;
  }

  /** The scheduled verification of the first environment, unless `monitoring.verifySchedule` is `off`. */
  public get scheduledVerification(): ScheduledVerification | undefined {
    return this.environments[0].scheduledVerification;
  }

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

    const crossAccount = config.environments.some((environment) => environment.account !== account);
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
      // Keys for the cross-Region replication buckets, which the deploy roles of other accounts must read.
      crossAccountKeys: crossAccount,
      enableKeyRotation: crossAccount ? true : undefined,
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
      sourceAccounts: config.environments.map((environment) => environment.account),
    });

    for (const name of config.retiredKeys) {
      Annotations.of(this).addWarningV2(
        'kms-mrk:retired-key',
        `Key ${name} is retired: this pipeline no longer deploys, updates or verifies it. Its primary key and its replicas stay in ` +
          `the account (retained), no longer managed by ${config.environments.map((e) => primaryKeyStackName(config.projectName, e)).join(', ')} and the replica key stacks, ` +
          'which deleted its aliases and its SSM parameter when the key left their templates. Follow the runbook ' +
          'docs/runbooks/retiring-a-key.md to schedule its deletion. Putting the name back in keys creates a new key, not this one.',
      );
    }

    const bundle = synth.addOutputDirectory(VERIFY_BUNDLE_DIR);
    this.environments = config.environments.map((environment) =>
      this.addEnvironment(environment, { config, bundle, artifacts, logging: buildLogs.logging, sourceVersion: props.sourceVersion }),
    );

    // Build now, so that checks applied to the app (cdk-nag) see the pipeline's constructs.
    this.pipeline.buildPipeline();
    for (const role of this.sourceActionRoles()) {
      grantUseConnection(role, config.source.connectionArn);
    }
    this.acknowledgeGeneratedPolicies(
      artifacts,
      this.environments.flatMap((e) => e.steps),
    );
    for (const deployment of this.environments) {
      const { environment, steps, scheduledVerification } = deployment;
      const [protectPrimary, preflight, verify, protectReplicas] = steps;
      preflight.acknowledgeWildcards();
      verify.acknowledgeKeyWildcards();
      protectPrimary.acknowledgeStackIdWildcards();
      protectReplicas.acknowledgeStackIdWildcards();
      if (scheduledVerification !== undefined) {
        const project = scheduledVerification.project;
        acknowledgeArtifactKeyUse(project.role!, artifacts.encryptionKey);
        acknowledgeCodeBuildProject(project);
        if (deployment.accessStack === undefined) acknowledgeVerificationKeyWildcards(project.role!, this, environment, config.keys);
      }
    }
  }

  /**
   * Adds one environment to the pipeline: its primary stage (with the roles the steps assume, in another account),
   * then a wave that protects the primary key stack and checks the replica Regions beside the approval, deploys every
   * replica stage, and verifies and protects; and its scheduled verification.
   */
  private addEnvironment(environment: EnvironmentDefinition, context: EnvironmentContext): EnvironmentDeployment {
    const { config, bundle, artifacts } = context;
    const { projectName } = config;
    const prefix = environmentStagePrefix(environment);
    const env = { account: environment.account, region: environment.primaryRegion };
    const crossAccount = environment.account !== config.pipeline.account;
    const keyActivity: KeyActivityForwarding = {
      busRegion: config.pipeline.region,
      busAccount: config.pipeline.account,
      busName: keyActivityBusName(projectName),
      replicaRegions: environment.replicaRegions,
    };
    const environmentAccounts = config.environments.map((e) => e.account);
    const keySettings = (key: KeyDefinition): KeySettingsProps => ({
      alias: key.alias,
      description: key.description,
      pendingWindowDays: key.pendingWindowDays,
      // The project tag, which the deploy role's policies require on every key (lib/resource-names.ts).
      tags: { ...key.tags, [PROJECT_TAG_KEY]: projectName },
      adminPrincipalArns: principalsOf(environment, environmentAccounts, key.adminPrincipalArns),
      userPrincipalArns: principalsOf(environment, environmentAccounts, key.userPrincipalArns),
    });
    const keyIdentity = (key: KeyDefinition) => ({
      name: key.name,
      legacyConstructIds: key.legacyConstructIds,
      keyArnParameterName: keyArnParameterName(projectName, key),
    });
    const primaryKeyStack = { stackName: primaryKeyStackName(projectName, environment), ...env };
    const replicaKeyStacks = environment.replicaRegions.map((region) => ({
      stackName: replicaKeyStackName(projectName, environment, region),
      account: environment.account,
      region,
    }));

    // In another account, each step runs under a named role that alone may assume its role there.
    const roleName = (step: string) => environmentStepRoleName(projectName, environment, step);
    const scheduled = config.monitoring.verifySchedule !== VERIFY_SCHEDULE_OFF;
    const stepRoles = crossAccount
      ? {
          verify: this.stepRole(`${prefix}VerifyStepRole`, roleName('verify-step')),
          scheduled: scheduled ? this.stepRole(`${prefix}ScheduledVerifyRole`, roleName('scheduled-verify')) : undefined,
          preflight: this.stepRole(`${prefix}PreflightStepRole`, roleName('preflight-step')),
          protectPrimary: this.stepRole(`${prefix}ProtectPrimaryStepRole`, roleName('protect-primary-step')),
          protectReplicas: this.stepRole(`${prefix}ProtectReplicasStepRole`, roleName('protect-replicas-step')),
        }
      : undefined;
    const accessRoleArn = (step: string) =>
      this.formatArn({ service: 'iam', region: '', account: environment.account, resource: 'role', resourceName: roleName(step) });
    const access = (stepRole: iam.IRole | undefined, step: string): StepAccess | undefined =>
      stepRole === undefined ? undefined : { stepRole, roleArn: accessRoleArn(step) };

    const primaryStage = new PrimaryStage(this, `${prefix}Primary`, {
      env,
      keyStack: {
        stackName: primaryKeyStack.stackName,
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
      accessStack:
        stepRoles === undefined
          ? undefined
          : {
              stackName: environmentAccessStackName(projectName, environment),
              environment,
              keys: config.keys,
              pipelineAccount: config.pipeline.account,
              primaryKeyStack,
              replicaKeyStacks,
              verify: {
                roleName: roleName('verify'),
                trustedRoleNames: [roleName('verify-step'), ...(stepRoles.scheduled === undefined ? [] : [roleName('scheduled-verify')])],
              },
              preflight: { roleName: roleName('preflight'), trustedRoleNames: [roleName('preflight-step')] },
              protect: {
                roleName: roleName('protect'),
                trustedRoleNames: [roleName('protect-primary-step'), roleName('protect-replicas-step')],
              },
            },
    });
    this.pipeline.addStage(primaryStage);

    const replicaStages = environment.replicaRegions.map(
      (region, i) =>
        new ReplicaStage(this, `${prefix}Replica-${region}`, {
          env: { account: environment.account, region },
          keyStack: {
            stackName: replicaKeyStacks[i].stackName,
            keys: config.keys.map((key) => ({ ...keyIdentity(key), key: keySettings(key) })),
            primaryRegion: environment.primaryRegion,
            refreshToken: context.sourceVersion ?? 'local',
            keyActivity,
          },
        }),
    );

    const aliases = config.keys.map((key) => key.alias).join(', ');
    for (const region of environment.retiredReplicaRegions) {
      Annotations.of(this).addWarningV2(
        'kms-mrk:retired-replica-region',
        `Replica Region ${region} is retired${environment.legacyStackNames ? '' : ` in environment ${environment.name}`}: this pipeline no longer deploys or updates its replica of ${aliases}, ` +
          `whose stack ${replicaKeyStackName(projectName, environment, region)} and key stay in the account (retained). ` +
          `Follow the runbook docs/runbooks/retire-a-replica-region.md to schedule its deletion, or put ${region} back in replicaRegions.`,
      );
    }

    let scheduledVerification: ScheduledVerification | undefined;
    const intervalMinutes = verifyIntervalMinutes(config.monitoring.verifySchedule);
    if (scheduled && intervalMinutes !== undefined) {
      const verifyAccess = access(stepRoles?.scheduled, 'verify');
      scheduledVerification = new ScheduledVerification(this, `${prefix}ScheduledVerification`, {
        namePrefix: environmentPrefix(projectName, environment),
        schedule: config.monitoring.verifySchedule,
        intervalMinutes,
        environment: verificationEnvironment(environment, config.keys, verifyAccess?.roleArn),
        keyListObjectKey: verifiesKeyList(config.keys) ? VERIFY_KEY_LIST_OBJECT_KEY : undefined,
        verifyStatements:
          verifyAccess === undefined
            ? verificationKmsStatements(this, environment, config.keys)
            : [assumeAccessRoleStatement(verifyAccess)],
        role: verifyAccess?.stepRole,
        reportFile: VERIFY_REPORT_FILE,
        reportGroup: this.verificationReports,
        encryptionKey: artifacts.encryptionKey,
        accessLogsBucket: artifacts.accessLogsBucket,
        alarmTopic: this.alerts.topic,
        logging: context.logging,
      });
    }

    // What the steps read of each key: its name, alias and the primary key stack's output of its ARN.
    const deployedKeys = config.keys.map((key, i) => ({
      name: key.name,
      alias: key.alias,
      keyArnOutput: primaryStage.keyStack.keys[i].keyArnOutput,
    }));

    const replicaWave = this.pipeline.addWave(`${prefix}Replicas`);
    // The primary key stack is protected while the approval waits, in parallel with it.
    const protectPrimary = new ProtectKeyStacksStep(`${prefix}ProtectPrimaryKeyStack`, {
      pipelineStack: this,
      keyStacks: [primaryKeyStack],
      input: bundle,
      access: access(stepRoles?.protectPrimary, 'protect'),
    });
    replicaWave.addPre(protectPrimary);
    // Beside the approval too: a Region that a failed first create left blocked fails here, not halfway through the wave.
    const preflight = new PreflightReplicaRegionsStep(`${prefix}PreflightReplicaRegions`, {
      pipelineStack: this,
      bundle,
      keys: deployedKeys,
      account: environment.account,
      primaryRegion: environment.primaryRegion,
      replicaKeyStacks,
      access: access(stepRoles?.preflight, 'preflight'),
    });
    replicaWave.addPre(preflight);
    if (environment.manualApproval) {
      const where = environment.legacyStackNames ? '' : ` of environment ${environment.name} (account ${environment.account})`;
      replicaWave.addPre(
        new pipelines.ManualApprovalStep(`${prefix}ApproveReplicas`, {
          comment:
            config.keys.length === 1
              ? `The primary key ${aliases}${where} is deployed in ${environment.primaryRegion}. ` +
                `Approving creates or updates its replicas in ${environment.replicaRegions.join(', ')}, then verifies ` +
                `that ciphertext from ${environment.primaryRegion} decrypts there and not in ${environment.noReplicaRegions.join(', ')}.`
              : `The ${config.keys.length} primary keys ${aliases}${where} are deployed in ${environment.primaryRegion}. ` +
                `Approving creates or updates their replicas in ${environment.replicaRegions.join(', ')}, then verifies for every key ` +
                `that ciphertext from ${environment.primaryRegion} decrypts there and not in ${environment.noReplicaRegions.join(', ')}.`,
        }),
      );
    }
    for (const stage of replicaStages) {
      replicaWave.addStage(stage);
    }

    const verify = new VerifyReplicationStep(`${prefix}VerifyReplication`, {
      pipelineStack: this,
      bundle,
      keys: deployedKeys,
      environment,
      keyDefinitions: config.keys,
      reportGroup: this.verificationReports,
      access: access(stepRoles?.verify, 'verify'),
      bundleStore:
        scheduledVerification === undefined
          ? undefined
          : {
              bucket: scheduledVerification.bundleBucket,
              key: VERIFY_BUNDLE_OBJECT_KEY,
              keyListKey: verifiesKeyList(config.keys) ? VERIFY_KEY_LIST_OBJECT_KEY : undefined,
            },
    });
    const protectReplicas = new ProtectKeyStacksStep(`${prefix}ProtectReplicaKeyStacks`, {
      pipelineStack: this,
      keyStacks: replicaKeyStacks,
      input: bundle,
      access: access(stepRoles?.protectReplicas, 'protect'),
    });
    replicaWave.addPost(verify, protectReplicas);

    return {
      environment,
      primaryStage,
      replicaStages,
      accessStack: primaryStage.accessStack,
      scheduledVerification,
      steps: [protectPrimary, preflight, verify, protectReplicas],
    };
  }

  /** A named role for a CodeBuild step, which a role in an environment account can trust by its ARN. */
  private stepRole(id: string, roleName: string): iam.Role {
    return new iam.Role(this, id, { roleName, assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
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
    if (Object.keys(codePipeline.crossRegionSupport).length > 0 && this.environments.some((e) => e.accessStack !== undefined)) {
      acknowledgeReplicationKeyAccess(codePipeline.role);
    }
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

/** What the pipeline deploys in one environment. */
export interface EnvironmentDeployment {
  readonly environment: EnvironmentDefinition;
  readonly primaryStage: PrimaryStage;
  readonly replicaStages: ReplicaStage[];
  /** The roles that the steps assume, in an account other than the pipeline's. */
  readonly accessStack?: EnvironmentAccessStack;
  /** The verification between pushes, unless `monitoring.verifySchedule` is `off`. */
  readonly scheduledVerification?: ScheduledVerification;
  /** The wave's steps: protect the primary key stack, preflight, verify, protect the replica key stacks. */
  readonly steps: readonly [ProtectKeyStacksStep, PreflightReplicaRegionsStep, VerifyReplicationStep, ProtectKeyStacksStep];
}

/** What every environment of the pipeline shares. */
interface EnvironmentContext {
  readonly config: KmsPipelineConfig;
  readonly bundle: pipelines.FileSet;
  readonly artifacts: PipelineArtifactStore;
  readonly logging: codebuild.LoggingOptions;
  readonly sourceVersion?: string;
}

/**
 * The principals of a key's list that its policy names in `environment`: all of them but those of another
 * environment's account, so that a role of staging never becomes an administrator or user of the production keys,
 * while a principal of an account that holds no environment (a central security account) is named everywhere.
 * With one environment, that is every principal, as it always was.
 */
export function principalsOf(
  environment: EnvironmentDefinition,
  environmentAccounts: readonly string[],
  arns: readonly string[],
): readonly string[] {
  return arns.filter((arn) => {
    const account = principalAccount(arn);
    return account === environment.account || !environmentAccounts.includes(account);
  });
}
