import { CfnTemplate, ReplacementFinding } from '../../scripts/replacement-guard/replacement-guard';

// How the guard names the baseline stacks, and the logical IDs of their stateful resources (pinned in test/logical-ids.test.ts too).
export const PRIMARY_STACK = 'kms-mrk-primary-key (111111111111/us-east-1)';
export const REPLICA_STACK = 'kms-mrk-replica-key-eu-west-1 (111111111111/eu-west-1)';
export const KEY = 'PrimaryKeyCA3E73BD';
export const KEY_ALIAS = 'PrimaryKeyAlias198A8B76';
export const PARAMETER = 'PrimaryKeyArnParameter495DCEF8';
export const REPLICA = 'ReplicaKey4DE8F013';
export const READER = 'PrimaryKeyArnReader0EBC7F45';
export const ADVICE =
  'Restore the construct id or property, or, if the replacement is intended and you have re-encrypted or accepted losing the data, ' +
  'run `npm run baseline:update` and commit the reviewed baseline diff.';

export function clone(template: CfnTemplate): any {
  return JSON.parse(JSON.stringify(template));
}

/** What a test cares about in a finding; the message is checked where it matters. */
export function summary(findings: ReplacementFinding[]): Array<[string, string, string, string | undefined]> {
  return findings.map((f) => [f.stack, f.logicalId, f.impact, f.property]);
}
