import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';

/** The policy `cdk bootstrap` attaches when it is given none and trusts no other account. */
export const CDK_DEFAULT_EXECUTION_POLICY_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** An AWS managed (`iam::aws:`) or customer managed (`iam::ACCOUNT:`) policy ARN. */
export const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/;

/** IAM's limit for a managed policy document, in characters without white space. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** A customer managed policy the user creates before bootstrapping. */
export interface CustomerManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly document: PolicyDocument;
}

/** Name of the customer managed execution policy of a project. */
export function executionPolicyName(projectName: string): string {
  return `${projectName}-cfn-execution`;
}

/**
 * A starting point for a CloudFormation execution policy narrower than
 * AdministratorAccess: what the templates of this project create, scoped to
 * the account, to the project's name prefix where CloudFormation's generated
 * names carry it, and to the configured alias and connection.
 *
 * It deliberately leaves out `kms:ScheduleKeyDeletion`: every key is retained,
 * so no deploy ever deletes one, and a deploy role that cannot delete keys
 * cannot lose data by mistake. It has no CloudFormation or EventBridge actions
 * because no resource in the templates needs them.
 */
export function leastPrivilegeExecutionPolicy(config: KmsPipelineConfig): CustomerManagedPolicy {
  const account = config.pipeline.account;
  const prefix = `${config.projectName}-`;
  const name = executionPolicyName(config.projectName);
  const keys = `arn:aws:kms:*:${account}:key/*`;
  const projectRoles = `arn:aws:iam::${account}:role/${prefix}*`;
  const connectionService = config.source.connectionArn.split(':')[2];

  const statements: PolicyStatement[] = [
    {
      Sid: 'CreateKeysAndListAliases',
      Effect: 'Allow',
      // CreateKey and ListAliases take no resource; ReplicateKey also needs CreateKey in the replica Region.
      Action: ['kms:CreateKey', 'kms:ListAliases'],
      Resource: ['*'],
    },
    {
      Sid: 'ManageKeysOfThisAccount',
      Effect: 'Allow',
      Action: [
        'kms:DescribeKey',
        'kms:ReplicateKey',
        'kms:GetKeyPolicy',
        'kms:PutKeyPolicy',
        'kms:GetKeyRotationStatus',
        'kms:EnableKeyRotation',
        'kms:DisableKeyRotation',
        'kms:UpdateKeyDescription',
        'kms:EnableKey',
        'kms:DisableKey',
        'kms:ListResourceTags',
        'kms:TagResource',
        'kms:UntagResource',
      ],
      Resource: [keys],
    },
    {
      Sid: 'ManageTheKeyAlias',
      Effect: 'Allow',
      Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
      Resource: [`arn:aws:kms:*:${account}:${config.key.alias}`, keys],
    },
    {
      Sid: 'PublishThePrimaryKeyArn',
      Effect: 'Allow',
      Action: [
        'ssm:PutParameter',
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:DeleteParameter',
        'ssm:AddTagsToResource',
        'ssm:RemoveTagsFromResource',
        'ssm:ListTagsForResource',
      ],
      Resource: [`arn:aws:ssm:*:${account}:parameter/${config.projectName}/*`],
    },
    {
      Sid: 'ReadTheCdkBootstrapVersion',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: [`arn:aws:ssm:*:${account}:parameter/cdk-bootstrap/*`],
    },
    {
      Sid: 'ManageRolesOfThisProject',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
      ],
      Resource: [projectRoles],
    },
    {
      Sid: 'PassRolesOfThisProjectToTheirServices',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [projectRoles],
      Condition: {
        StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'codebuild.amazonaws.com', 'codepipeline.amazonaws.com'] },
      },
    },
    {
      Sid: 'RunTheParameterReaderFunction',
      Effect: 'Allow',
      Action: [
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:GetRuntimeManagementConfig',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:InvokeFunction',
        'lambda:ListTags',
        'lambda:TagResource',
        'lambda:UntagResource',
      ],
      Resource: [`arn:aws:lambda:*:${account}:function:${prefix}*`],
    },
    {
      Sid: 'ManageLogGroupsOfThisProject',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:DeleteLogGroup',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:ListTagsForResource',
        'logs:TagResource',
        'logs:UntagResource',
      ],
      Resource: [`arn:aws:logs:*:${account}:log-group:${prefix}*`],
    },
    {
      Sid: 'DescribeLogGroups',
      Effect: 'Allow',
      Action: ['logs:DescribeLogGroups'],
      Resource: [`arn:aws:logs:*:${account}:log-group:*`],
    },
    {
      Sid: 'ManagePipelineBuckets',
      Effect: 'Allow',
      Action: [
        's3:CreateBucket',
        's3:DeleteBucket',
        's3:PutBucketPolicy',
        's3:GetBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:PutEncryptionConfiguration',
        's3:GetEncryptionConfiguration',
        's3:PutBucketPublicAccessBlock',
        's3:GetBucketPublicAccessBlock',
        's3:PutBucketOwnershipControls',
        's3:GetBucketOwnershipControls',
        's3:PutLifecycleConfiguration',
        's3:GetLifecycleConfiguration',
        's3:PutBucketLogging',
        's3:GetBucketLogging',
        's3:PutBucketVersioning',
        's3:GetBucketVersioning',
        's3:PutBucketTagging',
        's3:GetBucketTagging',
      ],
      Resource: [`arn:aws:s3:::${prefix}*`],
    },
    {
      Sid: 'ManageThePipeline',
      Effect: 'Allow',
      Action: [
        'codepipeline:CreatePipeline',
        'codepipeline:UpdatePipeline',
        'codepipeline:DeletePipeline',
        'codepipeline:GetPipeline',
        'codepipeline:GetPipelineState',
        'codepipeline:ListTagsForResource',
        'codepipeline:TagResource',
        'codepipeline:UntagResource',
      ],
      Resource: [`arn:aws:codepipeline:*:${account}:${prefix}*`],
    },
    {
      Sid: 'ManageBuildProjectsAndReportGroups',
      Effect: 'Allow',
      Action: [
        'codebuild:CreateProject',
        'codebuild:UpdateProject',
        'codebuild:DeleteProject',
        'codebuild:BatchGetProjects',
        'codebuild:CreateReportGroup',
        'codebuild:UpdateReportGroup',
        'codebuild:DeleteReportGroup',
        'codebuild:BatchGetReportGroups',
      ],
      // CloudFormation names projects and report groups after their logical IDs, without the stack name.
      Resource: [`arn:aws:codebuild:*:${account}:project/*`, `arn:aws:codebuild:*:${account}:report-group/*`],
    },
    {
      Sid: 'PassTheSourceConnectionToThePipeline',
      Effect: 'Allow',
      Action: [`${connectionService}:PassConnection`],
      Resource: [config.source.connectionArn],
    },
  ];
  return {
    name,
    arn: `arn:aws:iam::${account}:policy/${name}`,
    document: { Version: '2012-10-17', Statement: statements },
  };
}

/** The document as IAM counts it against {@link MANAGED_POLICY_MAX_CHARS}. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}
