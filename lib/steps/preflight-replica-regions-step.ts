import { Arn, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { acknowledgeStackIdWildcards, keyStackArns } from './key-stack-arns';

export interface PreflightReplicaRegionsStepProps {
  /** The stack that owns the pipeline (for ARNs). */
  readonly pipelineStack: Stack;
  /** The synth step's output folder with the bundled program (`npm run bundle`). */
  readonly bundle: pipelines.IFileSetProducer;
  /** The primary key stack's output with the key ARN. */
  readonly keyArnOutput: CfnOutput;
  /** The primary key's Region. */
  readonly primaryRegion: string;
  /** The replica key stacks the wave is about to deploy. */
  readonly replicaKeyStacks: readonly Stack[];
  /** The alias that the replica stacks create. */
  readonly alias: string;
}

/**
 * Runs beside the approval, before the replica wave: fails with one line per
 * Region, naming the runbook, when a failed first create left a replica Region
 * in a state that a deploy cannot recover from (an orphaned replica, the alias
 * on another key, a stack in ROLLBACK_COMPLETE). Read-only: DescribeStacks on
 * the replica key stacks, DescribeKey on the primary and on the alias.
 */
export class PreflightReplicaRegionsStep extends pipelines.CodeBuildStep {
  private readonly keyArnPatterns: readonly string[];
  private readonly stackArns: readonly string[];

  constructor(id: string, props: PreflightReplicaRegionsStepProps) {
    const { pipelineStack } = props;
    const stackArns = keyStackArns(props.replicaKeyStacks, pipelineStack);
    const keyArn = (region: string, keyId: string) =>
      Arn.format({ service: 'kms', region, account: pipelineStack.account, resource: 'key', resourceName: keyId }, pipelineStack);
    const primaryKeys = keyArn(props.primaryRegion, 'mrk-*');
    const aliasTargets = props.replicaKeyStacks.map((s) => keyArn(s.region, '*'));
    super(id, {
      input: props.bundle,
      commands: ['node preflight-replica-regions.js'],
      envFromCfnOutputs: { PRIMARY_KEY_ARN: props.keyArnOutput },
      env: {
        REPLICA_STACKS: props.replicaKeyStacks.map((s) => `${s.region}=${s.stackName}`).join(','),
        KEY_ALIAS: props.alias,
      },
      rolePolicyStatements: [
        new iam.PolicyStatement({ sid: 'ReadTheReplicaKeyStacks', actions: ['cloudformation:DescribeStacks'], resources: stackArns }),
        // The primary's metadata lists its replicas.
        new iam.PolicyStatement({ sid: 'ListTheReplicasOfThePrimary', actions: ['kms:DescribeKey'], resources: [primaryKeys] }),
        // Whatever key the alias points at, but only when asked through the project's alias.
        new iam.PolicyStatement({
          sid: 'ResolveTheAliasInReplicaRegions',
          actions: ['kms:DescribeKey'],
          resources: aliasTargets,
          conditions: { StringEquals: { 'kms:RequestAlias': props.alias } },
        }),
      ],
      timeout: Duration.minutes(10),
    });
    this.keyArnPatterns = [primaryKeys, ...aliasTargets];
    this.stackArns = stackArns;
  }

  /** Acknowledges the wildcards of its role; call after the pipeline is built. */
  public acknowledgeWildcards(): void {
    const role = this.project.role!;
    acknowledgeStackIdWildcards(role, this.stackArns);
    const [primary, ...aliasTargets] = this.keyArnPatterns;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${primary}]`,
      reason:
        'kms:DescribeKey only (metadata, no cryptography) on multi-region keys of the primary Region: the key ID is assigned at deploy time.',
    });
    for (const arn of aliasTargets) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arn}]`,
        reason: 'kms:DescribeKey only, and only through the project alias (kms:RequestAlias): the check is which key the alias points at.',
      });
    }
  }
}
