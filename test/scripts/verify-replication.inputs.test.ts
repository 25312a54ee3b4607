import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_REPORT_PATH,
  DEFAULT_TIMEOUT_MS,
  parseCommandLine,
  KeyInputs,
  RunInputs,
  USAGE,
} from '../../scripts/verify-replication/inputs';
import { isAwsRegionName, keyArnInRegion, parseMultiRegionKeyArn } from '../../scripts/verify-replication/key-arn';
import { keyArn, KEY_ID } from './fake-kms';
import { inputError } from './verify-replication.input-error';

const PRIMARY_ARN = keyArn('us-east-1');

const VALID_ENV = {
  PRIMARY_KEY_ARN: PRIMARY_ARN,
  REPLICA_REGIONS: 'eu-west-1,ap-southeast-2',
  NO_REPLICA_REGIONS: 'us-west-2',
};

function inputs(argv: string[], env: Record<string, string | undefined> = VALID_ENV): RunInputs {
  const commandLine = parseCommandLine(argv, env);
  if (commandLine.help) {
    throw new Error('expected inputs, got --help');
  }
  return commandLine.inputs;
}

/** The one key of a single-key run. */
function onlyKey(argv: string[], env: Record<string, string | undefined> = VALID_ENV): KeyInputs {
  const { keys } = inputs(argv, env);
  expect(keys).toHaveLength(1);
  return keys[0];
}

describe('valid input', () => {
  test('reads the environment and applies the defaults', () => {
    expect(inputs([])).toStrictEqual({
      keys: [
        {
          primaryKey: { arn: PRIMARY_ARN, partition: 'aws', region: 'us-east-1', accountId: '111111111111', keyId: KEY_ID },
          alias: undefined,
          expectKeyRotation: true,
        },
      ],
      replicaRegions: ['eu-west-1', 'ap-southeast-2'],
      noReplicaRegions: ['us-west-2'],
      retiredReplicaRegions: [],
      roleArn: undefined,
      reportPath: DEFAULT_REPORT_PATH,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      permissionWaitSeconds: 0,
    });
    expect(DEFAULT_REPORT_PATH).toBe('reports/verify-replication.xml');
  });

  test('flags override the environment', () => {
    const env = {
      ...VALID_ENV,
      RETIRED_REPLICA_REGIONS: 'eu-west-3',
      KEY_ALIAS: 'alias/from-env',
      EXPECT_KEY_ROTATION: 'true',
      REPORT_PATH: 'env.xml',
      VERIFY_TIMEOUT_MS: '5000',
      VERIFY_MAX_ATTEMPTS: '5',
      VERIFY_PERMISSION_WAIT_SECONDS: '60',
    };
    const otherPrimary = keyArn('eu-central-1');

    expect(
      inputs(
        [
          `--primary-key-arn=${otherPrimary}`,
          '--replica-regions',
          'us-east-2',
          '--no-replica-regions',
          'sa-east-1,ca-central-1',
          '--retired-replica-regions',
          'eu-north-1',
          '--alias',
          'alias/from-flag',
          '--expect-key-rotation',
          'FALSE',
          '--report',
          'out/flag.xml',
          '--timeout-ms',
          '250',
          '--max-attempts',
          '2',
          '--permission-wait-seconds',
          '330',
        ],
        env,
      ),
    ).toMatchObject({
      keys: [{ primaryKey: { arn: otherPrimary, region: 'eu-central-1' }, alias: 'alias/from-flag', expectKeyRotation: false }],
      replicaRegions: ['us-east-2'],
      noReplicaRegions: ['sa-east-1', 'ca-central-1'],
      retiredReplicaRegions: ['eu-north-1'],
      reportPath: 'out/flag.xml',
      timeoutMs: 250,
      maxAttempts: 2,
      permissionWaitSeconds: 330,
    });
  });

  test('trims lists, drops empty items and duplicates, and treats empty variables as unset', () => {
    expect(
      inputs([], {
        ...VALID_ENV,
        REPLICA_REGIONS: ' eu-west-1 , ap-southeast-2,,eu-west-1, ',
        RETIRED_REPLICA_REGIONS: '',
        KEY_ALIAS: '',
        REPORT_PATH: '',
      }),
    ).toMatchObject({
      keys: [{ alias: undefined }],
      replicaRegions: ['eu-west-1', 'ap-southeast-2'],
      retiredReplicaRegions: [],
      reportPath: DEFAULT_REPORT_PATH,
    });
  });

  test.each(['--help', '-h'])('%s asks for the usage, even without other input', (flag) => {
    expect(parseCommandLine([flag], {})).toEqual({ help: true });
  });

  test('the usage documents every flag, its variable, the defaults and the exit codes', () => {
    for (const [flag, variable] of [
      ['--primary-key-arn', 'PRIMARY_KEY_ARN'],
      ['--replica-regions', 'REPLICA_REGIONS'],
      ['--no-replica-regions', 'NO_REPLICA_REGIONS'],
      ['--retired-replica-regions', 'RETIRED_REPLICA_REGIONS'],
      ['--alias', 'KEY_ALIAS'],
      ['--expect-key-rotation', 'EXPECT_KEY_ROTATION'],
      ['--report', 'REPORT_PATH'],
      ['--timeout-ms', 'VERIFY_TIMEOUT_MS'],
      ['--max-attempts', 'VERIFY_MAX_ATTEMPTS'],
    ]) {
      expect(USAGE).toMatch(new RegExp(`${flag} [^\\n]*\\[${variable}\\]`));
    }
    expect(USAGE).toContain(DEFAULT_REPORT_PATH);
    expect(USAGE).toMatch(/Exit codes: 0 .* 1 .* 2/s);
  });
});

