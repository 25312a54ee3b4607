import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootstrapDeps, CommandRunner, main, spawnRunner } from '../../scripts/bootstrap';
import { USAGE } from '../../scripts/bootstrap/command-line';
import { executionPolicy, monitoringExecutionPolicy } from '../../scripts/bootstrap/execution-policy';
import { permissionsBoundary } from '../../scripts/bootstrap/permissions-boundary';
import { MANAGED_POLICY_ARN, MANAGED_POLICY_MAX_CHARS, policySize } from '../../scripts/bootstrap/policy-document';
import { configWith, exampleRawConfig, moveToKeys } from '../helpers/config';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const NARROW = 'arn:aws:iam::111111111111:policy/kms-mrk-cfn-execution,arn:aws:iam::111111111111:policy/kms-mrk-cfn-execution-monitoring';
const TRUST = '--trust 111111111111 --trust-for-lookup 111111111111';
/** The project's own qualifier and bootstrap stack, never the default CDKToolkit. */
const OWN = '--qualifier kmsmrk0be8 --toolkit-stack-name kms-mrk-cdk-toolkit';
/** The execution policy (the project's least-privilege one by default) and the boundary of the execution role. */
const POLICIES = (policy = NARROW) =>
  `--cloudformation-execution-policies ${policy} --custom-permissions-boundary kms-mrk-permissions-boundary`;

/** What a run printed, and the commands it asked the runner to execute. */
interface Outcome {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly ran: string[];
}

function bootstrap(argv: string[], statuses: number[] = []): Outcome {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ran: string[] = [];
  const runner: CommandRunner = (command, args) => {
    ran.push([command, ...args].join(' '));
    return { status: statuses[ran.length - 1] ?? 0 };
  };
  const deps: BootstrapDeps = {
    io: { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) },
    runner,
    cwd: tmp,
    cdkJsonPath: EXAMPLE_CDK_JSON,
  };
  return { code: main(argv, deps), stdout, stderr, ran };
}

function commandsOf(outcome: Outcome): string[] {
  return outcome.stdout.filter((line) => line.startsWith('npx cdk bootstrap'));
}

function writeConfig(name: string, change: (raw: Record<string, any>) => void): string {
  const raw = exampleRawConfig();
  change(raw);
  fs.writeFileSync(path.join(tmp, name), JSON.stringify(raw));
  return name;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-bootstrap-'));
/** A cdk.json as shipped: the example configuration in its context. */
const EXAMPLE_CDK_JSON = path.join(tmp, 'cdk.json');
fs.writeFileSync(EXAMPLE_CDK_JSON, JSON.stringify({ context: { kmsMultiRegion: exampleRawConfig() } }));
const THREE_REPLICAS = writeConfig('three-replicas.json', (raw) => {
  raw.pipeline.region = 'eu-central-1';
  raw.replicaRegions = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];
});

/** The example's key moved into keys, with `count` more keys whose aliases are alias/ and `aliasLength` characters. */
function withKeys(count: number, aliasLength: number) {
  return (raw: Record<string, any>): void => {
    moveToKeys(
      raw,
      ...Array.from({ length: count }, (_, i) => ({ name: `key-${i}`, alias: `alias/${String(i).padStart(aliasLength, 'k')}` })),
    );
  };
}

