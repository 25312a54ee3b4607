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
  private readonly pipelineStack: Stack;

  constructor(id: string, props: VerifyReplicationStepProps) {
    const { config } = props;
    const regions = [config.primaryRegion, ...config.replicaRegions, ...config.noReplicaRegions];
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
      },
      partialBuildSpec: junitReport(props.reportGroup, VERIFY_REPORT_FILE),
      rolePolicyStatements: [
        new iam.PolicyStatement({
          sid: 'UseMultiRegionKeysOfThisAccount',
          actions: [...VERIFY_KMS_ACTIONS],
          resources: regions.map((region) => multiRegionKeyArnPattern(props.pipelineStack, region)),
        }),
        reportWriteStatement(props.reportGroup),
      ],
      timeout: Duration.minutes(10),
    });
    this.regions = regions;
    this.pipelineStack = props.pipelineStack;
  }

  /** Acknowledges the `mrk-*` resources of its role; call after the pipeline is built. */
  public acknowledgeKeyWildcards(): void {
    for (const region of this.regions) {
      Validations.of(this.project.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${multiRegionKeyArnPattern(this.pipelineStack, region)}]`,
        reason:
          `KMS assigns the key ID at deploy time, after this policy exists; the verification role may use only multi-region (mrk-) ` +
          `keys of account ${this.pipelineStack.account} in ${region}, with ${VERIFY_KMS_ACTIONS.join(', ')} only.`,
      });
    }
  }
}

function multiRegionKeyArnPattern(stack: Stack, region: string): string {
  return Arn.format({ service: 'kms', region, account: stack.account, resource: 'key', resourceName: 'mrk-*' }, stack);
}
