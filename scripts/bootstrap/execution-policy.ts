import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import {
  bootstrapQualifier,
  executionPolicyName,
  monitoringExecutionPolicyName,
  permissionsBoundaryName,
  PROJECT_TAG_KEY,
} from '../../lib/resource-names';
import { accountScope, isCrossAccount, supportStackAliasName } from './accounts';
import { CustomerManagedPolicy, customerManagedPolicyArn, PolicyStatement } from './policy-document';

/** The policy that `cdk bootstrap` attaches when it is given none and trusts no other account. */
export const ADMINISTRATOR_ACCESS_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/**
 * The services a role of this project is passed to: the reader's Lambda function, CodeBuild, CodePipeline,
 * EventBridge (the rules that forward the key's activity) and EventBridge Scheduler (the scheduled verification).
 */
export const PASSED_TO_SERVICES: readonly string[] = [
  'lambda.amazonaws.com',
  'codebuild.amazonaws.com',
  'codepipeline.amazonaws.com',
  'events.amazonaws.com',
  'scheduler.amazonaws.com',
];

/** The services a role of the key stacks and access roles is passed to, in an account without the pipeline. */
const KEY_STACK_SERVICES: readonly string[] = ['lambda.amazonaws.com', 'events.amazonaws.com'];

/** Both names of the connection service: the policy holds the action under either, the ARN decides which applies. */
const CONNECTION_SERVICES: readonly string[] = ['codeconnections', 'codestar-connections'];

/**
 * The CloudFormation execution policy of this project's bootstrap: what the
 * resource handlers of every resource type in its templates call (see
 * test/aws-rules/cloudformation-handler-permissions.json, which a test checks
 * this policy against with an IAM policy simulator), scoped to the account, to
 * the project's name prefix where CloudFormation's generated names carry it, and
 * to the configured alias, parameter path and connection.
 *
 * It leaves out what no deploy of this project may do:
 * - `kms:ScheduleKeyDeletion`: every key is retained, so no deploy deletes one,
 *   and a deploy role that cannot delete keys cannot lose data by mistake;
 * - creating or changing a role without the project's permissions boundary, or
 *   removing the boundary: roles are created and changed only with
 *   `iam:PermissionsBoundary` equal to the boundary, so CloudFormation cannot
 *   make a role that is stronger than the boundary, and pass it on.
 */
export function executionPolicy(config: KmsPipelineConfig, account: string = config.pipeline.account): CustomerManagedPolicy {
  const name = executionPolicyName(config.projectName);
  return {
    name,
    arn: customerManagedPolicyArn(account, name),
    document: { Version: '2012-10-17', Statement: executionStatements(config, account) },
  };
}

/**
 * The execution policies of `account`: in the pipeline account {@link executionPolicy} and
 * {@link monitoringExecutionPolicy}; in an account that holds only key stacks and access roles, the first alone,
 * which then also manages the rules that forward the keys' activity (nothing else of the second is deployed there).
 */
export function executionPolicies(config: KmsPipelineConfig, account: string = config.pipeline.account): CustomerManagedPolicy[] {
  return account === config.pipeline.account
    ? [executionPolicy(config, account), monitoringExecutionPolicy(config)]
    : [executionPolicy(config, account)];
}

/** The CloudFormation execution roles of the project's bootstrap, one per Region (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`). */
export function executionRoleArnPattern(config: KmsPipelineConfig, account: string = config.pipeline.account): string {
  return `arn:aws:iam::${account}:role/cdk-${bootstrapQualifier(config.projectName)}-cfn-exec-role-*`;
}

