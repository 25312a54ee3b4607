import { aliasCheck } from '../config/config-schema';
import { KeyPolicyProps } from './key-policy';

/** Settings that the primary key and every replica share. */
export interface KeySettingsProps extends KeyPolicyProps {
  /**
   * Alias of the key (`alias/...`), the same name in every Region.
   *
   * Changing it replaces the alias, not the key.
   */
  readonly alias: string;
  /**
   * Description of the key.
   *
   * @default - no description
   */
  readonly description?: string;
  /**
   * Days KMS waits before deleting the key once deletion is scheduled (7..30).
   *
   * @default 30
   */
  readonly pendingWindowDays?: number;
  /**
   * Tags of the key.
   *
   * @default - no tags
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Throws an error naming the prop, what is allowed and what was given. */
export function validateIntegerRange(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer ${min}..${max}, got ${value}`);
  }
}

/** Validates the shared settings; constructs call it first thing in their constructor. */
export function validateKeySettings(props: KeySettingsProps): void {
  const aliasProblem = aliasCheck(props.alias);
  if (aliasProblem) throw new Error(`alias ${aliasProblem}, got ${JSON.stringify(props.alias)}`);
  validateIntegerRange('pendingWindowDays', props.pendingWindowDays, 7, 30);
  if (props.description !== undefined && props.description.length > 8192) {
    throw new Error(`description must be at most 8192 characters, got ${props.description.length}`);
  }
}
