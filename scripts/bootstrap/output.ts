import { CDK_DEFAULT_EXECUTION_POLICY_ARN, CustomerManagedPolicy } from './execution-policy';
import { BootstrapCommand, BootstrapPlan, commandLine } from './plan';

/** The execution policy the commands attach, resolved for one configuration. */
export type ResolvedExecutionPolicy =
  | { readonly kind: 'managed'; readonly arn: string }
  | { readonly kind: 'least-privilege'; readonly arn: string; readonly policy: CustomerManagedPolicy };

/**
 * The notes printed before the commands: which Region gets what, which Regions
 * get nothing and why, and what the execution policy means. The notes are shell
 * comments and, with --least-privilege, the commands that create the policy
 * follow them, so the whole dry-run output is a script to review and paste.
 */
export function planNotes(plan: BootstrapPlan, policy: ResolvedExecutionPolicy, run: boolean): string[] {
  const width = Math.max(...[...plan.environments, ...plan.skipped].map((e) => e.region.length), 'Region'.length) + 2;
  const lines = [
    `# cdk bootstrap for ${plan.projectName} in account ${plan.pipelineAccount}.` +
      (run ? ' Running each command with your AWS credentials.' : ' Dry run: nothing has run; add --run to run these commands.'),
    '#',
    `# ${'Region'.padEnd(width)}what this project deploys there`,
    ...plan.environments.map((e) => `# ${e.region.padEnd(width)}${e.roles.join(', ')}`),
    ...plan.skipped.map((s) => `# ${s.region.padEnd(width)}nothing, not bootstrapped (${s.reason})`),
    '#',
    `# --trust and --trust-for-lookup let the pipeline account ${plan.pipelineAccount} deploy the key stacks in these Regions.`,
  ];
  if (policy.kind === 'managed') {
    lines.push(
      policy.arn === CDK_DEFAULT_EXECUTION_POLICY_ARN
        ? `# Execution policy: ${policy.arn}, the CDK default: CloudFormation may do anything in the account while it deploys these stacks. For a narrower starting point, run with --least-privilege.`
        : `# Execution policy: ${policy.arn} (from --execution-policy). It must allow everything these stacks create; --least-privilege prints a starting point.`,
    );
    return lines;
  }
  const { name, document } = policy.policy;
  lines.push(
    `# Execution policy: ${policy.arn}, a customer managed policy. Create it first, once per account (IAM policies are global): the bootstrap attaches it to the execution role of every Region.`,
    '# It is a starting point, not a guarantee: it allows what these templates create today (KMS keys, aliases and replicas, the SSM parameter,',
    "# the reader's Lambda function, role and log group, the pipeline's buckets, pipeline, build projects and report groups) and no key deletion.",
    '# If a deploy fails with an access error, the CloudFormation event names the missing action: add it, scoped as narrowly as you can.',
  );
  if (run) {
    lines.push(`# --run does not create the policy. Without --run this script prints the commands that do.`);
    return lines;
  }
  lines.push(
    `cat > ${name}.json <<'POLICY'`,
    ...JSON.stringify(document, null, 2).split('\n'),
    'POLICY',
    `aws iam create-policy --policy-name ${name} --policy-document file://${name}.json`,
  );
  return lines;
}

/** The dry-run output: the notes, then one command per line. */
export function dryRunLines(plan: BootstrapPlan, commands: readonly BootstrapCommand[], policy: ResolvedExecutionPolicy): string[] {
  return [...planNotes(plan, policy, false), '', ...commands.map(commandLine)];
}