/**
 * What a deploy may do to KMS keys, by attribute-based access control on the project tag
 * ({@link PROJECT_TAG_KEY} = projectName): every key of the project carries it from its creation, a key of
 * another app does not, so none of these statements lets a deploy change, replicate or retag another app's key.
 * The execution policy and the permissions boundary hold the same statements.
 *
 * How CloudFormation's KMS handlers call KMS, and why each statement is shaped as it is
 * (aws-cloudformation/aws-cloudformation-resource-providers-kms, and test/aws-rules/README.md for the rest):
 * - AWS::KMS::Key creates the key with CreateKey and passes the resource's Tags in that call
 *   (key/.../Translator.java, createCustomerMasterKey; the registry schema's `tagging.tagOnCreate` is true),
 *   so `aws:RequestTag` names the project tag when CreateKey is authorized. KMS also requires
 *   kms:TagResource for the tags of a CreateKey "in an IAM policy that isn't restricted to particular KMS keys"
 *   (KMS Developer Guide, Controlling access to tags, https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html):
 *   the key does not exist yet, so that TagResource is allowed on the tag in the request, never on `aws:ResourceTag`.
 * - AWS::KMS::ReplicaKey calls ReplicateKey on the primary, in the primary's Region, with the Tags
 *   (replicakey/.../Translator.java, replicateKeyRequest). ReplicateKey needs kms:ReplicateKey on the primary,
 *   kms:CreateKey in an IAM policy in the replica Region and, for the Tags, kms:TagResource there too
 *   (KMS API Reference, ReplicateKey, https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html);
 *   `kms:ReplicaRegion` limits only kms:ReplicateKey (KMS Developer Guide, Control access to multi-Region keys,
 *   https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html). Tags are not shared
 *   between a primary and its replicas (ReplicateKey: "All other properties of a replica key can differ,
 *   including its key policy, tags, aliases"), so each replica carries the project tag itself.
 * - Right after CreateKey the create handler turns rotation on (key/.../CreateHandler.java), and a tag change
 *   may take up to five minutes to count for authorization (KMS Developer Guide, ABAC for AWS KMS,
 *   https://docs.aws.amazon.com/kms/latest/developerguide/abac.html), so kms:EnableKeyRotation is not made to
 *   depend on the new key's tag: turning rotation on changes no access to any key.
 * - An update reads the key (DescribeKey) before it changes anything, and adds tags last, after rotation,
 *   description and policy (key/.../UpdateHandler.java; common/.../KeyHandlerHelper.java, updateKeyTags):
 *   the reads are allowed on any key, and adding the project tag is allowed on a key that lacks it, so the
 *   first deploy after an upgrade tags the keys that were created before the tag.
 * - UntagResource is authorized on `aws:TagKeys`, TagResource also on `aws:RequestTag` (Service Authorization
 *   Reference, AWS KMS, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html):
 *   no request may remove the project tag, and none may set it to another value.
 */
export function keyStatements(config: KmsPipelineConfig, account: string = config.pipeline.account): PolicyStatement[] {
  const scope = accountScope(config, account);
  const keys = `arn:aws:kms:*:${account}:key/*`;
  // An account without replica Regions (the pipeline account whose only keys are those of the support stacks) replicates nothing.
  const replicates = scope.replicaRegions.length > 0;
  const requestTag = `aws:RequestTag/${PROJECT_TAG_KEY}`;
  const resourceTag = `aws:ResourceTag/${PROJECT_TAG_KEY}`;
  return [
    {
      Sid: 'CreateTaggedKeys',
      Effect: 'Allow',
      // CreateKey takes no resource; the TagResource of a CreateKey or ReplicateKey has no key to carry a tag yet.
      Action: ['kms:CreateKey', 'kms:TagResource'],
      Resource: ['*'],
      Condition: {
        StringEquals: { [requestTag]: config.projectName },
        // Adding the tag to a key gives its management to whoever may manage tagged keys, so only CloudFormation's
        // execution role of the project's bootstrap, in any Region, may add it; no role a template creates may.
        ArnLike: { 'aws:PrincipalArn': executionRoleArnPattern(config, account) },
      },
    },
    {
      Sid: 'ReadKeysAndTurnOnRotation',
      Effect: 'Allow',
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags', 'kms:EnableKeyRotation'],
      Resource: [keys],
    },
    {
      Sid: 'ManageTaggedKeys',
      Effect: 'Allow',
      Action: [
        'kms:PutKeyPolicy',
        'kms:DisableKeyRotation',
        'kms:UpdateKeyDescription',
        'kms:EnableKey',
        'kms:DisableKey',
        'kms:TagResource',
        'kms:UntagResource',
        ...(replicates ? ['kms:ReplicateKey'] : []),
      ],
      Resource: [keys],
      Condition: {
        StringEquals: { [resourceTag]: config.projectName },
        // No request that names the project tag, to remove it or to set it.
        'ForAllValues:StringNotEquals': { 'aws:TagKeys': [PROJECT_TAG_KEY] },
        // ReplicateKey always names its Region; no other action has kms:ReplicaRegion. The Regions are this account's.
        ...(replicates ? { StringEqualsIfExists: { 'kms:ReplicaRegion': [...scope.replicaRegions] } } : {}),
      },
    },
  ];
}

