import { MultiRegionKeyArn, parseMultiRegionKeyArn } from './key-arn';
import { oneLine } from './sdk-errors';

/** One key to verify, with what is expected of it. */
export interface KeyInputs {
  /** The key's stable name from the key list; absent for the single-key inputs. */
  readonly name?: string;
  readonly primaryKey: MultiRegionKeyArn;
  /** An alias that must resolve to the key in the primary and every replica Region. */
  readonly alias?: string;
  /** The rotation status that `GetKeyRotationStatus` on the primary must report. */
  readonly expectKeyRotation: boolean;
}

/** More keys than this in one run is more likely a mistake than a plan, and would strain KMS request quotas. */
export const MAX_KEYS = 25;

const KEY_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const FIELDS = ['name', 'primaryKeyArn', 'alias', 'expectKeyRotation'];

/**
 * Why `value` is not a usable customer-managed alias name, or undefined when it is.
 * The single-key input and the key list share this rule.
 */
export function aliasProblem(value: string): string | undefined {
  if (!value.startsWith('alias/')) {
    return 'must start with "alias/"';
  }
  if (value.toLowerCase().startsWith('alias/aws/')) {
    return 'must not be under "alias/aws/", which is reserved for AWS managed keys';
  }
  return /^alias\/[A-Za-z0-9/_-]{1,250}$/.test(value) ? undefined : 'must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -';
}

/**
 * Parses the JSON key list: `[{ "name": "app-data", "primaryKeyArn": "arn:...:key/mrk-...",
 * "alias": "alias/app-data", "expectKeyRotation": true }, ...]`. Every key's primary must be in
 * the same account and Region, as the keys share the Region lists and the KMS clients.
 *
 * @returns the keys, or a sentence saying what is wrong (naming the entry and the value)
 */
export function parseKeyList(text: string): KeyInputs[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `is not valid JSON (${oneLine((error as Error).message)}): set it to a JSON list such as ${EXAMPLE}`;
  }
  if (!Array.isArray(parsed)) {
    return `must be a JSON list of keys, got ${shown(parsed)}: set it to a JSON list such as ${EXAMPLE}`;
  }
  if (parsed.length === 0) {
    return 'lists no key: list at least one';
  }
  if (parsed.length > MAX_KEYS) {
    return `lists ${parsed.length} keys, more than ${MAX_KEYS}: verify them in several runs`;
  }
  const keys: KeyInputs[] = [];
  for (const [index, entry] of parsed.entries()) {
    const key = keyEntry(entry, `[${index}]`);
    if (typeof key === 'string') {
      return key;
    }
    keys.push(key);
  }
  return listProblem(keys) ?? keys;
}

const EXAMPLE = '[{"name":"app-data","primaryKeyArn":"arn:aws:kms:us-east-1:111122223333:key/mrk-...","alias":"alias/app-data"}]';

function keyEntry(entry: unknown, at: string): KeyInputs | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return `${at} must be an object with name and primaryKeyArn, got ${shown(entry)}`;
  }
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).find((field) => !FIELDS.includes(field));
  if (unknown !== undefined) {
    return `${at} has the unknown field "${unknown}": use ${FIELDS.join(', ')}`;
  }
  const { name, primaryKeyArn, alias, expectKeyRotation = true } = fields;
  if (typeof name !== 'string' || !KEY_NAME.test(name)) {
    return `${at}.name must be 1 to 64 of a-z 0-9 - starting with a letter or digit, got ${shown(name)}`;
  }
  if (typeof primaryKeyArn !== 'string') {
    return `${at}.primaryKeyArn must be the ARN of the primary multi-region key, got ${shown(primaryKeyArn)}`;
  }
  const primaryKey = parseMultiRegionKeyArn(primaryKeyArn);
  if (typeof primaryKey === 'string') {
    return `${at}.primaryKeyArn ${primaryKey}`;
  }
  if (alias !== undefined) {
    const problem = typeof alias === 'string' ? aliasProblem(alias) : 'must be a string';
    if (problem !== undefined) {
      return `${at}.alias ${problem}, got ${shown(alias)}`;
    }
  }
  if (typeof expectKeyRotation !== 'boolean') {
    return `${at}.expectKeyRotation must be true or false, got ${shown(expectKeyRotation)}`;
  }
  return { name, primaryKey, alias: alias as string | undefined, expectKeyRotation };
}

function listProblem(keys: readonly KeyInputs[]): string | undefined {
  const [first] = keys;
  for (const [index, key] of keys.entries()) {
    const earlier = keys.slice(0, index);
    const sameName = earlier.findIndex((other) => other.name === key.name);
    if (sameName !== -1) {
      return `[${index}].name "${key.name}" is also the name of [${sameName}]: give each key its own name`;
    }
    const sameArn = earlier.findIndex((other) => other.primaryKey.arn === key.primaryKey.arn);
    if (sameArn !== -1) {
      return `[${index}].primaryKeyArn ${key.primaryKey.arn} is also the key of [${sameArn}]: list each key once`;
    }
    const sameAlias = key.alias === undefined ? -1 : earlier.findIndex((other) => other.alias === key.alias);
    if (sameAlias !== -1) {
      return `[${index}].alias "${key.alias}" is also the alias of [${sameAlias}]: an alias names one key`;
    }
    const { accountId, region } = key.primaryKey;
    if (accountId !== first.primaryKey.accountId || region !== first.primaryKey.region) {
      return (
        `[${index}].primaryKeyArn is in account ${accountId} and Region ${region}, but [0] is in account ` +
        `${first.primaryKey.accountId} and Region ${first.primaryKey.region}: verify the keys of one account and primary Region per run`
      );
    }
  }
  return undefined;
}

/** A JSON value on one line, as a person would type it. */
function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
