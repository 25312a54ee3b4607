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

/** What the commands of one account attach: that account's execution policy, and the boundary that always comes with it. */
export interface ResolvedPolicies {
  readonly account: string;
  readonly execution: ResolvedExecutionPolicy;
  readonly boundary: CustomerManagedPolicy;
}

/**
 * The notes printed before the commands: which Region gets what, which Regions
 * get nothing and why, the project's own qualifier, and what the policies mean.
 * The notes are shell comments and the commands that create the policies
 * follow them, so the whole dry-run output is a script to review and paste.
 * With several accounts, the policies and commands follow in one part per
 * account, to run with that account's credentials.
 *
 * @param policies one entry per account of the plan, in the same order
 */
export function planNotes(plan: BootstrapPlan, policies: readonly ResolvedPolicies[], run: boolean): string[] {
  const several = plan.accounts.length > 1;
  const located = (e: { account: string; region: string }) => (several ? `${e.account}  ${e.region}` : e.region);
  const heading = several ? 'Account       Region' : 'Region';
  const width = Math.max(...[...plan.environments, ...plan.skipped].map((e) => located(e).length), heading.length) + 2;
  const { execution, boundary } = policies[0];
  const otherAccounts = plan.accounts.filter((account) => account !== plan.pipelineAccount);
  const lines = [
    (several
      ? `# cdk bootstrap for ${plan.projectName} in the pipeline account ${plan.pipelineAccount} and the environment accounts ${otherAccounts.join(', ')}.`
      : `# cdk bootstrap for ${plan.projectName} in account ${plan.pipelineAccount}.`) +
      (run ? ' Running each command with your AWS credentials.' : ' Dry run: nothing has run; add --run to run these commands.'),
    '#',
    `# ${heading.padEnd(width)}what this project deploys there`,
    ...plan.environments.map((e) => `# ${located(e).padEnd(width)}${e.roles.join(', ')}`),
    ...plan.skipped.map((s) => `# ${located(s).padEnd(width)}nothing, not bootstrapped (${s.reason})`),
    '#',
    `# --trust and --trust-for-lookup let the pipeline account ${plan.pipelineAccount} deploy the key stacks in these Regions.`,
    `# Qualifier ${plan.qualifier} and stack ${plan.toolkitStackName}: this project's own bootstrap roles, which the app uses for every stack.`,
    '# The default bootstrap (CDKToolkit, qualifier hnb659fds) that other CDK apps of the account use is not touched.',
    `# Permissions boundary: ${several ? anyAccount(boundary.arn) : boundary.arn}. Every role the app creates carries it, and so does the execution role:`,
    '# none of them can do more than it allows, create a role without it, remove it, or change it.',
    executionNote(execution, several),
    several
      ? '# Both are customer managed policies: create them first, in each account (a policy belongs to one account); each names its account and what is deployed there.'
      : '# Both are customer managed policies: create them first, once per account (IAM policies are global).',
  ];
  if (several) {
    lines.push(
      '# Bootstrap every environment account before the first deploy of the pipeline stack: the key and bucket policies of its',
      "# cross-Region support stacks name the environment accounts' deploy roles, which must exist by then.",
    );
  }
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
  if (!several) {
    lines.push(...policyLines(policies[0]));
  }
  return lines;
}

/** The lines that write each policy of one account to a file and create it, or give it a new default version. */
function policyLines({ execution, boundary }: ResolvedPolicies): string[] {
  const lines: string[] = [];
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

/** An ARN of one account, as the notes name it for every account. */
function anyAccount(arn: string): string {
  return arn.replace(/:iam::\d{12}:/g, ':iam::<account>:');
}

function executionNote(execution: ResolvedExecutionPolicy, several: boolean): string {
  const arn = several ? anyAccount(execution.arn) : execution.arn;
  switch (execution.kind) {
    case 'least-privilege':
      return several
        ? `# Execution policy: ${arn}, this project's least-privilege policies (the default): what the resource handlers ` +
            'of the templates deployed in that account call, no key deletion, and roles only with the boundary; in the pipeline ' +
            "account two policies, because one managed policy holds at most 6,144 characters, and one in an environment's. " +
            '--admin uses AdministratorAccess instead.'
        : `# Execution policy: ${arn}, this project's least-privilege policies (the default): what the resource handlers ` +
            'of these templates call, no key deletion, and roles only with the boundary; two policies, because one managed policy ' +
            'holds at most 6,144 characters. --admin uses AdministratorAccess instead.';
    case 'administrator':
      return (
        `# Execution policy: ${arn} (AdministratorAccess, from --admin): CloudFormation may do anything in the account ` +
        'while it deploys these stacks, except what the permissions boundary denies.'
      );
    case 'managed':
      return (
        `# Execution policy: ${arn} (from --execution-policy${several && arn !== execution.arn ? ', the policy of that name in each account' : ''}). It must allow everything these stacks create; ` +
        'the default policy, printed without --execution-policy, is the tested starting point.'
      );
  }
}

/**
 * The dry-run output: the notes and the policies to create, then one command per line; with several accounts,
 * the notes, then for each account its policies and its commands.
 */
export function dryRunLines(plan: BootstrapPlan, commands: readonly BootstrapCommand[], policies: readonly ResolvedPolicies[]): string[] {
  const notes = planNotes(plan, policies, false);
  if (plan.accounts.length === 1) {
    return [...notes, '', ...commands.map(commandLine)];
  }
  return [
    ...notes,
    ...policies.flatMap((accountPolicies) => [
      '',
      `# ===== Account ${accountPolicies.account} (${accountContents(plan, accountPolicies.account)}): run this part with credentials of`,
      `# account ${accountPolicies.account}; npm run bootstrap -- --account ${accountPolicies.account} prints it alone, and with --run runs its commands.`,
      ...policyLines(accountPolicies),
      '',
      ...commands.filter((command) => command.environment.account === accountPolicies.account).map(commandLine),
    ]),
  ];
}

/** What an account holds, in a few words: the pipeline, and the environments whose key stacks are there. */
function accountContents(plan: BootstrapPlan, account: string): string {
  const roles = plan.environments.filter((e) => e.account === account).flatMap((e) => e.roles);
  const names = [...new Set(roles.map((role) => /\(([^)]+)\)$/.exec(role)?.[1]).filter((name): name is string => name !== undefined))];
  const parts: string[] = [];
  if (roles.includes('pipeline')) parts.push('the pipeline');
  if (names.length > 0) parts.push(`environment${names.length > 1 ? 's' : ''} ${names.join(', ')}`);
  else if (roles.some((role) => role !== 'pipeline')) parts.push('the key stacks');
  return parts.join(', ');
}