/**
 * The statements of {@link executionPolicy} for `account`; the permissions boundary allows them too. Every account
 * gets the statements of what is deployed there: the pipeline account those of the pipeline stack and its support
 * stacks, an account with environments those of the key stacks (and, outside the pipeline account, of the access
 * roles and the rules that forward the keys' activity to the pipeline account).
 */
/**
 * KMS creates its service-linked role for multi-Region keys with the permissions of whoever creates the first
 * multi-Region key of an account (AWS KMS Developer Guide, "Authorizing AWS KMS to synchronize multi-Region keys",
 * https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-auth-slr.html); the registry schema of
 * AWS::KMS::Key does not list it. The role's path names the service, so the ARN allows that one role.
 */
export function multiRegionKeyServiceRoleStatement(account: string): PolicyStatement {
  return {
    Sid: 'CreateTheMultiRegionKeyServiceRole',
    Effect: 'Allow',
    Action: ['iam:CreateServiceLinkedRole'],
    Resource: [`arn:aws:iam::${account}:role/aws-service-role/mrk.kms.amazonaws.com/*`],
  };
}

export function executionStatements(config: KmsPipelineConfig, account: string = config.pipeline.account): PolicyStatement[] {
  const scope = accountScope(config, account);
  const pipeline = scope.holdsPipeline;
  const keyStacks = scope.environments.length > 0;
  const prefix = `${config.projectName}-`;
  const keys = `arn:aws:kms:*:${account}:key/*`;
  const projectRoles = `arn:aws:iam::${account}:role/${prefix}*`;
  const boundaryArn = customerManagedPolicyArn(account, permissionsBoundaryName(config.projectName));
  const qualifier = bootstrapQualifier(config.projectName);

  const statements: Array<PolicyStatement | false> = [
    ...keyStatements(config, account),
    {
      Sid: 'ManageTheKeyAlias',
      Effect: 'Allow',
      Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
      Resource: [...(keyStacks ? config.keys.map((key) => `arn:aws:kms:*:${account}:${key.alias}`) : []), keys],
    },
    keyStacks && {
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
      Sid: 'ReadTheProjectBootstrapVersion',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: [`arn:aws:ssm:*:${account}:parameter/cdk-bootstrap/${qualifier}/version`],
    },
    {
      Sid: 'CreateAndChangeRolesOnlyWithTheBoundary',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePermissionsBoundary',
      ],
      Resource: [projectRoles],
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
    },
    {
      Sid: 'ReadAndTagRolesOfThisProject',
      Effect: 'Allow',
      Action: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:TagRole', 'iam:UntagRole'],
      Resource: [projectRoles],
    },
    // In the pipeline account, in the monitoring policy, which has room for it.
    keyStacks && !pipeline && multiRegionKeyServiceRoleStatement(account),
    {
      Sid: 'PassRolesOfThisProjectToTheirServices',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [projectRoles],
      Condition: { StringEquals: { 'iam:PassedToService': [...(pipeline ? PASSED_TO_SERVICES : KEY_STACK_SERVICES)] } },
    },
    keyStacks && {
      Sid: 'RunTheParameterReaderFunction',
      Effect: 'Allow',
      Action: [
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:GetFunction',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:PutFunctionConcurrency',
        'lambda:DeleteFunctionConcurrency',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:DeleteFunctionCodeSigningConfig',
        'lambda:GetRuntimeManagementConfig',
        'lambda:PutRuntimeManagementConfig',
        'lambda:GetFunctionRecursionConfig',
        'lambda:PutFunctionRecursionConfig',
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
        'logs:AssociateKmsKey',
        'logs:DisassociateKmsKey',
        'logs:GetDataProtectionPolicy',
        'logs:DeleteDataProtectionPolicy',
        'logs:ListTagsForResource',
        'logs:TagResource',
        'logs:UntagResource',
      ],
      // Generated names start with the stack name; the pipeline's build log group is named /<projectName>/...
      Resource: [
        `arn:aws:logs:*:${account}:log-group:${prefix}*`,
        ...(pipeline ? [`arn:aws:logs:*:${account}:log-group:/${config.projectName}/*`] : []),
      ],
    },
    {
      Sid: 'ListAliasesAndLogGroups',
      Effect: 'Allow',
      // These take no resource. Nor do the calls that set the key-activity bus's policy, which lets the environment
      // accounts put their keys' activity on it (Service Authorization Reference, Amazon EventBridge: PutPermission and
      // RemovePermission have no resource types), so, with an environment in another account, they are allowed on any
      // bus of the pipeline account; here, for the boundary repeats this statement and has no room for another.
      Action: [
        'kms:ListAliases',
        'logs:DescribeLogGroups',
        'logs:DescribeIndexPolicies',
        ...(pipeline && isCrossAccount(config) ? ['events:PutPermission', 'events:RemovePermission'] : []),
      ],
      Resource: ['*'],
    },
    pipeline && {
      Sid: 'ManagePipelineBuckets',
      Effect: 'Allow',
      Action: [
        's3:CreateBucket',
        's3:DeleteBucket',
        's3:ListBucket',
        's3:GetBucketAcl',
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
        's3:PutBucketNotification',
        's3:GetBucketNotification',
        's3:GetAccelerateConfiguration',
        's3:GetAnalyticsConfiguration',
        's3:GetBucketCORS',
        's3:GetInventoryConfiguration',
        's3:GetMetricsConfiguration',
        's3:GetReplicationConfiguration',
        's3:GetBucketWebsite',
        's3:GetBucketObjectLockConfiguration',
        's3:GetIntelligentTieringConfiguration',
        's3:GetBucketMetadataTableConfiguration',
        's3:PutObjectAcl',
        's3:DeleteObject',
      ],
      // Bucket names that CloudFormation generates start with the stack name, which starts with the project name.
      Resource: [`arn:aws:s3:::${prefix}*`],
    },
    pipeline && {
      Sid: 'ManageThePipeline',
      Effect: 'Allow',
      Action: [
        'codepipeline:CreatePipeline',
        'codepipeline:UpdatePipeline',
        'codepipeline:DeletePipeline',
        'codepipeline:GetPipeline',
        'codepipeline:GetPipelineState',
        // An update of a pipeline with RestartExecutionOnUpdate starts it again.
        'codepipeline:StartPipelineExecution',
        'codepipeline:EnableStageTransition',
        'codepipeline:DisableStageTransition',
        'codepipeline:ListTagsForResource',
        'codepipeline:TagResource',
        'codepipeline:UntagResource',
      ],
      Resource: [`arn:aws:codepipeline:*:${account}:${prefix}*`],
    },
    pipeline && {
      Sid: 'PassTheSourceConnectionToThePipeline',
      Effect: 'Allow',
      Action: CONNECTION_SERVICES.map((service) => `${service}:PassConnection`),
      Resource: [config.source.connectionArn],
    },
    // In the pipeline account, the second policy manages the rules with the bus.
    !pipeline && {
      Sid: 'ManageTheKeyActivityRules',
      Effect: 'Allow',
      Action: [...KEY_ACTIVITY_RULE_ACTIONS],
      // Rule names that CloudFormation generates start with the stack name.
      Resource: [`arn:aws:events:*:${account}:rule/${prefix}*`],
    },
  ];
  return statements.filter((statement): statement is PolicyStatement => statement !== false);
}