describe('several keys', () => {
  test('the execution policy and the boundary name every alias', () => {
    const config = configWith(withKeys(2, 10));
    const aliases = config.keys.map((key) => key.alias);
    const manage = executionPolicy(config).document.Statement.find((s) => s.Sid === 'ManageTheKeyAlias')!;
    expect(manage.Resource.filter((arn) => arn.includes(':alias/'))).toEqual(aliases.map((alias) => `arn:aws:kms:*:111111111111:${alias}`));
    const use = permissionsBoundary(config).document.Statement.find((s) => s.Sid === 'UseTheProjectKey')!;
    expect(use.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } });
  });

  test('a few keys with short aliases fit in the managed policies, and bootstrap prints them', () => {
    const config = configWith(withKeys(4, 8));
    for (const policy of [executionPolicy(config), monitoringExecutionPolicy(config), permissionsBoundary(config)]) {
      expect([policy.name, policySize(policy.document) <= MANAGED_POLICY_MAX_CHARS]).toEqual([policy.name, true]);
    }
    const outcome = bootstrap(['-c', `config=${writeConfig('four-more-keys.json', withKeys(4, 8))}`]);
    expect([outcome.code, outcome.stderr]).toEqual([0, []]);
  });

  test('too many aliases for a managed policy stop bootstrap with one line, before anything runs', () => {
    const outcome = bootstrap(['--run', '-c', `config=${writeConfig('many-keys.json', withKeys(24, 20))}`]);
    expect(outcome.code).toBe(2);
    expect(outcome.ran).toEqual([]);
    expect(outcome.stderr).toHaveLength(1);
    expect(outcome.stderr[0]).toMatch(
      /^bootstrap: the policy kms-mrk-cfn-execution would hold \d+ characters, over IAM's 6144 for a managed policy: it names the alias of each of the 25 key\(s\), each of the 1 replica Region\(s\) and the 7-character projectName; use fewer keys, shorter aliases, fewer replica Regions or a shorter projectName, or --admin$/,
    );
  });

  test('a long project name with many replica Regions stops bootstrap with one line naming both, even for one key', () => {
    const outcome = bootstrap([
      '--run',
      '-c',
      `config=${writeConfig('many-regions.json', (raw) => {
        raw.projectName = 'abcdefghijklmnopqrstuvwx';
        raw.replicaRegions = [
          ...['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-southeast-1', 'ap-southeast-2'],
          ...['ap-northeast-1', 'ap-northeast-2', 'sa-east-1', 'us-west-2', 'us-east-2'],
        ];
      })}`,
    ]);
    expect(outcome.code).toBe(2);
    expect(outcome.ran).toEqual([]);
    expect(outcome.stderr).toHaveLength(1);
    expect(outcome.stderr[0]).toMatch(
      /^bootstrap: the policy abcdefghijklmnopqrstuvwx-\S+ would hold \d+ characters, over IAM's 6144 for a managed policy: it names the alias of each of the 1 key\(s\), each of the 12 replica Region\(s\) and the 24-character projectName; /,
    );
  });
});

