import { CONFIG_SCHEMA, FieldSpec, ObjectField } from './config-schema';
import { KmsPipelineConfig } from './kms-pipeline-config';
import { primaryKeyArnParameterName } from '../resource-names';

/** SSM parameter names may be at most 15 levels deep. */
const SSM_MAX_HIERARCHY_LEVELS = 15;

/** A configuration problem: one line that names the field, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Renders a received value for an error message, short enough to stay on one line. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function fail(path: string, problem: string, value: unknown): never {
  throw new ConfigError(`${path} ${problem}, got ${show(value)}`);
}

/** `path.key`, or `path["key"]` when the key would not read as one word (spaces, dots, newlines). */
function child(path: string, key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateField(spec: FieldSpec, value: unknown, path: string): unknown {
  if (spec.kind === 'object') return validateObject(spec, value, path);
  if (value === undefined) {
    if ('default' in spec && spec.default !== undefined) return spec.default;
    fail(path, `is required: ${spec.allowed}`, value);
  }
  switch (spec.kind) {
    case 'string': {
      if (typeof value !== 'string') fail(path, `must be a string (${spec.allowed})`, value);
      const problem = spec.check?.(value);
      if (problem) fail(path, problem, value);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, 'must be true or false', value);
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) {
        fail(path, `must be an integer from ${spec.min} to ${spec.max}`, value);
      }
      return value;
    case 'stringList': {
      if (!Array.isArray(value)) fail(path, `must be a list (${spec.allowed})`, value);
      if (value.length < spec.minItems) fail(path, `must list at least ${spec.minItems} (${spec.allowed})`, value);
      if (spec.maxItems !== undefined && value.length > spec.maxItems)
        fail(path, `must list at most ${spec.maxItems} (${spec.allowed})`, value);
      value.forEach((item, i) => {
        if (typeof item !== 'string') fail(`${path}[${i}]`, 'must be a string', item);
        const problem = spec.check?.(item);
        if (problem) fail(`${path}[${i}]`, problem, item);
      });
      const duplicate = value.find((item, i) => value.indexOf(item) !== i);
      if (duplicate !== undefined) fail(path, `lists ${show(duplicate)} more than once`, value);
      return value;
    }
    case 'stringMap': {
      if (!isPlainObject(value)) fail(path, `must be an object of strings (${spec.allowed})`, value);
      const entries = Object.entries(value);
      if (entries.length > spec.maxEntries) fail(path, `must have at most ${spec.maxEntries} entries`, entries.length);
      for (const [k, v] of entries) {
        const keyProblem = spec.checkKey(k);
        if (keyProblem) fail(`${path} key`, keyProblem, k);
        if (typeof v !== 'string') fail(child(path, k), 'must be a string', v);
        const valueProblem = spec.checkValue(v);
        if (valueProblem) fail(child(path, k), valueProblem, v);
      }
      return value;
    }
  }
}

function validateObject(spec: ObjectField, value: unknown, path: string): Record<string, unknown> {
  const given = value === undefined ? {} : value;
  if (!isPlainObject(given)) fail(path, 'must be an object', value);
  const known = Object.keys(spec.fields);
  const unknown = Object.keys(given).find((k) => !known.includes(k));
  if (unknown !== undefined) {
    fail(child(path, unknown), `is not a known field (known fields of ${path}: ${known.join(', ')})`, given[unknown]);
  }
  const result: Record<string, unknown> = {};
  for (const [name, fieldSpec] of Object.entries(spec.fields)) {
    result[name] = validateField(fieldSpec, given[name], `${path}.${name}`);
  }
  return result;
}

/** Region lists must not overlap: each Region has exactly one role. */
function validateRegionRoles(config: KmsPipelineConfig): void {
  const roles: Array<[string, readonly string[]]> = [
    ['config.primaryRegion', [config.primaryRegion]],
    ['config.replicaRegions', config.replicaRegions],
    ['config.retiredReplicaRegions', config.retiredReplicaRegions],
    ['config.noReplicaRegions', config.noReplicaRegions],
  ];
  for (let i = 0; i < roles.length; i++) {
    for (let j = i + 1; j < roles.length; j++) {
      const [laterName, laterRegions] = roles[j];
      const [earlierName, earlierRegions] = roles[i];
      const clash = laterRegions.find((r) => earlierRegions.includes(r));
      if (clash !== undefined) {
        fail(laterName, `must not contain ${show(clash)}, which is already in ${earlierName}: a Region has one role`, laterRegions);
      }
    }
  }
}

/**
 * Validates raw configuration (parsed JSON) and fills in defaults.
 *
 * @throws ConfigError naming the first field that is wrong, its value and what is allowed.
 */
export function validateConfig(raw: unknown): KmsPipelineConfig {
  if (!isPlainObject(raw)) fail('config', 'must be a JSON object', raw);
  const config = validateObject(CONFIG_SCHEMA, raw, 'config') as unknown as KmsPipelineConfig;
  validateRegionRoles(config);
  const overlap = config.key.adminPrincipalArns.find((arn) => config.key.userPrincipalArns.includes(arn));
  if (overlap !== undefined) {
    fail(
      'config.key.userPrincipalArns',
      'must not repeat a principal of config.key.adminPrincipalArns: administrators and users are kept apart',
      overlap,
    );
  }
  const parameterName = primaryKeyArnParameterName(config.projectName, config.key.alias);
  const levels = parameterName.split('/').length - 1;
  if (levels > SSM_MAX_HIERARCHY_LEVELS) {
    fail(
      'config.key.alias',
      `makes the SSM parameter ${parameterName} ${levels} levels deep, over SSM's ${SSM_MAX_HIERARCHY_LEVELS}: use fewer "/" in the alias`,
      config.key.alias,
    );
  }
  return config;
}
