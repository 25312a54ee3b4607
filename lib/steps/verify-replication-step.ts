import { Arn, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { EnvironmentDefinition, KeyDefinition } from '../config/kms-pipeline-config';
import { doubleQuoted, keyArnEnvFromOutputs, KeyArnSource, keyArnVariable } from './key-arn-variables';
import { junitReport, reportWriteStatement } from './report-groups';
import { assumeAccessRoleStatement, StepAccess } from './step-access';

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
  /** Every key of `keyDefinitions`, in the same order, with the primary key stack's output of its ARN. */
  readonly keys: readonly KeyArnSource[];
  /** The environment whose keys the step verifies. */
  readonly environment: EnvironmentDefinition;
  /** Every key of the configuration. */
  readonly keyDefinitions: readonly KeyDefinition[];
  /**
   * The role in the environment account that the program assumes for every KMS call, and the step's own role
   * in the pipeline account that alone may assume it: for an environment in another account.
   *
   * @default - the step's own role calls KMS (an environment in the pipeline account)
   */
  readonly access?: StepAccess;
  /** Where the JUnit report is published. */
  readonly reportGroup: codebuild.IReportGroup;
  /**
   * Where the step leaves the bundle, after a passing run, for the scheduled
   * verification, with the primary key ARN in the object's metadata.
   *
   * @default - the bundle is not kept
   */
  readonly bundleStore?: VerificationBundleLocation;
}

/** A fixed object in a versioned bucket that holds the last bundle that passed in the pipeline. */
export interface VerificationBundleLocation {
  readonly bucket: s3.IBucket;
  /** The object key of the bundle. */
  readonly key: string;
  /**
   * The object key, in the same bucket, where a configuration of several keys leaves the key list that passed
   * (`VERIFY_KEYS`, with the deployed ARNs), since it does not fit in the bundle's metadata.
   *
   * @default - one key: its ARN travels in the bundle's metadata
   */
  readonly keyListKey?: string;
}

/** The S3 object metadata entry that carries the primary key ARN beside the bundle. */
export const BUNDLE_KEY_ARN_METADATA = 'primary-key-arn';

/**
 * Whether the verification runs with the key list (`VERIFY_KEYS`): for several keys. One key keeps the single-key
 * inputs (`PRIMARY_KEY_ARN`, `KEY_ALIAS`, `EXPECT_KEY_ROTATION`) and the report it always had.
 */
export function verifiesKeyList(keys: readonly KeyDefinition[]): boolean {
  return keys.length > 1;
}

/** The verification program's inputs that come from the configuration, for the step and the scheduled run alike. */
export function verificationEnvironment(
  environment: EnvironmentDefinition,
  keys: readonly KeyDefinition[],
  roleArn?: string,
): Record<string, string> {
  const [key] = keys;
  return {
    REPLICA_REGIONS: environment.replicaRegions.join(','),
    NO_REPLICA_REGIONS: environment.noReplicaRegions.join(','),
    RETIRED_REPLICA_REGIONS: environment.retiredReplicaRegions.join(','),
    // With several keys, each key's alias and rotation are in VERIFY_KEYS, which the program takes instead.
    ...(verifiesKeyList(keys) ? {} : { KEY_ALIAS: key.alias, EXPECT_KEY_ROTATION: String(key.enableKeyRotation) }),
    REPORT_PATH: VERIFY_REPORT_FILE,
    VERIFY_PERMISSION_WAIT_SECONDS: String(VERIFY_PERMISSION_WAIT_SECONDS),
    ...(roleArn === undefined ? {} : { VERIFY_ROLE_ARN: roleArn }),
  };
}

/**
 * The shell command that sets `VERIFY_KEYS` to every key of the configuration, each key's ARN taken from its
 * variable (see keyArnVariable), for a configuration of several keys.
 */
export function exportVerifyKeysCommand(keys: readonly KeyDefinition[]): string {
  const list = keys.map((key) => ({
    name: key.name,
    primaryKeyArn: `\${${keyArnVariable(key.name)}}`,
    alias: key.alias,
    expectKeyRotation: key.enableKeyRotation,
  }));
  return `export VERIFY_KEYS=${doubleQuoted(JSON.stringify(list))}`;
}

/** The aliases of the configuration's keys. */
function aliases(keys: readonly KeyDefinition[]): string[] {
  return keys.map((key) => key.alias);
}

/**
 * What the verification program may call in an environment: the project's keys where they live, and Decrypt where
 * no replica may be. `stack` formats the ARNs (partition); they name the environment's account.
 */
export function verificationKmsStatements(
  stack: Stack,
  environment: EnvironmentDefinition,
  keys: readonly KeyDefinition[],
): iam.PolicyStatement[] {
  const keyRegions = [environment.primaryRegion, ...environment.replicaRegions];
  return [
    // Where the keys live, only the keys that carry one of the project's aliases: not any other mrk- key of the account.
    new iam.PolicyStatement({
      sid: 'UseTheProjectKeyWhereItLives',
      actions: [...VERIFY_KMS_ACTIONS],
      resources: keyRegions.map((region) => multiRegionKeyArnPattern(stack, environment.account, region)),
      conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases(keys) } },
    }),
    // Where no replica may exist there is no key to carry the alias; an alias condition would turn
    // KMS's NotFound, the proof, into an IAM denial.
    new iam.PolicyStatement({
      sid: 'ProveNoReplicaElsewhere',
      actions: ['kms:Decrypt'],
      resources: environment.noReplicaRegions.map((region) => multiRegionKeyArnPattern(stack, environment.account, region)),
    }),
  ];
}

