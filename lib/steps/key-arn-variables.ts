import { CfnOutput } from 'aws-cdk-lib';

/**
 * The environment variable that carries the primary key ARN of the key `name` into a pipeline step of a configuration
 * with several keys: `PRIMARY_KEY_ARN_` and the name in capitals, `-` as `_` (a key name holds no `_`, so two names
 * never share a variable).
 */
export function keyArnVariable(name: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`name must be a key name of a-z 0-9 -, got ${JSON.stringify(name)}`);
  return `PRIMARY_KEY_ARN_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** A key as the pipeline's steps see it: its name and the primary key stack's output with its ARN. */
export interface KeyArnSource {
  readonly name: string;
  readonly keyArnOutput: CfnOutput;
}

/** `envFromCfnOutputs` of a step that reads every key's ARN: one variable per key (see {@link keyArnVariable}). */
export function keyArnEnvFromOutputs(keys: readonly KeyArnSource[]): Record<string, CfnOutput> {
  return Object.fromEntries(keys.map((key) => [keyArnVariable(key.name), key.keyArnOutput]));
}

/** `value` in double quotes for a POSIX shell, leaving `${VARIABLE}` to expand: for values of [A-Za-z0-9/_:.,{}[\]"$ -] only. */
export function doubleQuoted(value: string): string {
  if (!/^[A-Za-z0-9/_:.,{}[\]"$ -]*$/.test(value)) throw new Error(`cannot quote ${JSON.stringify(value)} for the shell`);
  return `"${value.replace(/"/g, '\\"')}"`;
}
