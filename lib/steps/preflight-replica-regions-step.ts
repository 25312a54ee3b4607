import { Arn, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { doubleQuoted, keyArnEnvFromOutputs, KeyArnSource, keyArnVariable } from './key-arn-variables';
import { acknowledgeStackIdWildcards, keyStackArns, KeyStackLocation } from './key-stack-arns';
import { assumeAccessRoleStatement, StepAccess } from './step-access';

export interface PreflightReplicaRegionsStepProps {
  /** The stack that owns the pipeline (for ARNs). */
  readonly pipelineStack: Stack;
  /** The synth step's output folder with the bundled program (`npm run bundle`). */
  readonly bundle: pipelines.IFileSetProducer;
  /** Every key, with the primary key stack's output of its ARN and the alias that the replica stacks create. */
  readonly keys: readonly PreflightKey[];
  /** The primary keys' account. */
  readonly account: string;
  /** The primary keys' Region. */
  readonly primaryRegion: string;
  /** The replica key stacks the wave is about to deploy. */
  readonly replicaKeyStacks: readonly KeyStackLocation[];
  /**
   * The role in the environment account that the program assumes (`PREFLIGHT_ROLE_ARN`), and the step's own role
   * that alone may assume it: for an environment in another account.
   *
   * @default - the step's own role reads the stacks and keys (an environment in the pipeline account)
   */
  readonly access?: StepAccess;
}

/** What the preflight reads, and where. */
export interface PreflightScope {
  readonly account: string;
  readonly primaryRegion: string;
  readonly replicaKeyStacks: readonly KeyStackLocation[];
  /** The aliases of every key. */
  readonly aliases: readonly string[];
}

/** The ARN patterns the preflight reads: the replica key stacks, the primary keys, and the keys behind the aliases. */
function preflightResources(stack: Stack, scope: PreflightScope) {
  const keyArn = (region: string, keyId: string) =>
    Arn.format({ service: 'kms', region, account: scope.account, resource: 'key', resourceName: keyId }, stack);
  return {
    stackArns: keyStackArns(scope.replicaKeyStacks, stack),
    primaryKeys: keyArn(scope.primaryRegion, 'mrk-*'),
    aliasTargets: scope.replicaKeyStacks.map((s) => keyArn(s.region, '*')),
  };
}

/** What the preflight may call: read-only, on the replica key stacks and the project's keys. `stack` formats the ARNs. */
export function preflightStatements(stack: Stack, scope: PreflightScope): iam.PolicyStatement[] {
  const { stackArns, primaryKeys, aliasTargets } = preflightResources(stack, scope);
  return [
    new iam.PolicyStatement({ sid: 'ReadTheReplicaKeyStacks', actions: ['cloudformation:DescribeStacks'], resources: stackArns }),
    // The primary's metadata lists its replicas.
    new iam.PolicyStatement({ sid: 'ListTheReplicasOfThePrimary', actions: ['kms:DescribeKey'], resources: [primaryKeys] }),
    // Whatever key an alias points at, but only when asked through one of the project's aliases.
    new iam.PolicyStatement({
      sid: 'ResolveTheAliasInReplicaRegions',
      actions: ['kms:DescribeKey'],
      resources: aliasTargets,
      conditions: { StringEquals: { 'kms:RequestAlias': scope.aliases.length === 1 ? scope.aliases[0] : [...scope.aliases] } },
    }),
  ];
}

/** A key that the preflight checks in every replica Region. */
export interface PreflightKey extends KeyArnSource {
  /** The alias that the replica stacks create for the key. */
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
    const { pipelineStack, access } = props;
    if (props.keys.length === 0) throw new Error('keys must list at least one key, got []');
    // One key keeps the inputs it always had; several run the program once per key, each with its ARN and alias.
    const [onlyKey] = props.keys;
    const oneKey = props.keys.length === 1;
    const scope: PreflightScope = { ...props, aliases: props.keys.map((key) => key.alias) };
    const { stackArns, primaryKeys, aliasTargets } = preflightResources(pipelineStack, scope);
    super(id, {
      input: props.bundle,
      commands: oneKey
        ? ['node preflight-replica-regions.js']
        : [
            // Every key is checked, also after one has failed, so that one run names every blocked key; then the step fails.
            [
              'status=0',
              ...props.keys.map(
                (key) =>
                  `PRIMARY_KEY_ARN=${doubleQuoted(`\${${keyArnVariable(key.name)}}`)} KEY_ALIAS=${doubleQuoted(key.alias)} node preflight-replica-regions.js || status=1`,
              ),
              '[ "$status" = 0 ]',
            ].join('; '),
          ],
      envFromCfnOutputs: oneKey ? { PRIMARY_KEY_ARN: onlyKey.keyArnOutput } : keyArnEnvFromOutputs(props.keys),
      env: {
        REPLICA_STACKS: props.replicaKeyStacks.map((s) => `${s.region}=${s.stackName}`).join(','),
        ...(oneKey ? { KEY_ALIAS: onlyKey.alias } : {}),
        ...(access === undefined ? {} : { PREFLIGHT_ROLE_ARN: access.roleArn }),
      },
      role: access?.stepRole,
      // In another account, the role there holds the read statements (lib/stacks/environment-access-stack.ts).
      rolePolicyStatements: access === undefined ? preflightStatements(pipelineStack, scope) : [assumeAccessRoleStatement(access)],
      timeout: Duration.minutes(10),
    });
    // In another account, the step's role holds no wildcard to acknowledge.
    this.keyArnPatterns = access === undefined ? [primaryKeys, ...aliasTargets] : [];
    this.stackArns = access === undefined ? stackArns : [];
  }

  /** Acknowledges the wildcards of its role; call after the pipeline is built. */
  public acknowledgeWildcards(): void {
    acknowledgePreflightWildcards(this.project.role!, this.stackArns, this.keyArnPatterns);
  }
}

/** Acknowledges the wildcards of a role that holds {@link preflightStatements}. */
export function acknowledgePreflightWildcards(role: iam.IRole, stackArns: readonly string[], keyArnPatterns: readonly string[]): void {
  acknowledgeStackIdWildcards(role, stackArns);
  if (keyArnPatterns.length === 0) return;
  const [primary, ...aliasTargets] = keyArnPatterns;
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

/** The wildcards of a role that holds {@link preflightStatements}, for {@link acknowledgePreflightWildcards}. */
export function preflightWildcards(stack: Stack, scope: PreflightScope): { stackArns: string[]; keyArnPatterns: string[] } {
  const { stackArns, primaryKeys, aliasTargets } = preflightResources(stack, scope);
  return { stackArns, keyArnPatterns: [primaryKeys, ...aliasTargets] };
}
