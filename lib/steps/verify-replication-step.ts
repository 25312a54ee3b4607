import { Arn, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { KmsPipelineConfig } from '../config/kms-pipeline-config';
import { junitReport, reportWriteStatement } from './report-groups';

/** Where the synth step leaves the bundled verification program for this step. */
export const VERIFY_BUNDLE_DIR = 'dist/verify';
/** The JUnit file that the verification program writes, relative to its working directory. */
export const VERIFY_REPORT_FILE = 'reports/verify-replication.xml';
/** What the verification step may do: read and use multi-region keys, nothing else. */
export const VERIFY_KMS_ACTIONS: readonly string[] = ['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:Encrypt', 'kms:Decrypt'];
/**
 * How long the program keeps retrying an IAM denial in the primary and replica
 * Regions: KMS takes up to five minutes to apply a new alias to authorization,
 * and the role's permission there depends on the alias.
 */
export const VERIFY_PERMISSION_WAIT_SECONDS = 330;

export interface VerifyReplicationStepProps {
  /** The stack that owns the pipeline (for ARNs). */
  readonly pipelineStack: Stack;
  /** The synth step's output folder with the bundled program (`npm run bundle`). */
  readonly bundle: pipelines.IFileSetProducer;
  /** The primary key stack's output with the key ARN. */
  readonly keyArnOutput: CfnOutput;
  readonly config: KmsPipelineConfig;
  /** Where the JUnit report is published. */
  readonly reportGroup: codebuild.IReportGroup;
}

/**
 * The post-deploy proof: runs the bundled verification program (no dependency
 * install) against every Region at once and publishes its JUnit report. The
 * program exits non-zero when a check fails, which fails the pipeline.
 */
export class VerifyReplicationStep extends pipelines.CodeBuildStep {
  /** Regions whose multi-region keys the step may use. */
  public readonly regions: readonly string[];
  private readonly keyRegions: readonly string[];
  private readonly alias: string;
  private readonly pipelineStack: Stack;

  constructor(id: string, props: VerifyReplicationStepProps) {
    const { config } = props;
    const keyRegions = [config.primaryRegion, ...config.replicaRegions];
    const regions = [...keyRegions, ...config.noReplicaRegions];
    super(id, {
      input: props.bundle,
      commands: ['node verify-replication.js'],
      envFromCfnOutputs: { PRIMARY_KEY_ARN: props.keyArnOutput },
      env: {
        REPLICA_REGIONS: config.replicaRegions.join(','),
        NO_REPLICA_REGIONS: config.noReplicaRegions.join(','),
        RETIRED_REPLICA_REGIONS: config.retiredReplicaRegions.join(','),
        KEY_ALIAS: config.key.alias,
        EXPECT_KEY_ROTATION: String(config.key.enableKeyRotation),
        REPORT_PATH: VERIFY_REPORT_FILE,
        VERIFY_PERMISSION_WAIT_SECONDS: String(VERIFY_PERMISSION_WAIT_SECONDS),
      },
      partialBuildSpec: junitReport(props.reportGroup, VERIFY_REPORT_FILE),
      rolePolicyStatements: [
        // Where the key lives, only the key that carries the project's alias: not any other mrk- key of the account.
        new iam.PolicyStatement({
          sid: 'UseTheProjectKeyWhereItLives',
          actions: [...VERIFY_KMS_ACTIONS],
          resources: keyRegions.map((region) => multiRegionKeyArnPattern(props.pipelineStack, region)),
          conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [config.key.alias] } },
        }),
        // Where no replica may exist there is no key to carry the alias; an alias condition would turn
        // KMS's NotFound, the proof, into an IAM denial.
        new iam.PolicyStatement({
          sid: 'ProveNoReplicaElsewhere',
          actions: ['kms:Decrypt'],
          resources: config.noReplicaRegions.map((region) => multiRegionKeyArnPattern(props.pipelineStack, region)),
        }),
        reportWriteStatement(props.reportGroup),
      ],
      // The checks take seconds; the rest is room for the permission wait.
      timeout: Duration.minutes(15),
    });
    this.regions = regions;
    this.keyRegions = keyRegions;
    this.alias = config.key.alias;
    this.pipelineStack = props.pipelineStack;
  }

  /** Acknowledges the `mrk-*` resources of its role; call after the pipeline is built. */
  public acknowledgeKeyWildcards(): void {
    for (const region of this.regions) {
      const scope = this.keyRegions.includes(region)
        ? `only the multi-region (mrk-) key with the alias ${this.alias} in ${region} (kms:ResourceAliases), with ${VERIFY_KMS_ACTIONS.join(', ')} only`
        : `kms:Decrypt only, in ${region}, where no replica may exist: the proof is KMS's NotFound for the key ID`;
      Validations.of(this.project.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${multiRegionKeyArnPattern(this.pipelineStack, region)}]`,
        reason: `KMS assigns the key ID at deploy time, after this policy exists; the verification role may use ${scope}.`,
      });
    }
  }
}

function multiRegionKeyArnPattern(stack: Stack, region: string): string {
  return Arn.format({ service: 'kms', region, account: stack.account, resource: 'key', resourceName: 'mrk-*' }, stack);
}