describe('the example configuration in a cdk.json', () => {
  const outcome = bootstrap([]);

  test('prints one command for the pipeline and primary Region and one for the replica Region', () => {
    expect(outcome.code).toBe(0);
    expect(commandsOf(outcome)).toEqual([
      `npx cdk bootstrap aws://111111111111/us-east-1 ${OWN} ${TRUST} ${POLICIES()}`,
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${OWN} ${TRUST} ${POLICIES()}`,
    ]);
    expect(outcome.stderr).toEqual([]);
  });

  test('is a dry run: nothing is executed and the output says how to run it', () => {
    expect(outcome.ran).toEqual([]);
    expect(outcome.stdout[0]).toMatch(/Dry run: nothing has run; add --run/);
  });

  test('says what each Region holds and why the no-replica Region is left out', () => {
    expect(outcome.stdout).toContain('# us-east-1     pipeline, primary key');
    expect(outcome.stdout).toContain('# eu-west-1     replica key');
    expect(outcome.stdout.find((line) => line.startsWith('# ca-central-1'))).toMatch(
      /not bootstrapped \(no-replica Region: nothing is deployed there/,
    );
    expect(commandsOf(outcome).join('\n')).not.toContain('ca-central-1');
  });

  test('uses the least-privilege execution policy by default and names it', () => {
    expect(outcome.stdout.find((line) => line.startsWith('# Execution policy:'))).toMatch(
      new RegExp(`^# Execution policy: ${NARROW}, this project's least-privilege policies \\(the default\\)`),
    );
  });

  test('says that the project has its own qualifier and leaves the default CDKToolkit of other apps alone', () => {
    expect(outcome.stdout).toContain(
      "# Qualifier kmsmrk0be8 and stack kms-mrk-cdk-toolkit: this project's own bootstrap roles, which the app uses for every stack.",
    );
    expect(commandsOf(outcome).every((command) => command.includes(OWN) && !command.includes('hnb659fds'))).toBe(true);
  });

  test('prints both policies to create before the commands: the boundary, then the execution policy', () => {
    const creates = outcome.stdout.filter((line) => line.startsWith('  aws iam create-policy '));
    expect(creates).toEqual([
      '  aws iam create-policy --policy-name kms-mrk-permissions-boundary --policy-document file://kms-mrk-permissions-boundary.json',
      '  aws iam create-policy --policy-name kms-mrk-cfn-execution --policy-document file://kms-mrk-cfn-execution.json',
      '  aws iam create-policy --policy-name kms-mrk-cfn-execution-monitoring --policy-document file://kms-mrk-cfn-execution-monitoring.json',
    ]);
    expect(printedDocument(outcome, 'kms-mrk-permissions-boundary')).toEqual(permissionsBoundary(configWith()).document);
    expect(printedDocument(outcome, 'kms-mrk-cfn-execution')).toEqual(executionPolicy(configWith()).document);
    expect(printedDocument(outcome, 'kms-mrk-cfn-execution-monitoring')).toEqual(monitoringExecutionPolicy(configWith()).document);
    expect(outcome.stdout.indexOf(creates[2])).toBeLessThan(outcome.stdout.indexOf(commandsOf(outcome)[0]));
  });

  test('the output is a shell script: comments, the two policy files with their create commands, then the bootstrap commands', () => {
    let inHeredoc = false;
    const offending = outcome.stdout.filter((line) => {
      if (inHeredoc) {
        inHeredoc = line !== 'POLICY';
        return false;
      }
      if (/^cat > [\w-]+\.json <<'POLICY'$/.test(line)) {
        inHeredoc = true;
        return false;
      }
      return !(
        line === '' ||
        line.startsWith('#') ||
        /^(if aws iam get-policy | {2}aws iam | {4}\| xargs |else$|fi$)/.test(line) ||
        line.startsWith('npx cdk bootstrap ')
      );
    });
    expect(offending).toEqual([]);
    expect(inHeredoc).toBe(false);
  });
});

/** The JSON document that the dry run writes into NAME.json. */
function printedDocument(outcome: Outcome, name: string): unknown {
  const start = outcome.stdout.indexOf(`cat > ${name}.json <<'POLICY'`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = outcome.stdout.indexOf('POLICY', start + 1);
  return JSON.parse(outcome.stdout.slice(start + 1, end).join('\n'));
}

describe('three replica Regions, pipeline in its own Region', () => {
  test('the pipeline Region gets no trust flags; the primary, every replica and every retired Region trust the pipeline account', () => {
    const retiredToo = writeConfig('retired.json', (raw) => {
      raw.pipeline.region = 'eu-central-1';
      raw.replicaRegions = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];
      raw.retiredReplicaRegions = ['eu-north-1'];
    });
    expect(commandsOf(bootstrap(['--config', THREE_REPLICAS]))).toEqual([
      `npx cdk bootstrap aws://111111111111/eu-central-1 ${OWN} ${POLICIES()}`,
      `npx cdk bootstrap aws://111111111111/us-east-1 ${OWN} ${TRUST} ${POLICIES()}`,
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${OWN} ${TRUST} ${POLICIES()}`,
      `npx cdk bootstrap aws://111111111111/ap-southeast-2 ${OWN} ${TRUST} ${POLICIES()}`,
      `npx cdk bootstrap aws://111111111111/sa-east-1 ${OWN} ${TRUST} ${POLICIES()}`,
    ]);
    const withRetired = bootstrap(['--config', retiredToo]);
    expect(commandsOf(withRetired)).toContain(`npx cdk bootstrap aws://111111111111/eu-north-1 ${OWN} ${TRUST} ${POLICIES()}`);
    expect(withRetired.stdout).toContain('# eu-north-1      retired replica key');
  });

  test('-c config=FILE reads the same file as --config FILE', () => {
    expect(bootstrap(['-c', `config=${THREE_REPLICAS}`]).stdout).toEqual(bootstrap(['--config', THREE_REPLICAS]).stdout);
  });

  test('a cdk.json whose context names a config file reads that file, as `cdk synth` does', () => {
    const cdkJson = path.join(tmp, 'named', 'cdk.json');
    fs.mkdirSync(path.dirname(cdkJson), { recursive: true });
    fs.copyFileSync(path.join(tmp, THREE_REPLICAS), path.join(tmp, 'named', THREE_REPLICAS));
    fs.writeFileSync(cdkJson, JSON.stringify({ context: { kmsMultiRegion: exampleRawConfig(), config: THREE_REPLICAS } }));
    const stdout: string[] = [];
    const code = main([], {
      io: { stdout: (l) => stdout.push(l), stderr: () => undefined },
      runner: () => ({ status: 0 }),
      cwd: tmp,
      cdkJsonPath: cdkJson,
    });
    expect(code).toBe(0);
    expect(stdout.filter((l) => l.startsWith('npx cdk bootstrap'))).toEqual(commandsOf(bootstrap(['--config', THREE_REPLICAS])));
  });

  test('a pipeline Region that is also a replica Region gets one command with the trust flags', () => {
    const file = writeConfig('pipeline-in-replica-region.json', (raw) => {
      raw.pipeline.region = 'eu-west-1';
    });
    const outcome = bootstrap(['--config', file]);
    expect(commandsOf(outcome)).toEqual([
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${OWN} ${TRUST} ${POLICIES()}`,
      `npx cdk bootstrap aws://111111111111/us-east-1 ${OWN} ${TRUST} ${POLICIES()}`,
    ]);
    expect(outcome.stdout).toContain('# eu-west-1     pipeline, replica key');
  });
});

describe('execution policy', () => {
  test('--execution-policy puts the given ARN into every command, and the boundary stays', () => {
    const arn = 'arn:aws:iam::111111111111:policy/my-deployer';
    const outcome = bootstrap(['--execution-policy', arn]);
    const commands = commandsOf(outcome);
    expect(commands).toHaveLength(2);
    commands.forEach((command) => expect(command).toMatch(new RegExp(`${POLICIES(arn)}$`)));
    expect(outcome.stdout.filter((line) => line.startsWith('  aws iam create-policy '))).toEqual([
      '  aws iam create-policy --policy-name kms-mrk-permissions-boundary --policy-document file://kms-mrk-permissions-boundary.json',
    ]);
  });

  test('--admin uses AdministratorAccess, says so, and keeps the boundary', () => {
    const outcome = bootstrap(['--admin']);
    expect(commandsOf(outcome)).toEqual([
      `npx cdk bootstrap aws://111111111111/us-east-1 ${OWN} ${TRUST} ${POLICIES(ADMIN)}`,
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${OWN} ${TRUST} ${POLICIES(ADMIN)}`,
    ]);
    expect(outcome.stdout.find((line) => line.startsWith('# Execution policy:'))).toBe(
      `# Execution policy: ${ADMIN} (AdministratorAccess, from --admin): CloudFormation may do anything in the account ` +
        'while it deploys these stacks, except what the permissions boundary denies.',
    );
  });

  test('--least-privilege is the default, said out loud', () => {
    expect(bootstrap(['--least-privilege']).stdout).toEqual(bootstrap([]).stdout);
  });

  describe.each([
    ['the execution policy', () => executionPolicy(configWith())],
    ['the monitoring execution policy', () => monitoringExecutionPolicy(configWith())],
    [
      'the execution policies of a 24-character project name, the longest allowed',
      () => {
        const config = configWith((raw) => (raw.projectName = 'a-24-character-project-x'));
        const [first, second] = [executionPolicy(config), monitoringExecutionPolicy(config)];
        return policySize(first.document) > policySize(second.document) ? first : second;
      },
    ],
    ['the permissions boundary', () => permissionsBoundary(configWith())],
  ])('%s', (_name, policy) => {
    test('fits in a managed policy', () => {
      expect(policySize(policy().document)).toBeLessThan(MANAGED_POLICY_MAX_CHARS);
    });

    test('allows no key deletion and no UpdatePrimaryRegion, even by wildcard', () => {
      const allowed = policy()
        .document.Statement.filter((s) => s.Effect === 'Allow')
        .flatMap((s) => s.Action);
      for (const forbidden of ['kms:ScheduleKeyDeletion', 'kms:UpdatePrimaryRegion', 'kms:CreateGrant']) {
        expect(allowed.filter((pattern) => new RegExp(`^${pattern.replace(/\*/g, '.*')}$`).test(forbidden))).toEqual([]);
      }
    });
  });

  describe('the least-privilege document', () => {
    const { document } = executionPolicy(configWith());
    const statements = document.Statement;
    const actions = statements.flatMap((s) => s.Action);

    test('has no wildcard action, in either policy', () => {
      const all = [...actions, ...monitoringExecutionPolicy(configWith()).document.Statement.flatMap((s) => s.Action)];
      expect(all.filter((a) => a.includes('*'))).toEqual([]);
    });

    test('allows "*" resources only for the calls that take no resource, and for the tagging of a new key', () => {
      const unscoped = statements.filter((s) => s.Resource.includes('*'));
      expect(unscoped.map((s) => s.Action)).toEqual([
        // The TagResource of a CreateKey or ReplicateKey, on a key that does not exist yet: only with the project tag.
        ['kms:CreateKey', 'kms:TagResource'],
        ['kms:ListAliases', 'logs:DescribeLogGroups', 'logs:DescribeIndexPolicies'],
      ]);
      expect(unscoped[0].Condition).toEqual({
        StringEquals: { 'aws:RequestTag/kms-multi-region-pipeline:project': 'kms-mrk' },
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/cdk-kmsmrk0be8-cfn-exec-role-*' },
      });
    });

    test.each([
      ['the execution policy', () => executionPolicy(configWith()), 'kms-mrk-cfn-execution'],
      ['the monitoring execution policy', () => monitoringExecutionPolicy(configWith()), 'kms-mrk-cfn-execution-monitoring'],
    ])('%s is one IAM accepts: unique alphanumeric Sids, service:Action actions, and ARNs or "*" as resources', (_name, build, name) => {
      const policy = build();
      expect(policy.arn).toBe(`arn:aws:iam::111111111111:policy/${name}`);
      expect(policy.arn).toMatch(MANAGED_POLICY_ARN);
      expect(policy.document.Version).toBe('2012-10-17');
      const sids = policy.document.Statement.map((s) => s.Sid);
      expect(sids.filter((sid) => !/^[A-Za-z0-9]+$/.test(sid))).toEqual([]);
      expect(new Set(sids).size).toBe(sids.length);
      for (const statement of policy.document.Statement) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.Action.length).toBeGreaterThan(0);
        expect(statement.Action.filter((action) => !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action))).toEqual([]);
        expect(statement.Resource.length).toBeGreaterThan(0);
        expect(statement.Resource.filter((arn) => arn !== '*' && !/^arn:aws:[a-z0-9-]+:[a-z0-9*-]*:(\d{12})?:\S+$/.test(arn))).toEqual([]);
      }
    });

    test('roles may be passed only to the services that use them', () => {
      const passRole = statements.find((s) => s.Action.includes('iam:PassRole'));
      expect(passRole?.Condition).toEqual({
        StringEquals: {
          'iam:PassedToService': [
            'lambda.amazonaws.com',
            'codebuild.amazonaws.com',
            'codepipeline.amazonaws.com',
            'events.amazonaws.com',
            'scheduler.amazonaws.com',
          ],
        },
      });
    });
  });
});

