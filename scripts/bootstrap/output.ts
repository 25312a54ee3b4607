import { CustomerManagedPolicy } from './policy-document';
import { BootstrapCommand, BootstrapPlan, commandLine } from './plan';

/** How many versions a managed policy may have (IAM quotas: "Managed policy versions", 5). */
export const MAX_POLICY_VERSIONS = 5;
/** Versions besides the default that an update keeps, so that the new one is the fifth at most. */
export const KEPT_OLD_VERSIONS = MAX_POLICY_VERSIONS - 2;
/**
 * The AWS CLI `--query` (JMESPath) of `aws iam list-policy-versions` that names the versions to delete
 * before `create-policy-version`: all but the newest `KEPT_OLD_VERSIONS` that are not the default.
 * `CreateDate` is an ISO 8601 timestamp, so it sorts as text.
 */
export const OLD_VERSIONS_QUERY = `sort_by(Versions[?!IsDefaultVersion], &CreateDate)[:-${KEPT_OLD_VERSIONS}].VersionId`;

/** The execution policy the commands attach, resolved for one configuration. */
export type ResolvedExecutionPolicy =
  | {
      readonly kind: 'least-privilege';
      /** The ARNs of `policies`, comma-separated, as `--cloudformation-execution-policies` takes them. */
      readonly arn: string;
      readonly policies: readonly CustomerManagedPolicy[];
    }
  | { readonly kind: 'administrator'; readonly arn: string }
  | { readonly kind: 'managed'; readonly arn: string };

/** What the commands attach: the execution policy, and the boundary that always comes with it. */
export interface ResolvedPolicies {
  readonly execution: ResolvedExecutionPolicy;
  readonly boundary: CustomerManagedPolicy;
}

/**
 * The notes printed before the commands: which Region gets what, which Regions
 * get nothing and why, the project's own qualifier, and what the policies mean.
 * The notes are shell comments and the commands that create the policies
 * follow them, so the whole dry-run output is a script to review and paste.
 */
export function planNotes(plan: BootstrapPlan, policies: ResolvedPolicies, run: boolean): string[] {
  const width = Math.max(...[...plan.environments, ...plan.skipped].map((e) => e.region.length), 'Region'.length) + 2;
  const { execution, boundary } = policies;
  const lines = [
    `# cdk bootstrap for ${plan.projectName} in account ${plan.pipelineAccount}.` +
      (run ? ' Running each command with your AWS credentials.' : ' Dry run: nothing has run; add --run to run these commands.'),
    '#',
    `# ${'Region'.padEnd(width)}what this project deploys there`,
    ...plan.environments.map((e) => `# ${e.region.padEnd(width)}${e.roles.join(', ')}`),
    ...plan.skipped.map((s) => `# ${s.region.padEnd(width)}nothing, not bootstrapped (${s.reason})`),
    '#',
    `# --trust and --trust-for-lookup let the pipeline account ${plan.pipelineAccount} deploy the key stacks in these Regions.`,
    `# Qualifier ${plan.qualifier} and stack ${plan.toolkitStackName}: this project's own bootstrap roles, which the app uses for every stack.`,
    '# The default bootstrap (CDKToolkit, qualifier hnb659fds) that other CDK apps of the account use is not touched.',
    `# Permissions boundary: ${boundary.arn}. Every role the app creates carries it, and so does the execution role:`,
    '# none of them can do more than it allows, create a role without it, remove it, or change it.',
    executionNote(execution),
    '# Both are customer managed policies: create them first, once per account (IAM policies are global).',
  ];
  if (run) {
    lines.push('# --run does not create them. Without --run this script prints the commands that do.');
    return lines;
  }
  lines.push(
    '# They name the aliases, the Regions and the connection: after changing those, run this again and apply it before you push;',
    '# after retiring a key, apply it after the push that retires it (that deploy still deletes the retired alias), and do not',
    '# add a key in the same push (docs/runbooks/retiring-a-key.md).',
    '# An existing policy gets a new default version; IAM keeps at most 5, so the oldest versions that are not the default',
    `# are deleted first, keeping the default and the ${KEPT_OLD_VERSIONS} newest others to roll back to.`,
  );
  const created = execution.kind === 'least-privilege' ? [boundary, ...execution.policies] : [boundary];
  for (const { name, arn, document } of created) {
    lines.push(
      `cat > ${name}.json <<'POLICY'`,
      ...JSON.stringify(document, null, 2).split('\n'),
      'POLICY',
      `if aws iam get-policy --policy-arn ${arn} > /dev/null 2>&1; then`,
      `  aws iam list-policy-versions --policy-arn ${arn} --output text --query '${OLD_VERSIONS_QUERY}' \\`,
      `    | xargs -n 1 -r aws iam delete-policy-version --policy-arn ${arn} --version-id`,
      `  aws iam create-policy-version --policy-arn ${arn} --policy-document file://${name}.json --set-as-default`,
      'else',
      `  aws iam create-policy --policy-name ${name} --policy-document file://${name}.json`,
      'fi',
    );
  }
  return lines;
}

function executionNote(execution: ResolvedExecutionPolicy): string {
  switch (execution.kind) {
    case 'least-privilege':
      return (
        `# Execution policy: ${execution.arn}, this project's least-privilege policies (the default): what the resource handlers ` +
        'of these templates call, no key deletion, and roles only with the boundary; two policies, because one managed policy ' +
        'holds at most 6,144 characters. --admin uses AdministratorAccess instead.'
      );
    case 'administrator':
      return (
        `# Execution policy: ${execution.arn} (AdministratorAccess, from --admin): CloudFormation may do anything in the account ` +
        'while it deploys these stacks, except what the permissions boundary denies.'
      );
    case 'managed':
      return (
        `# Execution policy: ${execution.arn} (from --execution-policy). It must allow everything these stacks create; ` +
        'the default policy, printed without --execution-policy, is the tested starting point.'
      );
  }
}

/** The dry-run output: the notes and the policies to create, then one command per line. */
export function dryRunLines(plan: BootstrapPlan, commands: readonly BootstrapCommand[], policies: ResolvedPolicies): string[] {
  return [...planNotes(plan, policies, false), '', ...commands.map(commandLine)];
}
