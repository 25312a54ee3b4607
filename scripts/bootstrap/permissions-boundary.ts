import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { bootstrapQualifier, permissionsBoundaryName } from '../../lib/resource-names';
import { accountScope, keyActivityBusArn } from './accounts';
import { executionStatements, keyStatements, multiRegionKeyServiceRoleStatement, supportAliasArns } from './execution-policy';
import { CustomerManagedPolicy, customerManagedPolicyArn, PolicyStatement } from './policy-document';

/** Statements of the execution policy that the boundary repeats unchanged (besides every IAM one). */
const REPEATED_AS_THEY_ARE: readonly string[] = ['ManageTheKeyAlias', 'ReadTheProjectBootstrapVersion', 'ListAliasesAndLogGroups'];

/**
 * The permissions boundary of every role of this project: the roles the app
 * creates (CDK applies it through the `@aws-cdk/core:permissionsBoundary`
 * context) and the bootstrap's CloudFormation execution role
 * (`cdk bootstrap --custom-permissions-boundary`).
 *
 * A role can never do more than its boundary allows, whatever policy it is
 * given. This one allows what the execution policy allows, on the same
 * resources (with service wildcards to fit IAM's size limit, but never key
 * deletion), plus what the pipeline's roles call at run time (artifacts,
 * build logs, the deploy roles of the project's bootstrap, the termination
 * protection of its stacks), and cryptography only through S3 (the artifact
 * key) or on the key with the project's alias. It denies every way out: a role
 * or user without this boundary, removing it, and changing this policy or the
 * execution policy.
 */
