/**
 * The synthesized stacks as they would stand deployed: every intrinsic function
 * resolved to the physical names and ARNs CloudFormation would give, so that IAM
 * requests can name real-looking resources. Generated names follow
 * CloudFormation's pattern (stack name, logical ID, random suffix; CodeBuild
 * projects and report groups without the stack name), with a fixed suffix.
 */
import { createHash } from 'crypto';
import { App } from 'aws-cdk-lib';
import { KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { synthesizeOnce } from '../helpers/app';

export interface DeployedStack {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: any;
  /** Resolves a template value (intrinsic functions included) to what it is once deployed. */
  resolve(value: unknown): any;
  /** The physical ID of a resource (what `Ref` returns for most types). */
  physicalId(logicalId: string): string;
  /** The ARN of a resource (what `Fn::GetAtt [id, Arn]` returns). */
  arnOf(logicalId: string): string;
  resources(): Array<[string, any]>;
}

/**
 * Every stack of the app built from `config`: pipeline, support and stage stacks. The app is synthesized once per
 * configuration (`synthesizeOnce`), shared with the other tests of the process that synthesize the same one.
 */
export function deployedStacks(config: KmsPipelineConfig): { app: App; stacks: DeployedStack[] } {
  const { app } = synthesizeOnce(config);
  const stacks = app
    .synth()
    .stacksRecursively.map((artifact) =>
      deployedStack(artifact.stackName, artifact.environment.account, artifact.environment.region, artifact.template),
    );
  return { app, stacks };
}

const SUFFIX = 'A1B2C3D4E5F6';

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function generatedName(stackName: string, logicalId: string, max: number, withStack = true): string {
  return `${withStack ? `${stackName}-` : ''}${logicalId}`.slice(0, max - SUFFIX.length - 1) + `-${SUFFIX}`;
}

export function deployedStack(stackName: string, account: string, region: string, template: any): DeployedStack {
  const resources: Record<string, any> = template.Resources ?? {};

  const physicalId = (logicalId: string): string => {
    const resource = resources[logicalId];
    if (resource === undefined) throw new Error(`${stackName} has no resource ${logicalId}`);
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return p.BucketName !== undefined ? resolve(p.BucketName) : generatedName(stackName, logicalId, 63).toLowerCase();
      case 'AWS::IAM::Role':
        return p.RoleName !== undefined ? resolve(p.RoleName) : generatedName(stackName, logicalId, 64);
      case 'AWS::Lambda::Function':
        return p.FunctionName !== undefined ? resolve(p.FunctionName) : generatedName(stackName, logicalId, 64);
      case 'AWS::Logs::LogGroup':
        return p.LogGroupName !== undefined ? resolve(p.LogGroupName) : generatedName(stackName, logicalId, 512);
      case 'AWS::CodeBuild::Project':
        return p.Name !== undefined ? resolve(p.Name) : generatedName(stackName, logicalId, 150, false);
      case 'AWS::CodeBuild::ReportGroup':
        // Ref of a report group is its ARN.
        return `arn:aws:codebuild:${region}:${account}:report-group/${p.Name !== undefined ? resolve(p.Name) : generatedName(stackName, logicalId, 128, false)}`;
      case 'AWS::CodePipeline::Pipeline':
        return p.Name !== undefined ? resolve(p.Name) : generatedName(stackName, logicalId, 100);
      case 'AWS::KMS::Key':
        return p.MultiRegion === true
          ? `mrk-${hex(`${account}/${stackName}/${logicalId}`, 32)}`
          : uuid(`${account}/${region}/${stackName}/${logicalId}`);
      case 'AWS::KMS::ReplicaKey':
        // A replica has the key ID of its primary, which arrives through the parameter reader.
        return keyIdOfArn(resolve(p.PrimaryKeyArn));
      case 'AWS::KMS::Alias':
        return resolve(p.AliasName);
      case 'AWS::SSM::Parameter':
        return resolve(p.Name);
      case 'AWS::IAM::Policy':
        return resolve(p.PolicyName);
      case 'AWS::SNS::Topic':
        // Ref of a topic is its ARN.
        return `arn:aws:sns:${region}:${account}:${p.TopicName !== undefined ? resolve(p.TopicName) : generatedName(stackName, logicalId, 256)}`;
      case 'AWS::Events::EventBus':
        return resolve(p.Name);
      case 'AWS::Events::Rule':
        return p.Name !== undefined ? resolve(p.Name) : generatedName(stackName, logicalId, 64);
      case 'AWS::Scheduler::Schedule':
        return p.Name !== undefined ? resolve(p.Name) : generatedName(stackName, logicalId, 64);
      case 'AWS::CloudWatch::Alarm':
        return p.AlarmName !== undefined ? resolve(p.AlarmName) : generatedName(stackName, logicalId, 255);
      default:
        return `${logicalId}-${SUFFIX}`;
    }
  };

  const arnOf = (logicalId: string): string => {
    const type = resources[logicalId]?.Type;
    const id = physicalId(logicalId);
    switch (type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${id}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${id}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${id}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${id}:*`;
      case 'AWS::CodeBuild::Project':
        return `arn:aws:codebuild:${region}:${account}:project/${id}`;
      case 'AWS::CodeBuild::ReportGroup':
        return id;
      case 'AWS::CodePipeline::Pipeline':
        return `arn:aws:codepipeline:${region}:${account}:${id}`;
      case 'AWS::KMS::Key':
      case 'AWS::KMS::ReplicaKey':
        return `arn:aws:kms:${region}:${account}:key/${id}`;
      case 'AWS::SSM::Parameter':
        return `arn:aws:ssm:${region}:${account}:parameter${id.startsWith('/') ? '' : '/'}${id}`;
      case 'AWS::SNS::Topic':
        return id;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${region}:${account}:event-bus/${id}`;
      case 'AWS::Scheduler::Schedule':
        return `arn:aws:scheduler:${region}:${account}:schedule/${resolve(resources[logicalId].Properties.GroupName ?? 'default')}/${id}`;
      case 'AWS::CloudWatch::Alarm':
        return `arn:aws:cloudwatch:${region}:${account}:alarm:${id}`;
      default:
        throw new Error(`no ARN known for ${type} ${logicalId}`);
    }
  };

  const getAtt = (logicalId: string, attribute: string): string => {
    const type = resources[logicalId]?.Type;
    if (attribute === 'Arn') return arnOf(logicalId);
    if (type === 'AWS::KMS::Key' || type === 'AWS::KMS::ReplicaKey') {
      if (attribute === 'KeyId') return physicalId(logicalId);
    }
    if (type === 'AWS::S3::Bucket' && attribute === 'DomainName') return `${physicalId(logicalId)}.s3.amazonaws.com`;
    if (type === 'AWS::IAM::Role' && attribute === 'RoleId') return `AROA${hex(logicalId, 17).toUpperCase()}`;
    if (typeof type === 'string' && type.startsWith('Custom::') && attribute === 'Value') {
      // The cross-Region reader returns the primary key ARN of the primary Region.
      return `arn:aws:kms:${String(resources[logicalId].Properties.ParameterRegion)}:${account}:key/mrk-${hex(`${account}/primary`, 32)}`;
    }
    return `${logicalId}.${attribute}`;
  };

  // `Ref: AWS::NoValue` removes the property or list item that holds it, as CloudFormation does.
  function resolve(value: unknown): any {
    if (Array.isArray(value)) return value.map(resolve).filter((item) => item !== undefined);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0] as [string, any];
      switch (fn) {
        case 'Ref':
          return ref(arg);
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          return getAtt(id, attribute);
        }
        case 'Fn::Join':
          return (resolve(arg[1]) as unknown[]).join(arg[0]);
        case 'Fn::Select':
          return resolve(arg[1])[Number(resolve(arg[0]))];
        case 'Fn::Split':
          return String(resolve(arg[1])).split(arg[0]);
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
          return String(text).replace(/\$\{([^}]+)\}/g, (_m, name: string) =>
            vars[name] !== undefined
              ? resolve(vars[name])
              : name.includes('.')
                ? getAtt(...(name.split('.') as [string, string]))
                : ref(name),
          );
        }
        case 'Fn::If':
          return resolve(arg[1]);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]).filter(([, v]) => v !== undefined));
  }

  function ref(name: string): any {
    switch (name) {
      case 'AWS::AccountId':
        return account;
      case 'AWS::Region':
        return region;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::NoValue':
        return undefined;
    }
    if (template.Parameters?.[name] !== undefined) return template.Parameters[name].Default ?? `parameter-${name}`;
    return physicalId(name);
  }

  return {
    stackName,
    account,
    region,
    template,
    resolve,
    physicalId,
    arnOf,
    resources: () => Object.entries(resources),
  };
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function keyIdOfArn(arn: string): string {
  return String(arn).split('/').pop() ?? '';
}

/** The permissions boundary ARN of every role of `stacks`, by role name. */
export function roleBoundaries(stacks: readonly DeployedStack[]): Map<string, string> {
  return new Map(
    stacks.flatMap((stack) =>
      stack
        .resources()
        .filter(([, r]) => r.Type === 'AWS::IAM::Role')
        .map(([id, r]) => [stack.physicalId(id), stack.resolve(r.Properties.PermissionsBoundary)] as [string, string]),
    ),
  );
}

/**
 * The key policy of every key and replica key of `stacks`, by key ARN: KMS authorizes a call on a key only if the
 * key policy allows it (here through its delegation to the account).
 */
export function keyPolicies(stacks: readonly DeployedStack[]): Map<string, any> {
  return new Map(
    stacks.flatMap((stack) =>
      stack
        .resources()
        .filter(([, r]) => r.Type === 'AWS::KMS::Key' || r.Type === 'AWS::KMS::ReplicaKey')
        .map(([id, r]) => [stack.arnOf(id), stack.resolve(r.Properties.KeyPolicy)] as [string, any]),
    ),
  );
}
