import {
  Arn,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  Validations,
} from "aws-cdk-lib";
import * as codebuild from "aws-cdk-lib/aws-codebuild";
import * as codepipeline from "aws-cdk-lib/aws-codepipeline";
import * as iam from "aws-cdk-lib/aws-iam";
import * as pipelines from "aws-cdk-lib/pipelines";
import { Construct } from "constructs";
import { KmsPipelineConfig } from "./config/kms-pipeline-config";
import { CONFIG_FILE_CONTEXT_KEY } from "./config/load-config";
import { KeySettingsProps } from "./constructs/key-settings";
import { PipelineArtifactStore } from "./constructs/pipeline-artifact-store";
import {
  acknowledgeArtifactAccess,
  acknowledgeCodeBuildProject,
  acknowledgeReplicationBucket,
  acknowledgeReplicationBucketAccess,
  acknowledgeSelfMutation,
} from "./pipeline-nag-acknowledgements";
import {
  primaryKeyArnParameterName,
  primaryKeyStackName,
  replicaKeyStackName,
} from "./resource-names";
import { PrimaryStage } from "../stages/primary-stage";
import { ReplicaStage } from "../stages/replica-stage";

/** Where the synth step leaves the bundled verification program for the post-deploy step. */
export const VERIFY_BUNDLE_DIR = "dist/verify";
/** The JUnit file that the verification program writes, relative to its working directory. */
export const VERIFY_REPORT_FILE = "reports/verify-replication.xml";