describe('limits', () => {
  test.each([
    [['--timeout-ms', '100', '--max-attempts', '1'], 100, 1],
    [['--timeout-ms', '300000', '--max-attempts', '10'], 300_000, 10],
  ])('accepts the bounds %j', (argv, timeoutMs, maxAttempts) => {
    expect(inputs(argv)).toMatchObject({ timeoutMs, maxAttempts });
  });

  test.each([
    ['--timeout-ms', '99'],
    ['--timeout-ms', '300001'],
    ['--timeout-ms', '1e3'],
    ['--timeout-ms', '0x3e8'],
    ['--max-attempts', '0'],
  ])('rejects %s %s', (flag, value) => {
    expect(() => inputs([flag, value])).toThrow(new RegExp(`must be a whole number .*, got "${value}"$`));
  });

  test.each([
    ['TRUE', true],
    ['False', false],
  ])('reads the rotation flag %s in any case', (value, expected) => {
    expect(onlyKey(['--expect-key-rotation', value]).expectKeyRotation).toBe(expected);
  });

  test('lists each Region once, without blanks', () => {
    expect(inputs(['--replica-regions', ' eu-west-1, ,eu-west-1,ap-southeast-2 ']).replicaRegions).toEqual(['eu-west-1', 'ap-southeast-2']);
  });

  test.each([
    ['alias/AWS/s3', 'must not be under "alias/aws/"'],
    [`alias/${'a'.repeat(251)}`, 'must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -'],
    ['alias/app data', 'must be "alias/" followed by 1 to 250'],
    ['alias/', 'must be "alias/" followed by 1 to 250'],
  ])('rejects the alias %s', (alias, problem) => {
    expect(() => inputs(['--alias', alias])).toThrow(`KEY_ALIAS (--alias) ${problem}`);
  });

  test('accepts an alias of 250 characters after alias/', () => {
    const alias = `alias/${'a'.repeat(250)}`;
    expect(onlyKey(['--alias', alias]).alias).toBe(alias);
  });

  test.each([
    ['13 digits', '1111111111112'],
    ['a letter before 12 digits', 'a111111111111'],
  ])('rejects an account of %s in the key ARN', (_label, account) => {
    expect(() => inputs(['--primary-key-arn', `arn:aws:kms:us-east-1:${account}:key/${KEY_ID}`])).toThrow(
      `has "${account}" as its account, which is not a 12-digit AWS account ID`,
    );
  });

  test.each([`x${KEY_ID}`, `${KEY_ID}0`])('rejects the key ID %s', (keyId) => {
    expect(() => inputs(['--primary-key-arn', `arn:aws:kms:us-east-1:111111111111:key/${keyId}`])).toThrow(
      `has key ID "${keyId}", which is not a multi-region key ID`,
    );
  });
});

