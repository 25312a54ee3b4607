import * as fs from 'fs';
import * as path from 'path';
import { Arn, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { controlTowerRule } from '../control-tower-checks';

/** The handler, deployed inline (CloudFormation `ZipFile`) so the stack has no asset to publish. */
const HANDLER_FILE = path.join(__dirname, 'cross-region-parameter-reader.handler.js');
/** The handler's size budget: small enough to read in one sitting and to inline anywhere. */
const INLINE_CODE_LIMIT = 4096;

export interface CrossRegionParameterReaderProps {
  /** Name of the SSM parameter to read, starting with `/`. */
  readonly parameterName: string;
  /** Region that holds the parameter. */
  readonly parameterRegion: string;
  /**
   * A value whose change makes CloudFormation read the parameter again.
   *
   * Use something that changes exactly when a re-read can matter and is the
   * same for two synths of the same input, such as the source commit; never a
   * clock or a random value, which would make every synth different.
   *
   * @default 'static' - read once, on create
   */
  readonly refreshToken?: string;
  /**
   * How long the reader's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Reads an SSM parameter that lives in another Region, at deploy time.
 *
 * CloudFormation cannot pass stack outputs across Regions. This custom
 * resource reads the value where it is and hands it to this stack. It checks
 * that the value is a multi-region key ARN of the parameter's Region, so a
 * wrong parameter fails the deploy instead of replicating the wrong key. Its
 * role may read that one parameter and write its own log group, nothing else.
 */
export class CrossRegionParameterReader extends Construct {
  /** The parameter's value, as a deploy-time token. */
  public readonly value: string;
  /** ARN of the parameter that is read. */
  public readonly parameterArn: string;

  constructor(scope: Construct, id: string, props: CrossRegionParameterReaderProps) {
    super(scope, id);
    if (!/^\/[A-Za-z0-9_.\-/]+$/.test(props.parameterName)) {
      throw new Error(`parameterName must start with "/" and hold only A-Z a-z 0-9 _ . - /, got ${JSON.stringify(props.parameterName)}`);
    }
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(props.parameterRegion)) {
      throw new Error(`parameterRegion must be a Region name such as us-east-1, got ${JSON.stringify(props.parameterRegion)}`);
    }
    const code = fs.readFileSync(HANDLER_FILE, 'utf8');
    if (code.length >= INLINE_CODE_LIMIT) {
      throw new Error(`the reader handler must stay under ${INLINE_CODE_LIMIT} characters to be inlined, got ${code.length}`);
    }

    const stack = Stack.of(this);
    this.parameterArn = Arn.format(
      { service: 'ssm', region: props.parameterRegion, resource: 'parameter', resourceName: props.parameterName.slice(1) },
      stack,
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(logGroup).acknowledge({
      id: controlTowerRule('cloudwatch_log_group_encrypted_check'),
      reason:
        'CT.CLOUDWATCH.PR.3: the reader logs one line per deploy (the request type and its outcome, or the error); a customer managed key for that would cost 1 USD a month in every replica Region, and the replica key cannot serve, being created from what the reader returns.',
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Reads ${props.parameterName} in ${props.parameterRegion} for ${stack.stackName}`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [this.parameterArn] }));
    logGroup.grantWrite(role);

    const handler = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(code),
      role,
      logGroup,
      timeout: Duration.seconds(30),
      memorySize: 128,
      description: `Reads the primary key ARN parameter from ${props.parameterRegion}`,
    });
    // The role's policy must exist before CloudFormation invokes the handler.
    handler.node.addDependency(role);
    Validations.of(handler).acknowledge({
      id: controlTowerRule('lambda_inside_vpc_check'),
      reason:
        'CT.LAMBDA.PR.3: the 3 KB reader calls one API, ssm:GetParameter in the primary Region, at deploy time; a VPC would need subnets, a NAT gateway or an SSM endpoint in every replica Region, for a call that reads one public ARN.',
    });

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::CrossRegionParameterReader',
      // A handler that dies before it answers would otherwise hold the stack for an hour.
      serviceTimeout: Duration.minutes(5),
      properties: {
        ParameterName: props.parameterName,
        ParameterRegion: props.parameterRegion,
        SourceVersion: props.refreshToken ?? 'static',
      },
    });
    this.value = resource.getAttString('Value');
  }
}