/** What the verification step may do: read and use multi-region keys, nothing else. */
export const VERIFY_KMS_ACTIONS: readonly string[] = [
  "kms:DescribeKey",
  "kms:GetKeyRotationStatus",
  "kms:Encrypt",
  "kms:Decrypt",
];

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
  /** Report group of the post-deploy verification. */
  public readonly verificationReports: codebuild.ReportGroup;

  constructor(scope: Construct, id: string, props: KmsPipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const account = config.pipeline.account;

    this.unitTestReports = new codebuild.ReportGroup(this, "UnitTestReports", {
      type: codebuild.ReportGroupType.TEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.verificationReports = new codebuild.ReportGroup(
      this,
      "VerificationReports",
      {
        type: codebuild.ReportGroupType.TEST,
        removalPolicy: RemovalPolicy.DESTROY,
      },
    );

    const source = pipelines.CodePipelineSource.connection(
      config.source.repository,
      config.source.branch,
      {
        connectionArn: config.source.connectionArn,
        triggerOnPush: true,
      },
    );
    const synthCommand =
      props.configFile === undefined
        ? "npx cdk synth"
        : `npx cdk synth -c ${CONFIG_FILE_CONTEXT_KEY}=${props.configFile}`;
    const synth = new pipelines.CodeBuildStep("Synth", {
      input: source,
      commands: ["npm ci", "npm test", "npm run bundle", synthCommand],
      primaryOutputDirectory: "cdk.out",
      partialBuildSpec: junitReport(
        this.unitTestReports,
        "reports/unit-tests.xml",
      ),
      rolePolicyStatements: [reportWriteStatement(this.unitTestReports)],
    });

    const artifacts = new PipelineArtifactStore(this, "Artifacts");
    this.pipeline = new pipelines.CodePipeline(this, "Pipeline", {
      artifactBucket: artifacts.bucket,
      pipelineType: codepipeline.PipelineType.V2,
      synth,
      selfMutation: true,
      crossAccountKeys: false,
      // One CloudFormation action per stack instead of create-change-set + execute.
      useChangeSets: false,
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.SMALL,
        },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { "runtime-versions": { nodejs: 20 } } },
        }),
        timeout: Duration.minutes(30),
      },
    });

    const keySettings: KeySettingsProps = {
      alias: config.key.alias,
      description: config.key.description,
      pendingWindowDays: config.key.pendingWindowDays,
      tags: config.key.tags,
      adminPrincipalArns: config.key.adminPrincipalArns,
      userPrincipalArns: config.key.userPrincipalArns,
    };
    const keyArnParameterName = primaryKeyArnParameterName(
      config.projectName,
      config.key.alias,
    );

    this.primaryStage = new PrimaryStage(this, "Primary", {
      env: { account, region: config.primaryRegion },
      keyStack: {
        stackName: primaryKeyStackName(config.projectName),
        keyArnParameterName,
        key: {
          ...keySettings,
          enableKeyRotation: config.key.enableKeyRotation,
          rotationPeriodDays: config.key.enableKeyRotation
            ? config.key.rotationPeriodDays
            : undefined,
        },
      },
    });
    this.pipeline.addStage(this.primaryStage);

    this.replicaStages = config.replicaRegions.map(
      (region) =>
        new ReplicaStage(this, `Replica-${region}`, {
          env: { account, region },
          keyStack: {
            stackName: replicaKeyStackName(config.projectName, region),
            key: keySettings,
            primaryRegion: config.primaryRegion,
            keyArnParameterName,
            refreshToken: props.sourceVersion ?? "local",
          },
        }),
    );

    const replicaWave = this.pipeline.addWave("Replicas");
    if (config.pipeline.manualApproval) {
      replicaWave.addPre(
        new pipelines.ManualApprovalStep("ApproveReplicas", {
          comment:
            `The primary key ${config.key.alias} is deployed in ${config.primaryRegion}. ` +
            `Approving creates or updates its replicas in ${config.replicaRegions.join(", ")}, then verifies ` +
            `that ciphertext from ${config.primaryRegion} decrypts there and not in ${config.noReplicaRegions.join(", ")}.`,
        }),
      );
    }
    for (const stage of this.replicaStages) {
      replicaWave.addStage(stage);
    }

    const verifiedRegions = [
      config.primaryRegion,
      ...config.replicaRegions,
      ...config.noReplicaRegions,
    ];
    const verify = new pipelines.CodeBuildStep("VerifyReplication", {
      input: synth.addOutputDirectory(VERIFY_BUNDLE_DIR),
      commands: ["node verify-replication.js"],
      envFromCfnOutputs: { PRIMARY_KEY_ARN: this.primaryStage.keyArnOutput },
      env: {
        REPLICA_REGIONS: config.replicaRegions.join(","),
        NO_REPLICA_REGIONS: config.noReplicaRegions.join(","),
        RETIRED_REPLICA_REGIONS: config.retiredReplicaRegions.join(","),
        KEY_ALIAS: config.key.alias,
        EXPECT_KEY_ROTATION: String(config.key.enableKeyRotation),
        REPORT_PATH: VERIFY_REPORT_FILE,
      },
      partialBuildSpec: junitReport(
        this.verificationReports,
        VERIFY_REPORT_FILE,
      ),
      rolePolicyStatements: [
        new iam.PolicyStatement({
          sid: "UseMultiRegionKeysOfThisAccount",
          actions: [...VERIFY_KMS_ACTIONS],
          resources: verifiedRegions.map((region) =>
            this.verifyKeyArnPattern(region),
          ),
        }),
        reportWriteStatement(this.verificationReports),
      ],
      timeout: Duration.minutes(10),
    });
    replicaWave.addPost(verify);

    // Build now, so that checks applied to the app (cdk-nag) see the pipeline's constructs.
    this.pipeline.buildPipeline();
    this.acknowledgeGeneratedPolicies(artifacts, verify, verifiedRegions);
  }

  private acknowledgeGeneratedPolicies(
    artifacts: PipelineArtifactStore,
    verify: pipelines.CodeBuildStep,
    verifiedRegions: string[],
  ): void {
    const { bucket, encryptionKey } = artifacts;
    const codePipeline = this.pipeline.pipeline;
    acknowledgeArtifactAccess(codePipeline.role, bucket, encryptionKey, true);
    for (const [region, support] of Object.entries(
      codePipeline.crossRegionSupport,
    )) {
      acknowledgeReplicationBucket(support.replicationBucket, region);
      acknowledgeReplicationBucketAccess(
        codePipeline.role,
        support.replicationBucket.bucketName,
        region,
      );
    }
    const sourceStage = codePipeline.node.findChild("Source");
    for (const role of sourceStage.node
      .findAll()
      .filter((c): c is iam.Role => c instanceof iam.Role)) {
      acknowledgeArtifactAccess(role, bucket, encryptionKey, true);
    }
    acknowledgeArtifactAccess(
      this.pipeline.synthProject.role!,
      bucket,
      encryptionKey,
      true,
    );
    acknowledgeCodeBuildProject(this.pipeline.synthProject);
    acknowledgeArtifactAccess(
      this.pipeline.selfMutationProject.role!,
      bucket,
      encryptionKey,
      false,
    );
    acknowledgeCodeBuildProject(this.pipeline.selfMutationProject);
    acknowledgeSelfMutation(this.pipeline.selfMutationProject);
    acknowledgeArtifactAccess(
      verify.project.role!,
      bucket,
      encryptionKey,
      false,
    );
    acknowledgeCodeBuildProject(verify.project);
    for (const region of verifiedRegions) {
      Validations.of(verify.project.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.verifyKeyArnPattern(region)}]`,
        reason: `KMS assigns the key ID at deploy time, after this policy exists; the verification role may use only multi-region (mrk-) keys of account ${this.account} in ${region}, with ${VERIFY_KMS_ACTIONS.join(", ")} only.`,
      });
    }
  }

  private verifyKeyArnPattern(region: string): string {
    return Arn.format(
      {
        service: "kms",
        region,
        account: this.account,
        resource: "key",
        resourceName: "mrk-*",
      },
      this,
    );
  }
}

/** A buildspec fragment that publishes a JUnit file to a report group. */
function junitReport(
  group: codebuild.ReportGroup,
  file: string,
): codebuild.BuildSpec {
  const slash = file.lastIndexOf("/");
  return codebuild.BuildSpec.fromObject({
    reports: {
      [group.reportGroupArn]: {
        files: [file.slice(slash + 1)],
        "base-directory": file.slice(0, slash),
        "file-format": "JUNITXML",
      },
    },
  });
}

/** Lets a CodeBuild project write reports into one report group. */
function reportWriteStatement(
  group: codebuild.ReportGroup,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      "codebuild:CreateReport",
      "codebuild:UpdateReport",
      "codebuild:BatchPutTestCases",
    ],
    resources: [group.reportGroupArn],
  });
}
