/**
 * A small EventBridge event-pattern matcher for the tests, covering exactly the
 * operators the project's rules use: exact values, `anything-but` (a list),
 * `wildcard` (`*` only), `$or`, nested fields, and event arrays (a field matches
 * when any element does). No maintained offline matcher exists on npm (the AWS SDK's
 * TestEventPattern calls the service); see EventBridge's "Content filtering in
 * event patterns". Arrays of objects match when one element matches the whole
 * sub-pattern, which is stricter than EventBridge's flattening only for
 * sub-patterns of more than one field (the project's have one).
 */
export type EventPattern = { readonly [field: string]: unknown };

const OPERATORS = ['anything-but', 'wildcard'];

/** Whether `event` matches `pattern`, as EventBridge decides for the operators above. Throws on any other. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([field, rule]) => {
    if (field === '$or') {
      if (!Array.isArray(rule)) throw new Error('$or must be a list of patterns');
      return rule.some((branch) => matchesPattern(branch as EventPattern, event));
    }
    const value = event[field];
    if (Array.isArray(rule)) return matchesLeaf(rule, value);
    if (isObject(rule)) {
      const candidates = Array.isArray(value) ? value : [value];
      return candidates.some((candidate) => matchesPattern(rule, candidate));
    }
    throw new Error(`the pattern for ${field} must be a list or an object, got ${JSON.stringify(rule)}`);
  });
}

function matchesLeaf(matchers: readonly unknown[], value: unknown): boolean {
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => matchers.some((matcher) => matchesOne(matcher, v)));
}

function matchesOne(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [operator, ...others] = Object.keys(matcher);
  if (others.length > 0 || !OPERATORS.includes(operator)) {
    throw new Error(`unsupported matcher ${JSON.stringify(matcher)}: this matcher knows ${OPERATORS.join(', ')}`);
  }
  const argument = matcher[operator];
  if (operator === 'wildcard') {
    if (typeof argument !== 'string') throw new Error('wildcard takes a string');
    if (typeof value !== 'string') return false;
    const regex = new RegExp(`^${argument.split('*').map(escapeRegExp).join('.*')}$`);
    return regex.test(value);
  }
  const excluded = Array.isArray(argument) ? argument : [argument];
  return (typeof value === 'string' || typeof value === 'number') && !excluded.includes(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