/** Acknowledges the `mrk-*` resources of a role that holds {@link verificationKmsStatements}. */
export function acknowledgeVerificationKeyWildcards(
  role: iam.IRole,
  stack: Stack,
  environment: EnvironmentDefinition,
  keys: readonly KeyDefinition[],
): void {
  const keyRegions = [environment.primaryRegion, ...environment.replicaRegions];
  for (const region of [...keyRegions, ...environment.noReplicaRegions]) {
    const scope = keyRegions.includes(region)
      ? `only the multi-region (mrk-) ${keys.length === 1 ? 'key with the alias' : 'keys with the aliases'} ${aliases(keys).join(', ')} in ${region} (kms:ResourceAliases), with ${VERIFY_KMS_ACTIONS.join(', ')} only`
      : `kms:Decrypt only, in ${region}, where no replica may exist: the proof is KMS's NotFound for the key ID`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${multiRegionKeyArnPattern(stack, environment.account, region)}]`,
      reason: `KMS assigns the key ID at deploy time, after this policy exists; the verification role may use ${scope}.`,
    });
  }
}

/**
 * The post-deploy proof: runs the bundled verification program (no dependency
 * install) against every Region at once and publishes its JUnit report. The
 * program exits non-zero when a check fails, which fails the pipeline.
 */
export class VerifyReplicationStep extends pipelines.CodeBuildStep {
  /** Regions whose multi-region keys the step may use. */
  public readonly regions: readonly string[];
  private readonly environment: EnvironmentDefinition;
  private readonly keyDefinitions: readonly KeyDefinition[];
  private readonly pipelineStack: Stack;
  private readonly crossAccount: boolean;

  constructor(id: string, props: VerifyReplicationStepProps) {
    const { environment, keyDefinitions, bundleStore, access } = props;
    if (props.keys.map((key) => key.name).join() !== keyDefinitions.map((key) => key.name).join()) {
      throw new Error(
        `keys must be the keys of keyDefinitions in their order, got ${JSON.stringify(props.keys.map((key) => key.name))} for ${JSON.stringify(keyDefinitions.map((key) => key.name))}`,
      );
    }
    const keyList = verifiesKeyList(keyDefinitions);
    if (keyList && bundleStore !== undefined && bundleStore.keyListKey === undefined) {
      throw new Error('bundleStore.keyListKey is required with several keys: the scheduled verification reads the key list from it');
    }
    const keyRegions = [environment.primaryRegion, ...environment.replicaRegions];
    const regions = [...keyRegions, ...environment.noReplicaRegions];
    const keep =
      bundleStore === undefined
        ? []
        : keyList
          ? [
              // Only a bundle and a key list that have just passed are kept; versioning keeps the ones before them.
              'aws s3 cp verify-replication.js "s3://$BUNDLE_BUCKET/$BUNDLE_KEY"',
              // The key list last: the scheduled run counts a pass by its versions.
              `printf '%s' "$VERIFY_KEYS" > keys.json`,
              'aws s3 cp keys.json "s3://$BUNDLE_BUCKET/$KEY_LIST_KEY"',
            ]
          : [
              // Only a bundle that has just passed is kept; versioning keeps the ones before it.
              `aws s3 cp verify-replication.js "s3://$BUNDLE_BUCKET/$BUNDLE_KEY" --metadata "${BUNDLE_KEY_ARN_METADATA}=$PRIMARY_KEY_ARN"`,
            ];
    const keptObjects =
      bundleStore === undefined
        ? []
        : [bundleStore.key, ...(keyList && bundleStore.keyListKey !== undefined ? [bundleStore.keyListKey] : [])];
    super(id, {
      input: props.bundle,
      commands: [...(keyList ? [exportVerifyKeysCommand(keyDefinitions)] : []), 'node verify-replication.js', ...keep],
      envFromCfnOutputs: keyList ? keyArnEnvFromOutputs(props.keys) : { PRIMARY_KEY_ARN: props.keys[0].keyArnOutput },
      env: {
        ...verificationEnvironment(environment, keyDefinitions, access?.roleArn),
        ...(bundleStore === undefined ? {} : { BUNDLE_BUCKET: bundleStore.bucket.bucketName, BUNDLE_KEY: bundleStore.key }),
        ...(bundleStore?.keyListKey === undefined || !keyList ? {} : { KEY_LIST_KEY: bundleStore.keyListKey }),
      },
      partialBuildSpec: junitReport(props.reportGroup, VERIFY_REPORT_FILE),
      role: access?.stepRole,
      rolePolicyStatements: [
        // In another account, the role there holds the KMS statements (lib/stacks/environment-access-stack.ts).
        ...(access === undefined
          ? verificationKmsStatements(props.pipelineStack, environment, keyDefinitions)
          : [assumeAccessRoleStatement(access)]),
        reportWriteStatement(props.reportGroup),
        ...(bundleStore === undefined
          ? []
          : [
              new iam.PolicyStatement({
                actions: ['s3:PutObject'],
                resources: keptObjects.map((key) => bundleStore.bucket.arnForObjects(key)),
              }),
            ]),
      ],
      // The checks take seconds; the rest is room for the permission wait.
      timeout: Duration.minutes(15),
    });
    this.regions = regions;
    this.environment = environment;
    this.keyDefinitions = keyDefinitions;
    this.pipelineStack = props.pipelineStack;
    this.crossAccount = access !== undefined;
  }

  /** Acknowledges the `mrk-*` resources of its role; call after the pipeline is built. */
  public acknowledgeKeyWildcards(): void {
    if (this.crossAccount) return;
    acknowledgeVerificationKeyWildcards(this.project.role!, this.pipelineStack, this.environment, this.keyDefinitions);
  }
}

function multiRegionKeyArnPattern(stack: Stack, account: string, region: string): string {
  return Arn.format({ service: 'kms', region, account, resource: 'key', resourceName: 'mrk-*' }, stack);
}
