import { z } from 'zod';
import { CONFIG_SCHEMA, fieldPath, show } from './config-schema';
import { EnvironmentDefinition, KeyDefinition, KeySettings, KmsPipelineConfig } from './kms-pipeline-config';

/** A configuration problem: one line that names the field, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.every((key, i) => path[i] === key);
}

/**
 * The first problem in schema order. zod lists fields in schema order, but an object's own problem (an unknown
 * field) after the problems inside it; the object's comes first, so this is the outermost problem around
 * zod's first one.
 */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues.reduce((first, issue) => (issue.path.length < first.path.length && startsWith(issues[0].path, issue.path) ? issue : first));
}

/** The one line of a problem: the field, what is wrong, and the value received. */
function oneLine(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const field = issue.keys[0];
      return `${fieldPath([...issue.path, field])} ${issue.message}, got ${show((issue.input as Record<string, unknown>)[field])}`;
    }
    case 'invalid_key':
      return `${fieldPath(issue.path.slice(0, -1))} key ${issue.issues[0].message}, got ${show(issue.input)}`;
    case 'custom':
      // A rule across fields may say in words what it got ("both", "neither") instead of a value.
      return `${fieldPath(issue.path)} ${issue.message}, got ${typeof issue.params?.got === 'string' ? issue.params.got : show(issue.input)}`;
    default:
      return `${fieldPath(issue.path)} ${issue.message}, got ${show(issue.input)}`;
  }
}

// The type the constructs read and the type the schema produces are the same, but for `$schema`, which is dropped,
// for `key` and `keys`, which become the one list `keys`, and for the Regions of a configuration without
// environments and `pipeline.manualApproval`, which become its one environment.
type Parsed = z.output<typeof CONFIG_SCHEMA>;
type DeepReadonly<T> = T extends readonly (infer I)[] ? readonly DeepReadonly<I>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type TopLevelEnvironment = 'primaryRegion' | 'replicaRegions' | 'noReplicaRegions' | 'retiredReplicaRegions' | 'environments';
/** Fails the type check when the schema's output and KmsPipelineConfig differ. */
export type SchemaMatchesConfigType = [
  Assert<SameType<DeepReadonly<Omit<Parsed, '$schema' | 'key' | 'keys' | 'pipeline' | TopLevelEnvironment>>, Omit<KmsPipelineConfig, 'keys' | 'pipeline' | 'environments'>>>,
  Assert<SameType<DeepReadonly<Omit<Parsed['pipeline'], 'manualApproval'>>, KmsPipelineConfig['pipeline']>>,
  Assert<SameType<DeepReadonly<NonNullable<Parsed['environments']>[number]>, EnvironmentDefinition>>,
  Assert<SameType<DeepReadonly<NonNullable<Parsed['key']>>, KeySettings>>,
  Assert<SameType<DeepReadonly<NonNullable<Parsed['keys']>[number]>, KeyDefinition>>,
];

/** The name of the one environment of a configuration without environments; it names nothing that is deployed. */
export const SINGLE_ENVIRONMENT_NAME = 'default';

/**
 * The name of the one key of a single-key configuration, for messages: its alias without `alias/`, in the
 * characters of a key name. It names nothing that is deployed: that key keeps the single-key construct IDs.
 */
export function singleKeyName(alias: string): string {
  return alias
    .replace(/^alias\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Validates raw configuration (parsed JSON) and fills in defaults.
 *
 * @throws ConfigError naming the first field that is wrong, its value and what is allowed.
 */
export function validateConfig(raw: unknown): KmsPipelineConfig {
  const result = CONFIG_SCHEMA.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(oneLine(firstIssue(result.error.issues)));
  const { key, keys, primaryRegion, replicaRegions, noReplicaRegions, retiredReplicaRegions, environments, pipeline, ...rest } = result.data;
  // The schema lets exactly one of key and keys through, and either environments or the top-level Regions.
  const config = {
    ...rest,
    pipeline: { account: pipeline.account, region: pipeline.region },
    environments:
      environments ??
      [
        {
          name: SINGLE_ENVIRONMENT_NAME,
          account: pipeline.account,
          primaryRegion: primaryRegion!,
          replicaRegions: replicaRegions!,
          noReplicaRegions: noReplicaRegions!,
          retiredReplicaRegions: retiredReplicaRegions ?? [],
          manualApproval: pipeline.manualApproval ?? true,
          legacyStackNames: true,
        },
      ],
    keys: key !== undefined ? [{ name: singleKeyName(key.alias), legacyConstructIds: true, ...key }] : keys!,
  };
  delete config.$schema;
  return config;
}
