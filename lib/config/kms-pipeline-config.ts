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
  /**
   * Where the keys are deployed, in pipeline order: the entries of `environments`, or, for a configuration
   * without them, one environment in the pipeline account that keeps the stack names it always had.
   */
  readonly environments: readonly EnvironmentDefinition[];
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
  /** Account of the pipeline (the tooling account; 12 digits). */
  readonly account: string;
  /** Region of the pipeline stack. */
  readonly region: string;
}

/** One account and set of Regions that every key is deployed to, verified and protected in, before the next. */
export interface EnvironmentDefinition {
  /**
   * The environment's stable name (2 to 16 of a-z 0-9 -): its stack names and stage names derive from it, but for
   * the environment with `legacyStackNames`. For the one environment of a configuration without `environments`,
   * `default`.
   */
  readonly name: string;
  /** Account of the environment's key stacks (12 digits). */
  readonly account: string;
  /** Region of the multi-region primary keys. */
  readonly primaryRegion: string;
  /** Regions that hold a replica of every primary key, deployed in one wave. */
  readonly replicaRegions: readonly string[];
  /** Regions that must NOT be able to decrypt; the verification step proves it. */
  readonly noReplicaRegions: readonly string[];
  /** Regions taken out of `replicaRegions` whose retained replicas may still exist. */
  readonly retiredReplicaRegions: readonly string[];
  /** Whether a person must approve before the environment's replica wave deploys. */
  readonly manualApproval: boolean;
  /**
   * Whether the environment keeps the stack names, stage names and step names of a configuration without
   * `environments` (`<projectName>-primary-key`, ...): always for that configuration's one environment, and at
   * most one entry of `environments`.
   */
  readonly legacyStackNames: boolean;
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
