import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { EMAIL, MAX_ALERT_EMAILS } from '../config/config-schema';
import { denyGrantsNotForAwsResources } from './key-grant-guard';
import { CLOUDTRAIL_API_CALL, KMS_KEY_DELETION } from './key-activity-rules';

/** The services that publish the project's alerts: EventBridge (key activity) and CloudWatch (alarms). */
export const ALERT_PUBLISHERS: readonly string[] = ['events.amazonaws.com', 'cloudwatch.amazonaws.com'];

export interface KeyActivityAlertsProps {
  /** Name of the alerts topic; the key stacks do not need it, people subscribe to it. */
  readonly topicName: string;
  /** Name of the event bus to which every key Region forwards its key's activity. */
  readonly busName: string;
  /**
   * E-mail addresses subscribed to the topic; each must confirm the subscription.
   *
   * @default - no subscriptions
   */
  readonly emails?: readonly string[];
  /**
   * Other accounts whose key stacks forward their keys' activity to the bus (environments outside the pipeline
   * account): the bus lets them put events, and its rules take their events.
   *
   * @default - only this account
   */
  readonly sourceAccounts?: readonly string[];
}

/**
 * Where every alert of the project arrives, in the pipeline Region: an SNS topic
 * encrypted with its own key, which only EventBridge and CloudWatch of this
 * account may publish to, and the event bus that the key stacks' rules forward
 * to, with one rule per kind of event that writes a one-line message naming the
 * call, the key, the Region and the caller.
 */
export class KeyActivityAlerts extends Construct {
  public readonly topic: sns.Topic;
  public readonly topicKey: kms.Key;
  public readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: KeyActivityAlertsProps) {
    super(scope, id);
    const emails = props.emails ?? [];
    if (emails.length > MAX_ALERT_EMAILS) throw new Error(`emails must list at most ${MAX_ALERT_EMAILS} addresses, got ${emails.length}`);
    const badEmail = emails.find((e) => !EMAIL.test(e));
    if (badEmail !== undefined) throw new Error(`emails must be e-mail addresses, got ${JSON.stringify(badEmail)}`);
    const account = Stack.of(this).account;

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the messages of the alerts topic ${props.topicName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.topicKey.addToResourcePolicy(denyGrantsNotForAwsResources());
    // SNS encrypts a message with the publisher's permission on the key.
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheAlertPublishersToEncrypt',
        principals: ALERT_PUBLISHERS.map((service) => new iam.ServicePrincipal(service)),
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: 'KMS multi-region key alerts',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyEventBridgeAndCloudWatchOfThisAccountPublish',
        principals: ALERT_PUBLISHERS.map((service) => new iam.ServicePrincipal(service)),
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    for (const email of emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName });
    const sourceAccounts = [...new Set(props.sourceAccounts ?? [])].filter((other) => other !== account);
    if (sourceAccounts.length > 0) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'KeyActivityFromTheEnvironmentAccounts',
          principals: sourceAccounts.map((other) => new iam.AccountPrincipal(other)),
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          // Only the KMS events that the key stacks forward (EventBridge User Guide, "Example policy: Send events to a
          // custom bus in a different account", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-example-policy-cross-account-custom-bus-source.html).
          conditions: {
            'ForAllValues:StringEquals': { 'events:source': ['aws.kms'] },
            StringEquals: { 'events:detail-type': [CLOUDTRAIL_API_CALL, KMS_KEY_DELETION] },
          },
        }),
      );
    }
    const call = events.EventField.fromPath('$.detail.eventName');
    const field = (path: string) => events.EventField.fromPath(path);
    const { region, time } = events.EventField;
    const messages: Array<[string, string, string, string]> = [
      [
        'ApiCallsRule',
        CLOUDTRAIL_API_CALL,
        'the dangerous calls on the project key and alias',
        `KMS ${call} in ${region} at ${time} by ${field('$.detail.userIdentity.arn')}: key ${field('$.detail.requestParameters.keyId')}, ` +
          `alias ${field('$.detail.requestParameters.aliasName')}, replica Region ${field('$.detail.requestParameters.replicaRegion')}. ` +
          `See docs/runbooks/alerts.md, "${call}".`,
      ],
      [
        'DeletionRule',
        KMS_KEY_DELETION,
        'the deletion of the project key by KMS',
        `KMS deleted the key ${field('$.detail.key-id')} in ${region} at ${time} (a scheduled deletion completed). ` +
          'See docs/runbooks/alerts.md, "KMS CMK Deletion".',
      ],
    ];
    for (const [ruleId, detailType, what, message] of messages) {
      new events.Rule(this, ruleId, {
        eventBus: this.bus,
        description: `Sends ${what}, forwarded from every key Region, to the alerts topic`,
        eventPattern: { source: ['aws.kms'], detailType: [detailType], account: [account, ...sourceAccounts] },
        targets: [this.topicTarget(message)],
      });
    }
  }

  /**
   * The topic as a rule target, without the unconditioned topic-policy grant that
   * aws-cdk-lib's SnsTopic target adds: the topic policy above already lets
   * EventBridge of this account publish.
   */
  private topicTarget(message: string): events.IRuleTarget {
    const topicArn = this.topic.topicArn;
    return { bind: () => ({ arn: topicArn, input: events.RuleTargetInput.fromText(message) }) };
  }
}
