import { matchesPattern } from './event-pattern';

describe('the test matcher of EventBridge patterns', () => {
  const event = {
    source: 'aws.kms',
    'detail-type': 'AWS API Call via CloudTrail',
    detail: {
      eventName: 'DisableKey',
      requestParameters: { keyId: 'mrk-1', replicaRegion: 'eu-west-1' },
      resources: [{ ARN: 'arn:aws:kms:us-east-1:111122223333:alias/a' }, { ARN: 'arn:aws:kms:us-east-1:111122223333:key/mrk-1' }],
    },
  };

  test.each<[string, Record<string, unknown>, boolean]>([
    ['an exact value', { source: ['aws.kms'] }, true],
    ['another exact value', { source: ['aws.s3'] }, false],
    ['one of several values', { detail: { eventName: ['EnableKey', 'DisableKey'] } }, true],
    ['a field the event lacks', { detail: { userAgent: ['x'] } }, false],
    ['a wildcard', { detail: { resources: { ARN: [{ wildcard: 'arn:*:kms:*:111122223333:key/mrk-1' }] } } }, true],
    ['a wildcard on another key', { detail: { resources: { ARN: [{ wildcard: 'arn:*:kms:*:111122223333:key/mrk-2' }] } } }, false],
    ['a wildcard is anchored', { detail: { requestParameters: { keyId: [{ wildcard: 'mrk' }] } } }, false],
    ['a dot in a wildcard is literal', { source: [{ wildcard: 'aws*kms' }] }, true],
    [
      'anything-but a list that holds the value',
      { detail: { requestParameters: { replicaRegion: [{ 'anything-but': ['eu-west-1'] }] } } },
      false,
    ],
    [
      'anything-but a list without the value',
      { detail: { requestParameters: { replicaRegion: [{ 'anything-but': ['us-west-2'] }] } } },
      true,
    ],
    ['anything-but on a missing field', { detail: { requestParameters: { aliasName: [{ 'anything-but': ['x'] }] } } }, false],
    [
      '$or with one matching branch',
      { detail: { $or: [{ eventName: ['EnableKey'] }, { requestParameters: { keyId: ['mrk-1'] } }] } },
      true,
    ],
    [
      '$or with no matching branch',
      { detail: { $or: [{ eventName: ['EnableKey'] }, { requestParameters: { keyId: ['mrk-2'] } }] } },
      false,
    ],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  test('refuses an operator it does not implement, instead of guessing', () => {
    expect(() => matchesPattern({ source: [{ prefix: 'aws.' }] }, event)).toThrow(/unsupported matcher {"prefix":"aws."}/);
  });
});