/**
 * The aliases of the keys of the cross-Region support stacks, in the pipeline account with an environment in
 * another account (none otherwise). CDK generates them (no project prefix), so the policies name each one exactly;
 * the keys themselves carry the project tag (lib/build-app.ts tags every key of the app), so the key statements
 * cover them. KMS authorizes an alias operation on the alias and on its key.
 */
export function supportAliasArns(config: KmsPipelineConfig, account: string = config.pipeline.account): string[] {
  return accountScope(config, account).supportKeyRegions.map(
    (region) => `arn:aws:kms:${region}:${account}:${supportStackAliasName(config, region)}`,
  );
}

/** What CloudFormation calls for a rule and its targets (the monitoring policy allows them with the bus). */
const KEY_ACTIVITY_RULE_ACTIONS: readonly string[] = [
  'events:PutRule',
  'events:DescribeRule',
  'events:DeleteRule',
  'events:PutTargets',
  'events:RemoveTargets',
  'events:ListTargetsByRule',
  'events:ListTagsForResource',
  'events:TagResource',
  'events:UntagResource',
];

/**
 * The second execution policy, attached beside {@link executionPolicy}: the alerts
 * topic, the key-activity bus and rules, the verification schedule and its alarms,
 * only on resources named with the project's prefix, and the CodeBuild projects and
 * report groups (the pipeline's and the scheduled verification's), which moved here
 * when the key statements outgrew the first policy's 6,144 characters.
 */
