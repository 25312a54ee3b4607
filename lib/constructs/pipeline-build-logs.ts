import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface PipelineBuildLogsProps {
  /**
   * Name of the log group. It is fixed rather than generated so that the key
   * policy can name the log group without a reference cycle (the log group
   * names the key, the key's policy names the log group).
   */
  readonly logGroupName: string;
  /**
   * The KMS key that encrypts the logs; CloudWatch Logs of this stack's Region
   * may use it for this log group only.
   */
  readonly encryptionKey: kms.IKey;
  /**
   * How long build logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
}

/**
 * The CloudWatch Logs log group of the pipeline's CodeBuild projects:
 * encrypted with a KMS key, kept for a set time, and retained when the stack
 * is deleted (build logs are the record of what the pipeline did).
 * `logging` is what `codeBuildDefaults.logging` takes.
 */
export class PipelineBuildLogs extends Construct {
  public readonly logGroup: logs.LogGroup;
  /** Logging options that send a CodeBuild project's logs to this log group. */
  public readonly logging: codebuild.LoggingOptions;

  constructor(scope: Construct, id: string, props: PipelineBuildLogsProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_\-/.#]{1,512}$/.test(props.logGroupName)) {
      throw new Error(`logGroupName must be 1 to 512 of A-Z a-z 0-9 _ - / . #, got ${JSON.stringify(props.logGroupName)}`);
    }
    const stack = Stack.of(this);
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: props.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // CloudWatch Logs encrypts with the key as its Regional service principal, for this log group's encryption context only.
    props.encryptionKey.grant(
      new iam.PrincipalWithConditions(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`), {
        ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn },
      }),
      'kms:Encrypt*',
      'kms:Decrypt*',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
      'kms:Describe*',
    );
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.retention ?? logs.RetentionDays.ONE_YEAR,
      // Kept when the stack is deleted or the group replaced; deleted when the create that made it rolls back,
      // so a retry of a failed first deploy does not stop on the fixed name.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.logging = { cloudWatch: { logGroup: this.logGroup } };
  }
}
