import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootstrapDeps, CommandRunner, main, spawnRunner } from '../../scripts/bootstrap';
import { USAGE } from '../../scripts/bootstrap/command-line';
import {
  leastPrivilegeExecutionPolicy,
  MANAGED_POLICY_ARN,
  MANAGED_POLICY_MAX_CHARS,
  policySize,
} from '../../scripts/bootstrap/execution-policy';
import { configWith, exampleRawConfig } from '../helpers/app';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const TRUST = '--trust 111111111111 --trust-for-lookup 111111111111';

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

describe('the example configuration in a cdk.json', () => {
  const outcome = bootstrap([]);

  test('prints one command for the pipeline and primary Region and one for the replica Region', () => {
    expect(outcome.code).toBe(0);
    expect(commandsOf(outcome)).toEqual([
      `npx cdk bootstrap aws://111111111111/us-east-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
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

  test('says that AdministratorAccess is the CDK default and points to the narrower option', () => {
    expect(outcome.stdout.find((line) => line.startsWith('# Execution policy:'))).toBe(
      `# Execution policy: ${ADMIN}, the CDK default: CloudFormation may do anything in the account while it deploys these stacks. ` +
        'For a narrower starting point, run with --least-privilege.',
    );
  });

  test('every non-command line is a shell comment or blank, so the output can be pasted into a shell', () => {
    const rest = outcome.stdout.filter((line) => !line.startsWith('npx cdk bootstrap'));
    expect(rest.every((line) => line === '' || line.startsWith('#'))).toBe(true);
  });
});

describe('three replica Regions, pipeline in its own Region', () => {
  test('the pipeline Region gets no trust flags; the primary, every replica and every retired Region trust the pipeline account', () => {
    const retiredToo = writeConfig('retired.json', (raw) => {
      raw.pipeline.region = 'eu-central-1';
      raw.replicaRegions = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];
      raw.retiredReplicaRegions = ['eu-north-1'];
    });
    expect(commandsOf(bootstrap(['--config', THREE_REPLICAS]))).toEqual([
      `npx cdk bootstrap aws://111111111111/eu-central-1 --cloudformation-execution-policies ${ADMIN}`,
      `npx cdk bootstrap aws://111111111111/us-east-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
      `npx cdk bootstrap aws://111111111111/ap-southeast-2 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
      `npx cdk bootstrap aws://111111111111/sa-east-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
    ]);
    const withRetired = bootstrap(['--config', retiredToo]);
    expect(commandsOf(withRetired)).toContain(
      `npx cdk bootstrap aws://111111111111/eu-north-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
    );
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
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
      `npx cdk bootstrap aws://111111111111/us-east-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
    ]);
    expect(outcome.stdout).toContain('# eu-west-1     pipeline, replica key');
  });
});

describe('execution policy', () => {
  test('--execution-policy puts the given ARN into every command', () => {
    const arn = 'arn:aws:iam::111111111111:policy/my-deployer';
    const commands = commandsOf(bootstrap(['--execution-policy', arn]));
    expect(commands).toHaveLength(2);
    commands.forEach((command) => expect(command).toMatch(new RegExp(`--cloudformation-execution-policies ${arn}$`)));
  });

  test('--least-privilege uses the project policy and prints its document and the command that creates it', () => {
    const outcome = bootstrap(['--least-privilege']);
    const arn = 'arn:aws:iam::111111111111:policy/kms-mrk-cfn-execution';
    expect(commandsOf(outcome)).toEqual([
      `npx cdk bootstrap aws://111111111111/us-east-1 ${TRUST} --cloudformation-execution-policies ${arn}`,
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${TRUST} --cloudformation-execution-policies ${arn}`,
    ]);
    expect(outcome.stdout).toContain(
      'aws iam create-policy --policy-name kms-mrk-cfn-execution --policy-document file://kms-mrk-cfn-execution.json',
    );
    const start = outcome.stdout.indexOf("cat > kms-mrk-cfn-execution.json <<'POLICY'");
    const end = outcome.stdout.indexOf('POLICY');
    expect(start).toBeGreaterThan(0);
    const printed = JSON.parse(outcome.stdout.slice(start + 1, end).join('\n'));
    expect(printed).toEqual(leastPrivilegeExecutionPolicy(configWith()).document);
    expect(outcome.stdout.some((line) => /starting point/.test(line))).toBe(true);
  });

  describe('the least-privilege document', () => {
    // Built in each test, so that a test sees the code as it is when the test runs.
    const document = () => leastPrivilegeExecutionPolicy(configWith()).document;
    const statements = () => document().Statement;

    test('is a policy IAM accepts: unique alphanumeric Sids, service:Action actions, and ARNs or "*" as resources', () => {
      const policy = leastPrivilegeExecutionPolicy(configWith());
      expect(policy.arn).toBe('arn:aws:iam::111111111111:policy/kms-mrk-cfn-execution');
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

    test('fits in a managed policy', () => {
      expect(policySize(document())).toBeLessThan(MANAGED_POLICY_MAX_CHARS);
    });

    test('has no wildcard action and cannot delete keys', () => {
      const actions = statements().flatMap((s) => s.Action);
      expect(actions.filter((a) => a.endsWith('*'))).toEqual([]);
      expect(actions).not.toContain('kms:ScheduleKeyDeletion');
    });

    test('allows "*" resources only for the KMS calls that take no resource', () => {
      const unscoped = statements().filter((s) => s.Resource.includes('*'));
      expect(unscoped.map((s) => s.Action)).toEqual([['kms:CreateKey', 'kms:ListAliases']]);
    });

    test.each([
      ['kms:ReplicateKey', 'arn:aws:kms:*:111111111111:key/*'],
      ['kms:CreateAlias', 'arn:aws:kms:*:111111111111:alias/app-data'],
      ['ssm:PutParameter', 'arn:aws:ssm:*:111111111111:parameter/kms-mrk/*'],
      ['lambda:CreateFunction', 'arn:aws:lambda:*:111111111111:function:kms-mrk-*'],
      ['iam:CreateRole', 'arn:aws:iam::111111111111:role/kms-mrk-*'],
      ['iam:PassRole', 'arn:aws:iam::111111111111:role/kms-mrk-*'],
      ['logs:CreateLogGroup', 'arn:aws:logs:*:111111111111:log-group:kms-mrk-*'],
      ['s3:CreateBucket', 'arn:aws:s3:::kms-mrk-*'],
      ['codepipeline:CreatePipeline', 'arn:aws:codepipeline:*:111111111111:kms-mrk-*'],
      ['codeconnections:PassConnection', 'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000'],
    ])('%s is scoped to %s', (action, resource) => {
      const statement = statements().find((s) => s.Action.includes(action));
      expect(statement?.Resource).toContain(resource);
    });

    test('roles may be passed only to the services that use them', () => {
      const passRole = statements().find((s) => s.Action.includes('iam:PassRole'));
      expect(passRole?.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'codebuild.amazonaws.com', 'codepipeline.amazonaws.com'] },
      });
    });
  });
});

describe('--run', () => {
  test('runs each command with npx, in order, and stops at the first failure with its exit code', () => {
    const outcome = bootstrap(['--run', '--config', THREE_REPLICAS], [0, 0, 3, 0]);
    expect(outcome.ran).toEqual([
      `npx cdk bootstrap aws://111111111111/eu-central-1 --cloudformation-execution-policies ${ADMIN}`,
      `npx cdk bootstrap aws://111111111111/us-east-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
      `npx cdk bootstrap aws://111111111111/eu-west-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}`,
    ]);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toEqual([
      `bootstrap: "npx cdk bootstrap aws://111111111111/eu-west-1 ${TRUST} --cloudformation-execution-policies ${ADMIN}" exited with 3: ` +
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
  ])('%s prints one line and exits 2 without running anything', (_what, argv, message) => {
    const outcome = bootstrap([...argv, '--run']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toEqual([message]);
    expect(outcome.stdout).toEqual([]);
    expect(outcome.ran).toEqual([]);
  });
});
