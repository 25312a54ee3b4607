import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Calls on the key itself that can make its ciphertext undecryptable, or move or weaken the key. */
export const DANGEROUS_KEY_CALLS: readonly string[] = [
  'ScheduleKeyDeletion',
  'DisableKey',
  'PutKeyPolicy',
  'UpdatePrimaryRegion',
  'DisableKeyRotation',
];
/** Calls that delete or repoint the project's alias. */
export const DANGEROUS_ALIAS_CALLS: readonly string[] = ['DeleteAlias', 'UpdateAlias'];
/** The `detail-type` of the API calls that CloudTrail delivers to EventBridge. */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';
/** The `detail-type` of the event that KMS sends when it has deleted a key. */
export const KMS_KEY_DELETION = 'KMS CMK Deletion';

export interface KeyActivityPatternProps {
  /** The key ID (`mrk-...`), the same in every Region; usually a deploy-time value. */
  readonly keyId: string;
  /** The project's alias of the key (`alias/...`). */
  readonly alias: string;
  /** The account that holds the key. */
  readonly account: string;
  /** Regions where a replica of the key belongs; `ReplicateKey` into any other Region is an alert. */
  readonly replicaRegions: readonly string[];
}

/**
 * The event patterns of the key's dangerous activity, in one place so that the
 * rules and the tests that replay AWS's sample events use the same ones.
 *
 * CloudTrail names the key in `detail.resources[].ARN` (KMS's records carry the
 * key ARN there) and in `detail.requestParameters.keyId` as the caller gave it
 * (the key ID or its ARN: these calls take no alias). The record that
 * UpdatePrimaryRegion writes in the new primary Region has no `resources`, so
 * both places are matched. The ARN is matched in any Region, since the key ID of
 * a multi-Region key is the same in every Region.
 */
export function keyActivityPatterns(props: KeyActivityPatternProps): { apiCalls: events.EventPattern; deletion: events.EventPattern } {
  const keyArn = { wildcard: `arn:*:kms:*:${props.account}:key/${props.keyId}` };
  return {
    apiCalls: {
      source: ['aws.kms'],
      detailType: [CLOUDTRAIL_API_CALL],
      detail: {
        eventSource: ['kms.amazonaws.com'],
        $or: [
          { eventName: [...DANGEROUS_KEY_CALLS], resources: { ARN: [keyArn] } },
          { eventName: [...DANGEROUS_KEY_CALLS], requestParameters: { keyId: [props.keyId, keyArn] } },
          {
            eventName: ['ReplicateKey'],
            requestParameters: { replicaRegion: [{ 'anything-but': [...props.replicaRegions] }] },
            resources: { ARN: [keyArn] },
          },
          { eventName: [...DANGEROUS_ALIAS_CALLS], requestParameters: { aliasName: [props.alias] } },
        ],
      },
    },
    deletion: {
      source: ['aws.kms'],
      detailType: [KMS_KEY_DELETION],
      detail: { 'key-id': [props.keyId] },
    },
  };
}

/** Where a key stack forwards its key's activity; the same for every key stack of an environment. */
export interface KeyActivityForwarding {
  /**
   * Region of the project's key-activity event bus (the pipeline Region); the
   * rules forward there, across Regions when the key is elsewhere.
   */
  readonly busRegion: string;
  /** Account of the project's key-activity event bus (the pipeline account); the rules forward there, across accounts when the key is elsewhere. */
  readonly busAccount: string;
  /** Name of the project's key-activity event bus. */
  readonly busName: string;
  /** Regions where a replica of the key belongs; `ReplicateKey` into any other Region is an alert. */
  readonly replicaRegions: readonly string[];
}

export interface KeyActivityRulesProps extends KeyActivityPatternProps, KeyActivityForwarding {}

/**
 * Rules on this Region's default event bus that forward the dangerous calls on
 * the project's key and alias, and KMS's deletion of the key, to the project's
 * key-activity bus in the pipeline Region, where one rule per kind sends them to
 * the alerts topic. A topic can only be a target in its own Region; a bus can be
 * one in any Region.
 */
export class KeyActivityRules extends Construct {
  public readonly apiCallsRule: events.Rule;
  public readonly deletionRule: events.Rule;
  /** The role with which EventBridge puts the events on the key-activity bus. */
  public readonly forwardingRole: iam.Role;

  constructor(scope: Construct, id: string, props: KeyActivityRulesProps) {
    super(scope, id);
    if (new Set(props.replicaRegions).size !== props.replicaRegions.length) {
      throw new Error(`replicaRegions must not repeat a Region, got ${JSON.stringify(props.replicaRegions)}`);
    }
    if (!/^alias\//.test(props.alias)) {
      throw new Error(`alias must start with "alias/", got ${JSON.stringify(props.alias)}`);
    }
    const stack = Stack.of(this);
    const busArn = Arn.format(
      {
        service: 'events',
        region: props.busRegion,
        account: props.busAccount,
        resource: 'event-bus',
        resourceName: props.busName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    );
    const bus = events.EventBus.fromEventBusArn(this, 'KeyActivityBus', busArn);
    // One role for both rules; EventBridge of this account only. The target grants it events:PutEvents on the bus.
    this.forwardingRole = new iam.Role(this, 'ForwardingRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': props.account } } }),
      description: `Forwards the activity of the key of ${props.alias} to ${props.busName} in ${props.busRegion}`,
    });
    const target = new targets.EventBus(bus, { role: this.forwardingRole });
    const patterns = keyActivityPatterns(props);
    this.apiCallsRule = new events.Rule(this, 'ApiCallsRule', {
      description: `Forwards ScheduleKeyDeletion, DisableKey, PutKeyPolicy, UpdatePrimaryRegion, DisableKeyRotation, ReplicateKey elsewhere and DeleteAlias/UpdateAlias of ${props.alias} to ${props.busName} in ${props.busRegion}`,
      eventPattern: patterns.apiCalls,
      targets: [target],
    });
    this.deletionRule = new events.Rule(this, 'DeletionRule', {
      description: `Forwards KMS's deletion of the key of ${props.alias} to ${props.busName} in ${props.busRegion}`,
      eventPattern: patterns.deletion,
      targets: [target],
    });
  }
}
