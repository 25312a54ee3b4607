import { parseCommandLine, RunInputs, USAGE } from '../../scripts/verify-replication/inputs';
import { aliasProblem, MAX_KEYS, parseKeyList } from '../../scripts/verify-replication/key-list';
import { ACCOUNT_ID, keyArn, KEY_ID, OTHER_KEY_ID } from './fake-kms';
import { inputError } from './verify-replication.input-error';

/** The inputs a run over several keys shares: the Region lists. */
const SHARED_ENV = {
  REPLICA_REGIONS: 'eu-west-1,ap-southeast-2',
  NO_REPLICA_REGIONS: 'us-west-2',
};

const APP_DATA = { name: 'app-data', primaryKeyArn: keyArn('us-east-1'), alias: 'alias/app-data' };
const LOGS = { name: 'logs', primaryKeyArn: keyArn('us-east-1', OTHER_KEY_ID), expectKeyRotation: false };
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/kms-verify`;

/** A multi-region key ID that differs from the others by `n`. */
function keyId(n: number): string {
  return `mrk-${n.toString(16).padStart(32, '0')}`;
}

function inputs(argv: string[], env: Record<string, string | undefined>): RunInputs {
  const commandLine = parseCommandLine(argv, env);
  if (commandLine.help) {
    throw new Error('expected inputs, got --help');
  }
  return commandLine.inputs;
}

function withKeys(keys: unknown, env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...SHARED_ENV, VERIFY_KEYS: typeof keys === 'string' ? keys : JSON.stringify(keys), ...env };
}

describe('a key list', () => {
  test('gives every key its name, primary, alias and rotation; the Region lists are shared', () => {
    expect(inputs([], withKeys([APP_DATA, LOGS]))).toStrictEqual({
      keys: [
        {
          name: 'app-data',
          primaryKey: { arn: APP_DATA.primaryKeyArn, partition: 'aws', region: 'us-east-1', accountId: ACCOUNT_ID, keyId: KEY_ID },
          alias: 'alias/app-data',
          expectKeyRotation: true,
        },
        {
          name: 'logs',
          primaryKey: { arn: LOGS.primaryKeyArn, partition: 'aws', region: 'us-east-1', accountId: ACCOUNT_ID, keyId: OTHER_KEY_ID },
          alias: undefined,
          expectKeyRotation: false,
        },
      ],
      replicaRegions: ['eu-west-1', 'ap-southeast-2'],
      noReplicaRegions: ['us-west-2'],
      retiredReplicaRegions: [],
      reportPath: 'reports/verify-replication.xml',
      timeoutMs: 10_000,
      maxAttempts: 3,
      permissionWaitSeconds: 0,
      roleArn: undefined,
    });
  });

  test('--keys wins over VERIFY_KEYS, and --role-arn over VERIFY_ROLE_ARN', () => {
    const otherRole = `arn:aws:iam::${ACCOUNT_ID}:role/from-flag`;

    const run = inputs(['--keys', JSON.stringify([LOGS]), '--role-arn', otherRole], withKeys([APP_DATA], { VERIFY_ROLE_ARN: ROLE_ARN }));

    expect(run.keys.map((key) => key.name)).toEqual(['logs']);
    expect(run.roleArn).toBe(otherRole);
  });

  test('takes the role from VERIFY_ROLE_ARN with a single key too', () => {
    expect(inputs([], { ...SHARED_ENV, PRIMARY_KEY_ARN: keyArn('us-east-1'), VERIFY_ROLE_ARN: ` ${ROLE_ARN} ` }).roleArn).toBe(ROLE_ARN);
  });

  test.each([
    ['one key', 1],
    [`${MAX_KEYS} keys`, MAX_KEYS],
  ])('accepts %s', (_label, count) => {
    const keys = Array.from({ length: count }, (_, n) => ({ name: `key-${n}`, primaryKeyArn: keyArn('us-east-1', keyId(n)) }));

    expect(inputs([], withKeys(keys)).keys).toHaveLength(count);
  });

  test.each(['0', 'a', `a${'-'.repeat(62)}b`, `${'9'.repeat(64)}`])('accepts the name %s', (name) => {
    expect(inputs([], withKeys([{ ...APP_DATA, name }])).keys[0].name).toBe(name);
  });

  test('accepts keys without an alias next to one with it, and an alias of 250 characters', () => {
    const alias = `alias/${'a'.repeat(250)}`;
    const keys = inputs([], withKeys([{ ...APP_DATA, alias }, LOGS, { name: 'third', primaryKeyArn: keyArn('us-east-1', keyId(3)) }])).keys;

    expect(keys.map((key) => key.alias)).toEqual([alias, undefined, undefined]);
  });

  test('accepts role ARNs with a path and with every character IAM allows in a name', () => {
    for (const role of [
      `arn:aws:iam::${ACCOUNT_ID}:role/service-role/team/kms-verify`,
      `arn:aws:iam::${ACCOUNT_ID}:role/a/r`,
      // IAM paths are at most 512 characters with their first and last slash.
      `arn:aws:iam::${ACCOUNT_ID}:role/${'p'.repeat(510)}/r`,
      `arn:aws:iam::${ACCOUNT_ID}:role/Az09+=,.@_-`,
      `arn:aws:iam::${ACCOUNT_ID}:role/${'r'.repeat(64)}`,
      `arn:aws-us-gov:iam::${ACCOUNT_ID}:role/r`,
    ]) {
      const partition = role.split(':')[1];
      const region = partition === 'aws' ? 'us-east-1' : 'us-gov-west-1';
      const primaryKeyArn = `arn:${partition}:kms:${region}:${ACCOUNT_ID}:key/${KEY_ID}`;
      expect(inputs(['--role-arn', role], withKeys([{ name: 'k', primaryKeyArn }])).roleArn).toBe(role);
    }
  });

  test('the usage documents the key list, the role and the variables that set them', () => {
    expect(USAGE).toMatch(/--keys <json> +\[VERIFY_KEYS\]/);
    expect(USAGE).toMatch(/--role-arn <arn> +\[VERIFY_ROLE_ARN\]/);
    expect(USAGE).toContain(`1 to ${MAX_KEYS} keys`);
    expect(USAGE).toContain('AWS_ENDPOINT_URL_STS');
  });
});

describe('a bad key list or role is one line naming the input and the value', () => {
  const second = (entry: Record<string, unknown>) => [APP_DATA, entry];

  test.each([
    [
      'the key list next to a single-key input',
      [],
      withKeys([APP_DATA], { PRIMARY_KEY_ARN: keyArn('us-east-1') }),
      "VERIFY_KEYS (--keys) and PRIMARY_KEY_ARN (--primary-key-arn) are both set: set only VERIFY_KEYS, with each key's alias and expectKeyRotation in its entry, or only the single-key inputs",
    ],
    [
      'the key list next to an alias flag',
      ['--alias', 'alias/app-data'],
      withKeys([APP_DATA]),
      "VERIFY_KEYS (--keys) and KEY_ALIAS (--alias) are both set: set only VERIFY_KEYS, with each key's alias and expectKeyRotation in its entry, or only the single-key inputs",
    ],
    [
      'the key list next to the rotation input',
      [],
      withKeys([APP_DATA], { EXPECT_KEY_ROTATION: 'false' }),
      "VERIFY_KEYS (--keys) and EXPECT_KEY_ROTATION (--expect-key-rotation) are both set: set only VERIFY_KEYS, with each key's alias and expectKeyRotation in its entry, or only the single-key inputs",
    ],
    [
      'an object instead of a list',
      [],
      withKeys(APP_DATA),
      `VERIFY_KEYS (--keys) must be a JSON list of keys, got ${JSON.stringify(APP_DATA)}: set it to a JSON list such as ` +
        '[{"name":"app-data","primaryKeyArn":"arn:aws:kms:us-east-1:111122223333:key/mrk-...","alias":"alias/app-data"}]',
    ],
    ['an empty list', [], withKeys([]), 'VERIFY_KEYS (--keys) lists no key: list at least one'],
    [
      'too many keys',
      [],
      withKeys(Array.from({ length: MAX_KEYS + 1 }, (_, n) => ({ name: `key-${n}`, primaryKeyArn: keyArn('us-east-1', keyId(n)) }))),
      `VERIFY_KEYS (--keys) lists ${MAX_KEYS + 1} keys, more than ${MAX_KEYS}: verify them in several runs`,
    ],
    [
      'a string entry',
      [],
      withKeys([APP_DATA, 'logs']),
      'VERIFY_KEYS (--keys) [1] must be an object with name and primaryKeyArn, got "logs"',
    ],
    ['a null entry', [], withKeys([null]), 'VERIFY_KEYS (--keys) [0] must be an object with name and primaryKeyArn, got null'],
    [
      'a list entry',
      [],
      withKeys([[APP_DATA]]),
      `VERIFY_KEYS (--keys) [0] must be an object with name and primaryKeyArn, got [${JSON.stringify(APP_DATA)}]`,
    ],
    [
      'an unknown field',
      [],
      withKeys(second({ ...LOGS, primaryKeyARN: LOGS.primaryKeyArn })),
      'VERIFY_KEYS (--keys) [1] has the unknown field "primaryKeyARN": use name, primaryKeyArn, alias, expectKeyRotation',
    ],
    [
      'a key without a name',
      [],
      withKeys([{ primaryKeyArn: APP_DATA.primaryKeyArn }]),
      'VERIFY_KEYS (--keys) [0].name must be 1 to 64 of a-z 0-9 - starting with a letter or digit, got nothing',
    ],
    ...['App-Data', 'app data', '-app', '', 'a'.repeat(65)].map((name) => [
      `the name "${name}"`,
      [],
      withKeys([{ ...APP_DATA, name }]),
      `VERIFY_KEYS (--keys) [0].name must be 1 to 64 of a-z 0-9 - starting with a letter or digit, got "${name}"`,
    ]),
    [
      'a number as name',
      [],
      withKeys([{ ...APP_DATA, name: 7 }]),
      'VERIFY_KEYS (--keys) [0].name must be 1 to 64 of a-z 0-9 - starting with a letter or digit, got 7',
    ],
    [
      'a key without an ARN',
      [],
      withKeys(second({ name: 'logs' })),
      'VERIFY_KEYS (--keys) [1].primaryKeyArn must be the ARN of the primary multi-region key, got nothing',
    ],
    [
      'a single-Region key',
      [],
      withKeys(second({ name: 'logs', primaryKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab` })),
      'VERIFY_KEYS (--keys) [1].primaryKeyArn has key ID "1234abcd-12ab-34cd-56ef-1234567890ab", which is not a multi-region key ID (mrk- followed by 32 hex digits)',
    ],
    [
      'an alias without prefix',
      [],
      withKeys(second({ ...LOGS, alias: 'logs' })),
      'VERIFY_KEYS (--keys) [1].alias must start with "alias/", got "logs"',
    ],
    [
      'an AWS managed alias',
      [],
      withKeys([{ ...APP_DATA, alias: 'alias/aws/s3' }]),
      'VERIFY_KEYS (--keys) [0].alias must not be under "alias/aws/", which is reserved for AWS managed keys, got "alias/aws/s3"',
    ],
    [
      'an alias that is not a string',
      [],
      withKeys([{ ...APP_DATA, alias: true }]),
      'VERIFY_KEYS (--keys) [0].alias must be a string, got true',
    ],
    [
      'rotation as a string',
      [],
      withKeys([{ ...APP_DATA, expectKeyRotation: 'true' }]),
      'VERIFY_KEYS (--keys) [0].expectKeyRotation must be true or false, got "true"',
    ],
    [
      'two keys of one name',
      [],
      withKeys([APP_DATA, { ...LOGS, name: 'app-data' }]),
      'VERIFY_KEYS (--keys) [1].name "app-data" is also the name of [0]: give each key its own name',
    ],
    [
      'one key twice',
      [],
      withKeys([APP_DATA, LOGS, { name: 'again', primaryKeyArn: LOGS.primaryKeyArn }]),
      `VERIFY_KEYS (--keys) [2].primaryKeyArn ${LOGS.primaryKeyArn} is also the key of [1]: list each key once`,
    ],
    [
      'one alias for two keys',
      [],
      withKeys([APP_DATA, { ...LOGS, alias: APP_DATA.alias }]),
      'VERIFY_KEYS (--keys) [1].alias "alias/app-data" is also the alias of [0]: an alias names one key',
    ],
    [
      'a key in another account',
      [],
      withKeys([APP_DATA, { ...LOGS, primaryKeyArn: `arn:aws:kms:us-east-1:222222222222:key/${OTHER_KEY_ID}` }]),
      'VERIFY_KEYS (--keys) [1].primaryKeyArn is in account 222222222222 and Region us-east-1, but [0] is in account ' +
        '111111111111 and Region us-east-1: verify the keys of one account and primary Region per run',
    ],
    [
      'a key with its primary in another Region',
      [],
      withKeys([APP_DATA, LOGS, { name: 'eu', primaryKeyArn: keyArn('eu-central-1', keyId(3)) }]),
      'VERIFY_KEYS (--keys) [2].primaryKeyArn is in account 111111111111 and Region eu-central-1, but [0] is in account ' +
        '111111111111 and Region us-east-1: verify the keys of one account and primary Region per run',
    ],
    [
      "a replica Region that is the keys' primary Region",
      ['--replica-regions', 'us-east-1'],
      withKeys([APP_DATA]),
      'REPLICA_REGIONS (--replica-regions) includes us-east-1, the primary Region of VERIFY_KEYS: remove it',
    ],
    [
      'a user ARN as role',
      ['--role-arn', `arn:aws:iam::${ACCOUNT_ID}:user/kms-verify`],
      withKeys([APP_DATA]),
      `VERIFY_ROLE_ARN (--role-arn) must be an IAM role ARN such as arn:aws:iam::111122223333:role/kms-verify, got "arn:aws:iam::${ACCOUNT_ID}:user/kms-verify"`,
    ],
    ...[
      'kms-verify',
      `arn:aws:iam::1111111111:role/kms-verify`,
      `arn:aws:iam::${ACCOUNT_ID}1:role/kms-verify`,
      `arn:aws:iam:us-east-1:${ACCOUNT_ID}:role/kms-verify`,
      `arn:aws:sts::${ACCOUNT_ID}:assumed-role/kms-verify/session`,
      `arn:aws:iam::${ACCOUNT_ID}:role/`,
      `arn:aws:iam::${ACCOUNT_ID}:role/${'r'.repeat(65)}`,
      `arn:aws:iam::${ACCOUNT_ID}:role/kms verify`,
      `arn:aws:iam::${ACCOUNT_ID}:role/path//`,
      `arn:aws:iam::${ACCOUNT_ID}:role//r`,
      `arn:aws:iam::${ACCOUNT_ID}:role/${'p'.repeat(511)}/r`,
      `xarn:aws:iam::${ACCOUNT_ID}:role/kms-verify`,
      `arn:aws:iam::${ACCOUNT_ID}:role/kms-verify/x y`,
      `arn:awsx:iam::${ACCOUNT_ID}:role/kms-verify`,
    ].map((role) => [
      `the role ${role}`,
      [],
      withKeys([APP_DATA], { VERIFY_ROLE_ARN: role }),
      `VERIFY_ROLE_ARN (--role-arn) must be an IAM role ARN such as arn:aws:iam::111122223333:role/kms-verify, got "${role}"`,
    ]),
    [
      'a role in another partition than the keys',
      ['--role-arn', `arn:aws-cn:iam::${ACCOUNT_ID}:role/kms-verify`],
      withKeys([APP_DATA]),
      'VERIFY_ROLE_ARN (--role-arn) is in the partition aws-cn, the keys in aws, ' +
        `got "arn:aws-cn:iam::${ACCOUNT_ID}:role/kms-verify": use a role of the keys' partition`,
    ],
  ] as [string, string[], Record<string, string | undefined>, string][])('%s', (_label, argv, env, message) => {
    expect(inputError(argv, env)).toBe(message);
  });

  test('invalid JSON: the parser says where, and the message shows the shape to use', () => {
    expect(inputError([], withKeys('[{"name": "app-data",\n}]'))).toMatch(
      /^VERIFY_KEYS \(--keys\) is not valid JSON \([^)\n]*JSON[^\n]*\): set it to a JSON list such as \[\{"name":"app-data","primaryKeyArn":/,
    );
  });
});

describe('the key list parser alone', () => {
  test('answers a list of keys, or a sentence without the input name', () => {
    expect(parseKeyList(JSON.stringify([APP_DATA]))).toMatchObject([
      { name: 'app-data', alias: 'alias/app-data', expectKeyRotation: true },
    ]);
    expect(parseKeyList('[]')).toBe('lists no key: list at least one');
  });

  test.each([
    ['alias/app-data', undefined],
    ['alias/a', undefined],
    ['alias/awsome', undefined],
    ['alias/ok/nested_name-1', undefined],
    ['Alias/app', 'must start with "alias/"'],
    ['alias/AWS/x', 'must not be under "alias/aws/", which is reserved for AWS managed keys'],
    ['alias/', 'must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -'],
    ['alias/a b', 'must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -'],
    [' alias/a', 'must start with "alias/"'],
    ['alias/a ', 'must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -'],
  ])('the alias %j: %s', (alias, problem) => {
    expect(aliasProblem(alias)).toBe(problem);
  });
});