describe('--run', () => {
  test('runs each command with npx, in order, and stops at the first failure with its exit code', () => {
    const outcome = bootstrap(['--run', '--config', THREE_REPLICAS], [0, 0, 3, 0]);
    expect(outcome.ran).toEqual([
      `npx cdk bootstrap aws://111111111111/eu-central-1 ${OWN} ${POLICIES()}`,
      `npx cdk bootstrap aws://111111111111/us-east-1 ${OWN} ${TRUST} ${POLICIES()}`,
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${OWN} ${TRUST} ${POLICIES()}`,
    ]);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toEqual([
      `bootstrap: "npx cdk bootstrap aws://111111111111/eu-west-1 ${OWN} ${TRUST} ${POLICIES()}" exited with 3: ` +
        'fix the cause shown above and run again (the commands before it succeeded; running them again changes nothing).',
    ]);
  });

  test('exits 0 after every command succeeded, echoing each one before it runs', () => {
    const outcome = bootstrap(['--run']);
    expect(outcome.code).toBe(0);
    expect(outcome.ran).toHaveLength(2);
    expect(outcome.stdout.filter((line) => line.startsWith('$ '))).toEqual(outcome.ran.map((command) => `$ ${command}`));
  });

  test('the default runner spawns the command with the terminal attached and reports what stopped it', () => {
    const calls: unknown[][] = [];
    const runner = spawnRunner((command, args, options) => {
      calls.push([command, args, options]);
      return calls.length === 1
        ? { status: 0, error: undefined }
        : calls.length === 2
          ? { status: null, error: undefined }
          : { status: null, error: new Error('spawn npx ENOENT') };
    });
    expect(runner('npx', ['cdk', 'bootstrap'])).toEqual({ status: 0 });
    expect(runner('npx', ['cdk', 'bootstrap'])).toEqual({ status: 1 });
    expect(runner('npx', ['cdk', 'bootstrap'])).toEqual({ status: 127, error: 'spawn npx ENOENT' });
    expect(calls[0]).toEqual(['npx', ['cdk', 'bootstrap'], { stdio: 'inherit' }]);
  });
});

describe('help and bad input', () => {
  test('--help prints the usage and runs nothing', () => {
    const outcome = bootstrap(['--help', '--run']);
    expect(outcome).toEqual({ code: 0, stdout: [USAGE], stderr: [], ran: [] });
    expect(USAGE).toMatch(/--least-privilege/);
    expect(USAGE).toMatch(/--admin/);
    expect(USAGE).toMatch(/--execution-policy ARN/);
    expect(USAGE).toMatch(/-c config=FILE/);
  });

  test.each([
    [
      'a bad configuration',
      ['--config', writeConfig('bad-account.json', (raw) => (raw.pipeline.account = '1234'))],
      'bootstrap: Invalid configuration: config.pipeline.account must be a 12-digit AWS account ID, got "1234"',
    ],
    [
      'a missing configuration file',
      ['--config', 'missing.json'],
      `bootstrap: Invalid configuration: config file missing.json (from -c config=missing.json) cannot be read: ENOENT at ${path.join(tmp, 'missing.json')}`,
    ],
    ['an unknown option', ['--regions', 'x'], 'bootstrap: unknown option --regions: run with --help for the options'],
    ['-c with another context key', ['-c', 'other=1'], 'bootstrap: -c takes config=FILE only, got "other=1"'],
    [
      'a policy that is not a managed policy ARN',
      ['--execution-policy', 'AdministratorAccess'],
      expect.stringMatching(/^bootstrap: --execution-policy must be a managed policy ARN/),
    ],
    [
      'two execution policies',
      ['--execution-policy', ADMIN, '--least-privilege'],
      'bootstrap: --execution-policy and --least-privilege both choose the execution policy: pass one of them',
    ],
    [
      'three execution policies',
      ['--execution-policy', ADMIN, '--least-privilege', '--admin'],
      'bootstrap: --execution-policy and --least-privilege and --admin all choose the execution policy: pass one of them',
    ],
  ])('%s prints one line and exits 2 without running anything', (_what, argv, message) => {
    const outcome = bootstrap([...argv, '--run']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toEqual([message]);
    expect(outcome.stdout).toEqual([]);
    expect(outcome.ran).toEqual([]);
  });
});