export function monitoringExecutionPolicy(config: KmsPipelineConfig): CustomerManagedPolicy {
  const name = monitoringExecutionPolicyName(config.projectName);
  const account = config.pipeline.account;
  const prefix = `${config.projectName}-`;
  const supportAliases = supportAliasArns(config);
  return {
    name,
    arn: customerManagedPolicyArn(account, name),
    document: {
      Version: '2012-10-17',
      Statement: [
        ...(accountScope(config, account).environments.length > 0 ? [multiRegionKeyServiceRoleStatement(account)] : []),
        {
          Sid: 'ManageTheAlertsTopic',
          Effect: 'Allow',
          Action: [
            'sns:CreateTopic',
            'sns:DeleteTopic',
            'sns:GetTopicAttributes',
            'sns:SetTopicAttributes',
            'sns:GetDataProtectionPolicy',
            'sns:ListSubscriptionsByTopic',
            'sns:Subscribe',
            'sns:Unsubscribe',
            'sns:GetSubscriptionAttributes',
            'sns:SetSubscriptionAttributes',
            'sns:ListTagsForResource',
            'sns:TagResource',
            'sns:UntagResource',
          ],
          Resource: [`arn:aws:sns:*:${account}:${prefix}*`],
        },
        {
          Sid: 'ManageTheKeyActivityBusAndRules',
          Effect: 'Allow',
          Action: ['events:CreateEventBus', 'events:DescribeEventBus', 'events:DeleteEventBus', ...KEY_ACTIVITY_RULE_ACTIONS],
          // Rule names that CloudFormation generates start with the stack name; a rule on the project's bus has the bus name first.
          Resource: [`arn:aws:events:*:${account}:event-bus/${prefix}*`, `arn:aws:events:*:${account}:rule/${prefix}*`],
        },
        {
          Sid: 'ManageTheVerificationScheduleAndAlarms',
          Effect: 'Allow',
          Action: [
            'scheduler:CreateSchedule',
            'scheduler:GetSchedule',
            'scheduler:UpdateSchedule',
            'scheduler:DeleteSchedule',
            'cloudwatch:PutMetricAlarm',
            'cloudwatch:DescribeAlarms',
            'cloudwatch:DeleteAlarms',
            'cloudwatch:ListTagsForResource',
            'cloudwatch:TagResource',
            'cloudwatch:UntagResource',
          ],
          Resource: [`arn:aws:scheduler:*:${account}:schedule/default/${prefix}*`, `arn:aws:cloudwatch:*:${account}:alarm:${prefix}*`],
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
            // Deleting a report group with DeleteReports deletes its reports first.
            'codebuild:ListReportsForReportGroup',
            'codebuild:DeleteReport',
          ],
          // CloudFormation names projects and report groups after their logical IDs, without the stack name.
          Resource: [`arn:aws:codebuild:*:${account}:project/*`, `arn:aws:codebuild:*:${account}:report-group/*`],
        },
        // Here rather than beside the project's aliases, for the first policy's 6,144 characters.
        ...(supportAliases.length === 0
          ? []
          : [
              {
                Sid: 'ManageTheSupportStackKeyAliases',
                Effect: 'Allow' as const,
                Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
                Resource: [...supportAliases, `arn:aws:kms:*:${account}:key/*`],
              },
            ]),
      ],
    },
  };
}
