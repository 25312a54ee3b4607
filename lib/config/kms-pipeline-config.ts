/**
 * The project's one configuration object, after validation and defaults.
 *
 * `bin/app.ts` builds it from CDK context (the example lives in `cdk.json`
 * under `kmsMultiRegion`) or from a JSON file named with `-c config=FILE`.
 * Constructs and stacks receive the parts they need through props.
 */
export interface KmsPipelineConfig {
  /** Prefix of stack names and of the SSM parameter path. */
  readonly projectName: string;
  readonly pipeline: PipelineSettings;
  readonly source: SourceSettings;
  /** Region of the multi-region primary key. */
  readonly primaryRegion: string;
  /** Regions that hold a replica of the primary key, deployed in one wave. */
  readonly replicaRegions: readonly string[];
  /** Regions that must NOT be able to decrypt; the verification step proves it. */
  readonly noReplicaRegions: readonly string[];
  /** Regions taken out of `replicaRegions` whose retained replica may still exist. */
  readonly retiredReplicaRegions: readonly string[];
  /**
   * Every key the pipeline deploys, in configuration order: the one `key` of a single-key configuration
   * (as a key that keeps the single-key construct IDs), or the entries of `keys`.
   */
  readonly keys: readonly KeyDefinition[];
  /** Names of keys taken out of `keys` whose retained key may still exist. */
  readonly retiredKeys: readonly string[];
  readonly monitoring: MonitoringSettings;
}

export interface PipelineSettings {
  /** Account of the pipeline and of every key stack (12 digits). */
  readonly account: string;
  /** Region of the pipeline stack. */
  readonly region: string;
  /** Whether a person must approve before the replica wave deploys. */
  readonly manualApproval: boolean;
}

export interface SourceSettings {
  /** ARN of an AWS CodeConnections (or CodeStar Connections) connection. */
  readonly connectionArn: string;
  /** `owner/repo` of the repository the pipeline builds. */
  readonly repository: string;
  /** Branch whose pushes start the pipeline. */
  readonly branch: string;
}

export interface KeySettings {
  /** Alias of the key, the same in every Region (`alias/...`). */
  readonly alias: string;
  readonly description: string;
  readonly enableKeyRotation: boolean;
  readonly rotationPeriodDays: number;
  readonly pendingWindowDays: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Principals that may manage the key but not use it for cryptography. */
  readonly adminPrincipalArns: readonly string[];
  /** Principals that may use the key for cryptography but not manage it. */
  readonly userPrincipalArns: readonly string[];
}

/** One key of the configuration, with its stable identity. */
export interface KeyDefinition extends KeySettings {
  /**
   * The key's stable name (2 to 32 of a-z 0-9 -): the construct IDs, the logical IDs and the SSM parameter of a key
   * without `legacyConstructIds` derive from it. For the `key` of a single-key configuration, a name derived from its alias.
   */
  readonly name: string;
  /**
   * Whether the key keeps the construct IDs, logical IDs, outputs and SSM parameter name of the single-key
   * configuration (`key`); at most one key has it.
   */
  readonly legacyConstructIds: boolean;
}

export interface MonitoringSettings {
  /** EventBridge Scheduler rate of the scheduled verification, or `off`. */
  readonly verifySchedule: string;
  /** E-mail addresses subscribed to the alerts topic. */
  readonly alertEmails: readonly string[];
}