export function permissionsBoundary(config: KmsPipelineConfig, account: string = config.pipeline.account): CustomerManagedPolicy {
  const scope = accountScope(config, account);
  const pipeline = scope.holdsPipeline;
  const prefix = `${config.projectName}-`;
  const name = permissionsBoundaryName(config.projectName);
  const arn = customerManagedPolicyArn(account, name);
  const qualifier = bootstrapQualifier(config.projectName);

  const keys = `arn:aws:kms:*:${account}:key/*`;
  const codebuild = [`arn:aws:codebuild:*:${account}:project/*`, `arn:aws:codebuild:*:${account}:report-group/*`];
  // The execution policy's statements that are already narrow enough to repeat as they are.
  // The aliases of the support stacks' keys join the project's aliases, before the keys.
  // One pattern for the support stacks' key aliases, which the execution policy names exactly: room in the boundary.
  const supportAliases = supportAliasArns(config, account).length > 0 ? [`arn:aws:kms:*:${account}:alias/support-*`] : [];
  const repeated = executionStatements(config, account)
    .filter((s) => REPEATED_AS_THEY_ARE.includes(s.Sid) || s.Action.some((action) => action.startsWith('iam:')))
    .map((s) => (s.Sid === 'ManageTheKeyAlias' ? { ...s, Resource: [...s.Resource.slice(0, -1), ...supportAliases, keys] } : s));
  // The pipeline account's execution policies hold it in the monitoring policy; the boundary repeats it once.
  if (pipeline && scope.environments.length > 0) repeated.push(multiRegionKeyServiceRoleStatement(account));
  const deployTime: PolicyStatement[] = [
    ...repeated,
    // The key statements as they are: the project tag decides, never a wildcard of key actions.
    ...keyStatements(config, account),
    pipeline ? pipelineResources() : keyStackResources(),
  ];
  if (pipeline) {
    deployTime.push({
      Sid: 'UseAndPassTheSourceConnection',
      Effect: 'Allow',
      Action: [
        'codeconnections:UseConnection',
        'codeconnections:PassConnection',
        'codestar-connections:UseConnection',
        'codestar-connections:PassConnection',
      ],
      Resource: [config.source.connectionArn],
    });
  } else {
    deployTime.push({
      Sid: 'ForwardKeyActivityToThePipelineAccount',
      Effect: 'Allow',
      // The rules' role puts the keys' activity on the bus of the pipeline account, whose policy admits this account.
      Action: ['events:PutEvents'],
      Resource: [keyActivityBusArn(config)],
    });
  }

  function pipelineResources(): PolicyStatement {
    return {
      Sid: 'ManageTheProjectResources',
      Effect: 'Allow',
      // What both execution policies allow on these services, and what the pipeline's roles call at run time (artifacts,
      // build logs and reports, events:PutEvents on the key-activity bus). CloudFormation names CodeBuild projects and
      // report groups after their logical IDs, without the stack name.
      Action: ['ssm:*', 'lambda:*', 'logs:*', 's3:*', 'codepipeline:*', 'codebuild:*', 'sns:*', 'events:*', 'scheduler:*', 'cloudwatch:*'],
      Resource: [
        `arn:aws:ssm:*:${account}:parameter/${config.projectName}/*`,
        `arn:aws:lambda:*:${account}:function:${prefix}*`,
        `arn:aws:logs:*:${account}:log-group:${prefix}*`,
        `arn:aws:logs:*:${account}:log-group:/${config.projectName}/*`,
        `arn:aws:s3:::${prefix}*`,
        `arn:aws:codepipeline:*:${account}:${prefix}*`,
        ...codebuild,
        `arn:aws:sns:*:${account}:${prefix}*`,
        `arn:aws:events:*:${account}:event-bus/${prefix}*`,
        `arn:aws:events:*:${account}:rule/${prefix}*`,
        `arn:aws:scheduler:*:${account}:schedule/default/${prefix}*`,
        `arn:aws:cloudwatch:*:${account}:alarm:${prefix}*`,
      ],
    };
  }

  /** In an account without the pipeline: what the key stacks and the access roles' CloudFormation manages there. */
  function keyStackResources(): PolicyStatement {
    return {
      Sid: 'ManageTheProjectResources',
      Effect: 'Allow',
      // What the execution policy allows on these services there, and what the parameter reader calls at run time.
      Action: ['ssm:*', 'lambda:*', 'logs:*', 'events:*'],
      Resource: [
        `arn:aws:ssm:*:${account}:parameter/${config.projectName}/*`,
        `arn:aws:lambda:*:${account}:function:${prefix}*`,
        `arn:aws:logs:*:${account}:log-group:${prefix}*`,
        `arn:aws:events:*:${account}:rule/${prefix}*`,
      ],
    };
  }

  const runTime: Array<PolicyStatement | false> = [
    pipeline && {
      Sid: 'UseKeysThroughS3',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      Resource: [keys],
      Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
    },
    scope.environments.length > 0 && {
      Sid: 'UseTheProjectKey',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: [keys],
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': config.keys.map((key) => key.alias) } },
    },
    scope.noReplicaRegions.length > 0 && {
      Sid: 'ProveThatNoReplicaRegionsCannotDecrypt',
      Effect: 'Allow',
      // There is no key to carry the alias there: the verification's proof is KMS's NotFound for the key ID.
      Action: ['kms:Decrypt'],
      Resource: scope.noReplicaRegions.map((region) => `arn:aws:kms:${region}:${account}:key/mrk-*`),
    },
    pipeline && {
      Sid: 'WriteBuildLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`arn:aws:logs:*:${account}:log-group:/aws/codebuild/*`],
    },
    pipeline && {
      Sid: 'AssumeProjectAndBootstrapRoles',
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      // The project's roles of this account and, with an environment in another account, of any account: the access
      // roles there trust only the steps' roles by name, and the steps' own policies name each role. One pattern for
      // every account keeps the boundary's size the same however many environment accounts there are.
      Resource: [
        `arn:aws:iam::${scope.remoteEnvironments.length > 0 ? '*' : account}:role/${prefix}*`,
        `arn:aws:iam::*:role/cdk-${qualifier}-*`,
      ],
    },
    {
      Sid: 'ReadStacksAndProtectTheProjectStacks',
      Effect: 'Allow',
      Action: ['cloudformation:DescribeStacks', 'cloudformation:UpdateTerminationProtection'],
      Resource: [`arn:aws:cloudformation:*:${account}:stack/${prefix}*`],
    },
  ];

  const denials: PolicyStatement[] = [
    {
      Sid: 'DenyRolesAndUsersWithoutThisBoundary',
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:CreateUser', 'iam:PutUserPermissionsBoundary'],
      Resource: ['*'],
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': arn } },
    },
    {
      Sid: 'DenyRemovingTheBoundary',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
      Resource: ['*'],
    },
    {
      Sid: 'DenyChangingTheBoundaryOrTheExecutionPolicy',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      // This boundary and both execution policies, by their common prefix (the project creates no other managed policy).
      Resource: [customerManagedPolicyArn(account, `${prefix}*`)],
    },
  ];

  return {
    name,
    arn,
    document: {
      Version: '2012-10-17',
      Statement: [...deployTime, ...runTime.filter((statement): statement is PolicyStatement => statement !== false), ...denials],
    },
  };
}
