import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEY_NAME } from '../config/config-schema';
import { keyScopeId } from '../resource-names';

/** Who a key is, in a key stack. */
export interface KeyScopeProps {
  /**
   * The key's stable name (2 to 32 of a-z 0-9 -, starting with a letter). Unless `legacyConstructIds` is set, the
   * construct IDs, and so the logical IDs, of the key's resources derive from it.
   *
   * IMPORTANT: renaming a deployed key replaces it: the old key is orphaned (retained) and a new key is created.
   */
  readonly name: string;
  /**
   * Keep the construct IDs of the single-key stacks: the key's resources sit at the stack's root, with the
   * IDs they had before a stack could hold several keys. At most one key of a stack may set it.
   *
   * IMPORTANT: changing it on a deployed key replaces the key (every logical ID of the key changes).
   *
   * @default false
   */
  readonly legacyConstructIds?: boolean;
}

/** Throws, naming the prop and the value, unless the keys are 1 or more, with valid unique names and at most one legacy key. */
export function validateKeyScopes(keys: readonly KeyScopeProps[]): void {
  if (keys.length === 0) throw new Error('keys must list at least one key, got []');
  const legacy = keys.filter((key) => key.legacyConstructIds === true);
  if (legacy.length > 1) {
    throw new Error(`legacyConstructIds must be true on at most one key, got ${JSON.stringify(legacy.map((key) => key.name))}`);
  }
  for (const [i, key] of keys.entries()) {
    if (!KEY_NAME.test(key.name)) {
      throw new Error(
        `keys[${i}].name must be 2 to 32 of a-z 0-9 -, start with a letter and not end with -, got ${JSON.stringify(key.name)}`,
      );
    }
    if (keys.findIndex((other) => other.name === key.name) !== i) {
      throw new Error(`keys[${i}].name must be unique, got ${JSON.stringify(key.name)} twice`);
    }
  }
}

/**
 * Where the resources of one key go in `stack`: the stack itself for the key that keeps the single-key construct IDs,
 * otherwise a scope named after the key (`Key-<name>`), so that its logical IDs depend on its name alone.
 */
export function keyScope(stack: Stack, key: KeyScopeProps): Construct {
  return key.legacyConstructIds === true ? stack : new Construct(stack, keyScopeId(key.name));
}
