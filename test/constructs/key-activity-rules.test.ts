import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import {
  CLOUDTRAIL_API_CALL,
  DANGEROUS_ALIAS_CALLS,
  DANGEROUS_KEY_CALLS,
  KeyActivityPatternProps,
  keyActivityPatterns,
  KeyActivityRules,
  KeyActivityRulesProps,
} from '../../lib/constructs/key-activity-rules';
import { configWith, ROOT, synthesizeOnce, testApp } from '../helpers/app';
import { matchesPattern } from '../helpers/event-pattern';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'events');
const SAMPLE_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const SAMPLE_MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const OTHER_KEY_ID = '0987dcba-09fe-87dc-65ba-ab0987654321';

/** A CDK event pattern as EventBridge receives it (`detailType` is `detail-type`). */
function rendered(pattern: events.EventPattern): Record<string, unknown> {
  const { detailType, ...rest } = pattern;
  return { ...rest, ...(detailType === undefined ? {} : { 'detail-type': detailType }) };
}

function fixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
}

/** The event that EventBridge delivers for a CloudTrail entry of a KMS call. */
function cloudTrailEvent(record: any): Record<string, unknown> {
  return {
    version: '0',
    id: record.eventID,
    'detail-type': CLOUDTRAIL_API_CALL,
    source: 'aws.kms',
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

/** The same event about another key: every mention of the sample key replaced. */
function onAnotherKey(event: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(event)
      .split(SAMPLE_KEY_ID)
      .join(OTHER_KEY_ID)
      .split(SAMPLE_MRK_ID)
      .join(`mrk-${'f'.repeat(32)}`),
  );
}

function projectPatterns(keyId: string, replicaRegions: string[] = ['eu-west-1']) {
  const props: KeyActivityPatternProps = { keyId, alias: 'alias/my_alias', account: '111122223333', replicaRegions };
  const patterns = keyActivityPatterns(props);
  return { apiCalls: rendered(patterns.apiCalls), deletion: rendered(patterns.deletion) };
}

const DANGEROUS_SAMPLES: Array<[string, string]> = [
  ['cloudtrail-schedule-key-deletion', SAMPLE_KEY_ID],
  ['cloudtrail-disable-key', SAMPLE_KEY_ID],
  ['cloudtrail-put-key-policy', SAMPLE_KEY_ID],
  ['cloudtrail-disable-key-rotation', SAMPLE_KEY_ID],
  ['cloudtrail-update-primary-region-old-primary', SAMPLE_MRK_ID],
  ['cloudtrail-update-primary-region-new-primary', SAMPLE_MRK_ID],
  ['cloudtrail-delete-alias', SAMPLE_KEY_ID],
  ['cloudtrail-update-alias', SAMPLE_KEY_ID],
];

describe("AWS's sample events against the patterns of the project's key", () => {
  test.each(DANGEROUS_SAMPLES)('%s on the project key or alias matches', (name, keyId) => {
    expect(matchesPattern(projectPatterns(keyId).apiCalls, cloudTrailEvent(fixture(name).cloudTrailRecord))).toBe(true);
  });

  test.each(DANGEROUS_SAMPLES.filter(([name]) => !name.includes('alias')))('%s on another key does not match', (name, keyId) => {
    const event = onAnotherKey(cloudTrailEvent(fixture(name).cloudTrailRecord));
    expect(matchesPattern(projectPatterns(keyId).apiCalls, event)).toBe(false);
  });

  test.each(['cloudtrail-delete-alias', 'cloudtrail-update-alias'])('%s of another alias does not match', (name) => {
    const event = JSON.parse(
      JSON.stringify(cloudTrailEvent(fixture(name).cloudTrailRecord))
        .split('alias/my_alias')
        .join('alias/other'),
    );
    expect(matchesPattern(projectPatterns(SAMPLE_KEY_ID).apiCalls, event)).toBe(false);
  });

  test('ReplicateKey into a Region that is not configured matches; into a configured one it does not', () => {
    const event = cloudTrailEvent(fixture('cloudtrail-replicate-key').cloudTrailRecord);
    expect(fixture('cloudtrail-replicate-key').cloudTrailRecord.requestParameters.replicaRegion).toBe('us-west-2');
    expect(matchesPattern(projectPatterns(SAMPLE_KEY_ID, ['eu-west-1']).apiCalls, event)).toBe(true);
    expect(matchesPattern(projectPatterns(SAMPLE_KEY_ID, ['eu-west-1', 'us-west-2']).apiCalls, event)).toBe(false);
    expect(matchesPattern(projectPatterns(SAMPLE_KEY_ID, ['eu-west-1']).apiCalls, onAnotherKey(event))).toBe(false);
  });

  test.each(['cloudtrail-encrypt', 'cloudtrail-describe-key'])('the harmless %s on the project key does not match', (name) => {
    expect(matchesPattern(projectPatterns(SAMPLE_KEY_ID).apiCalls, cloudTrailEvent(fixture(name).cloudTrailRecord))).toBe(false);
  });

  test("KMS's own deletion event matches for the project key only", () => {
    const event = fixture('kms-cmk-deletion').event;
    expect(matchesPattern(projectPatterns(SAMPLE_KEY_ID).deletion, event)).toBe(true);
    expect(matchesPattern(projectPatterns(SAMPLE_KEY_ID).deletion, onAnotherKey(event))).toBe(false);
    expect(matchesPattern(projectPatterns(SAMPLE_KEY_ID).apiCalls, event)).toBe(false);
  });

  test('every call the patterns name has a sample here', () => {
    const sampled = new Set(
      fs
        .readdirSync(FIXTURES)
        .filter((f) => f.startsWith('cloudtrail-'))
        .map((f) => fixture(f.replace(/\.json$/, '')).cloudTrailRecord.eventName),
    );
    expect([...DANGEROUS_KEY_CALLS, ...DANGEROUS_ALIAS_CALLS, 'ReplicateKey'].filter((call) => !sampled.has(call))).toEqual([]);
  });
});

describe('the rules in every key stack', () => {
  const config = configWith();
  const synthesized = synthesizeOnce(config);
  const stacks: Array<[string, Stack, () => ReturnType<typeof synthesized.replicaTemplate>]> = [
    [config.environments[0].primaryRegion, synthesized.stack.primaryStage.keyStack, () => synthesized.primaryTemplate],
    ...synthesized.stack.replicaStages.map(
      (s) => [s.keyStack.region, s.keyStack, () => synthesized.replicaTemplate(s.keyStack.region)] as [string, Stack, () => any],
    ),
  ];
  const busArn = `arn:aws:events:${config.pipeline.region}:${config.pipeline.account}:event-bus/kms-mrk-key-activity`;

  describe.each(stacks)('in %s', (_region, stack, template) => {
    const keyId = (() => {
      const resources = template().toJSON().Resources;
      const [keyLogicalId, key] = Object.entries<any>(resources).find(
        ([, r]) => r.Type === 'AWS::KMS::Key' || r.Type === 'AWS::KMS::ReplicaKey',
      )!;
      // Ref of a key is its key ID; a replica gives it as the KeyId attribute.
      return key.Type === 'AWS::KMS::Key' ? { Ref: keyLogicalId } : { 'Fn::GetAtt': [keyLogicalId, 'KeyId'] };
    })();
    const expected = keyActivityPatterns({
      keyId: 'KEY_ID',
      alias: config.keys[0].alias,
      account: config.pipeline.account,
      replicaRegions: [...config.environments[0].replicaRegions],
    });
    /** The expected pattern with the key's own deploy-time KeyId where the test wrote KEY_ID. */
    const withKeyId = (pattern: events.EventPattern) =>
      JSON.parse(
        JSON.stringify(stack.resolve(rendered(pattern)))
          .split('"wildcard":"arn:*:kms:*:111111111111:key/KEY_ID"')
          .join(`"wildcard":{"Fn::Join":["",["arn:*:kms:*:111111111111:key/",${JSON.stringify(keyId)}]]}`)
          .split('"KEY_ID"')
          .join(JSON.stringify(keyId)),
      );

    test("forwards the dangerous calls on this key and the project's alias to the bus in the pipeline Region", () => {
      template().hasResourceProperties('AWS::Events::Rule', {
        EventPattern: withKeyId(expected.apiCalls),
        Targets: [Match.objectLike({ Arn: busArn, RoleArn: Match.anyValue() })],
      });
    });

    test("forwards KMS's deletion of this key", () => {
      template().hasResourceProperties('AWS::Events::Rule', {
        EventPattern: withKeyId(expected.deletion),
        Targets: [Match.objectLike({ Arn: busArn })],
      });
    });

    test('has exactly these two rules and one forwarding role, which may only put events on that bus', () => {
      template().resourceCountIs('AWS::Events::Rule', 2);
      template().hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': config.pipeline.account } },
            },
          ],
        },
      });
      template().hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: busArn }] },
      });
    });
  });
});

describe('the rules construct on its own', () => {
  const props = {
    keyId: 'mrk-1',
    alias: 'alias/a',
    account: '111122223333',
    busRegion: 'us-east-1',
    busAccount: '111122223333',
    busName: 'p-key-activity',
  };

  test.each<[string, Partial<KeyActivityRulesProps>, string]>([
    [
      'a repeated replica Region',
      { replicaRegions: ['eu-west-1', 'eu-west-1'] },
      'replicaRegions must not repeat a Region, got ["eu-west-1","eu-west-1"]',
    ],
    ['an alias without alias/', { alias: 'app-data', replicaRegions: [] }, 'alias must start with "alias/", got "app-data"'],
  ])('rejects %s', (_name, change, message) => {
    const stack = new Stack(testApp(), 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
    expect(() => new KeyActivityRules(stack, 'Rules', { ...props, replicaRegions: [], ...change })).toThrow(message);
  });
});