describe('invalid input names the input and the fix', () => {
  test.each([
    [
      'missing primary ARN',
      [],
      { ...VALID_ENV, PRIMARY_KEY_ARN: undefined },
      'PRIMARY_KEY_ARN (--primary-key-arn) is required: set it to the primary multi-region key ARN',
    ],
    [
      'a single-Region key',
      ['--primary-key-arn', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
      VALID_ENV,
      'PRIMARY_KEY_ARN (--primary-key-arn) has key ID "1234abcd-12ab-34cd-56ef-1234567890ab", which is not a multi-region key ID (mrk- followed by 32 hex digits)',
    ],
    [
      'an alias ARN',
      ['--primary-key-arn', 'arn:aws:kms:us-east-1:111111111111:alias/app-data'],
      VALID_ENV,
      'PRIMARY_KEY_ARN (--primary-key-arn) must look like arn:aws:kms:<region>:<account>:key/mrk-<32 hex digits>',
    ],
    [
      'a bad account',
      ['--primary-key-arn', `arn:aws:kms:us-east-1:1111:key/${KEY_ID}`],
      VALID_ENV,
      'has "1111" as its account, which is not a 12-digit AWS account ID',
    ],
    [
      'a bad ARN Region',
      ['--primary-key-arn', `arn:aws:kms:us-east:111111111111:key/${KEY_ID}`],
      VALID_ENV,
      'has "us-east" as its Region, which is not an AWS Region name',
    ],
    [
      'missing replica Regions',
      [],
      { ...VALID_ENV, REPLICA_REGIONS: undefined },
      'REPLICA_REGIONS (--replica-regions) is required: set it to the Regions that hold a replica, comma-separated',
    ],
    ['replica Regions that are only commas', ['--replica-regions', ' , '], VALID_ENV, 'REPLICA_REGIONS (--replica-regions) is required'],
    [
      'missing no-replica Regions',
      [],
      { ...VALID_ENV, NO_REPLICA_REGIONS: '' },
      'NO_REPLICA_REGIONS (--no-replica-regions) is required: set it to the Regions that must not decrypt',
    ],
    [
      'a typo in a Region',
      ['--replica-regions', 'eu-west-1,eu-west-l'],
      VALID_ENV,
      'REPLICA_REGIONS (--replica-regions) has "eu-west-l", which is not an AWS Region name: use names such as eu-west-1',
    ],
    [
      'a bad retired Region',
      ['--retired-replica-regions', 'Frankfurt'],
      VALID_ENV,
      'RETIRED_REPLICA_REGIONS (--retired-replica-regions) has "Frankfurt", which is not an AWS Region name',
    ],
    [
      'the primary Region as a replica',
      ['--replica-regions', 'us-east-1,eu-west-1'],
      VALID_ENV,
      'REPLICA_REGIONS (--replica-regions) includes us-east-1, the primary Region of PRIMARY_KEY_ARN: remove it',
    ],
    [
      'the primary Region as a no-replica Region',
      ['--no-replica-regions', 'us-east-1'],
      VALID_ENV,
      'NO_REPLICA_REGIONS (--no-replica-regions) includes us-east-1, the primary Region',
    ],
    [
      'a Region both replica and no-replica',
      ['--no-replica-regions', 'us-west-2,eu-west-1'],
      VALID_ENV,
      'eu-west-1 is in both REPLICA_REGIONS (--replica-regions) and NO_REPLICA_REGIONS (--no-replica-regions)',
    ],
    [
      'a Region both replica and retired',
      ['--retired-replica-regions', 'ap-southeast-2'],
      VALID_ENV,
      'ap-southeast-2 is in both REPLICA_REGIONS (--replica-regions) and RETIRED_REPLICA_REGIONS (--retired-replica-regions)',
    ],
    ['an alias without prefix', ['--alias', 'app-data'], VALID_ENV, 'KEY_ALIAS (--alias) must start with "alias/", got "app-data"'],
    ['an AWS managed alias', ['--alias', 'alias/aws/s3'], VALID_ENV, 'KEY_ALIAS (--alias) must not be under "alias/aws/"'],
    [
      'a bad rotation flag',
      ['--expect-key-rotation', 'yes'],
      VALID_ENV,
      'EXPECT_KEY_ROTATION (--expect-key-rotation) must be true or false, got "yes"',
    ],
    ['a zero timeout', ['--timeout-ms', '0'], VALID_ENV, 'VERIFY_TIMEOUT_MS (--timeout-ms) must be a whole number 100..300000, got "0"'],
    ['a fractional timeout', ['--timeout-ms', '1.5'], VALID_ENV, 'VERIFY_TIMEOUT_MS (--timeout-ms) must be a whole number'],
    [
      'too many attempts',
      [],
      { ...VALID_ENV, VERIFY_MAX_ATTEMPTS: '11' },
      'VERIFY_MAX_ATTEMPTS (--max-attempts) must be a whole number 1..10, got "11"',
    ],
    [
      'a permission wait over 15 minutes',
      ['--permission-wait-seconds', '901'],
      VALID_ENV,
      'VERIFY_PERMISSION_WAIT_SECONDS (--permission-wait-seconds) must be a whole number 0..900, got "901"',
    ],
    ['an unknown flag', ['--replica-region', 'eu-west-1'], VALID_ENV, 'unknown option --replica-region: run with --help'],
    ['a flag without a value', ['--report'], VALID_ENV, 'option --report needs a value: run with --help'],
    ['a positional argument', ['eu-west-1'], VALID_ENV, 'unexpected argument'],
  ])('%s', (_, argv, env, message) => {
    expect(inputError(argv, env)).toContain(message);
  });
});

describe('key ARNs and Region names', () => {
  test('the key ARN in another Region keeps partition, account and key ID', () => {
    const key = parseMultiRegionKeyArn(`arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/${KEY_ID}`);
    expect(typeof key).toBe('object');
    expect(keyArnInRegion(key as Exclude<typeof key, string>, 'us-gov-east-1')).toBe(
      `arn:aws-us-gov:kms:us-gov-east-1:111111111111:key/${KEY_ID}`,
    );
  });

  test.each(['us-east-1', 'eu-central-2', 'ap-southeast-7', 'us-gov-west-1', 'cn-north-1', 'mx-central-1'])(
    '%s is a Region name',
    (region) => expect(isAwsRegionName(region)).toBe(true),
  );

  test.each(['us-east', 'eu-west-l', 'US-EAST-1', 'useast1', 'us-east-1 ', 'global'])('%s is not a Region name', (region) =>
    expect(isAwsRegionName(region)).toBe(false),
  );
});

describe('command-line mistakes, word for word', () => {
  test.each([
    [['eu-west-1'], 'unexpected argument: run with --help for the list of options'],
    [['--', '-x'], 'unexpected argument -x: run with --help for the list of options'],
    [
      ['--no-replica-regions', 'us-west-2,eu-west-1,ap-southeast-2'],
      'eu-west-1, ap-southeast-2 is in both REPLICA_REGIONS (--replica-regions) and NO_REPLICA_REGIONS (--no-replica-regions): list each Region in only one of them',
    ],
  ])('%j', (argv, message) => {
    let thrown: unknown;
    try {
      parseCommandLine(argv, VALID_ENV);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'InputError', message });
  });
});
