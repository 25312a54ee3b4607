/**
 * Post-deploy verification of KMS multi-region keys: proves that the replicas exist, are
 * related to the primary, decrypt each other's ciphertext, and that Regions without a
 * replica cannot decrypt. Writes a JUnit report for CodeBuild. Run with --help for the contract.
 */
import { InputError, parseCommandLine, RunInputs, USAGE } from './verify-replication/inputs';
import { writeJUnitReport } from './verify-replication/junit';
import { allPassed, CannotRunError, runVerification, VerificationDeps } from './verify-replication/run-verification';
import { oneLine } from './verify-replication/sdk-errors';
import { formatSummary } from './verify-replication/summary';

export const EXIT_PASSED = 0;
export const EXIT_CHECKS_FAILED = 1;
export const EXIT_CANNOT_RUN = 2;

export interface ProgramOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

const processOutput: ProgramOutput = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/**
 * The whole program: parse, verify, report.
 *
 * @returns the exit code: 0 every check passed, 1 a check failed or errored, 2 could not run
 */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: ProgramOutput = processOutput,
  deps: Partial<VerificationDeps> = {},
): Promise<number> {
  const cannotRun = (reason: string): number => {
    output.stderr(`verify-replication: ${oneLine(reason)}`);
    return EXIT_CANNOT_RUN;
  };

  let commandLine;
  try {
    commandLine = parseCommandLine(argv, env);
  } catch (error) {
    return cannotRun(error instanceof InputError ? error.message : String(error));
  }
  if (commandLine.help) {
    output.stdout(USAGE.trimEnd());
    return EXIT_PASSED;
  }
  const { inputs } = commandLine;

  let report;
  try {
    report = await runVerification(inputs, deps);
  } catch (error) {
    if (!(error instanceof CannotRunError)) {
      return cannotRun(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Best effort: the report shows the failed call in CodeBuild; the exit code carries the verdict.
    try {
      writeJUnitReport(inputs.reportPath, error.report.results, error.report.elapsedMs);
    } catch {
      // The line below already says why nothing ran.
    }
    return cannotRun(error.message);
  }

  output.stdout(`verify-replication: ${describeRun(inputs)}, run id ${report.runId}`);
  for (const line of formatSummary(report.results, report.elapsedMs, inputs.reportPath)) {
    output.stdout(line);
  }
  try {
    writeJUnitReport(inputs.reportPath, report.results, report.elapsedMs);
  } catch (error) {
    return cannotRun(
      `cannot write the JUnit report to ${inputs.reportPath} (${error instanceof Error ? error.message : String(error)}): ` +
        'set REPORT_PATH (--report) to a writable path',
    );
  }
  return allPassed(report) ? EXIT_PASSED : EXIT_CHECKS_FAILED;
}

/** The header line's account of what is verified: today's wording for one key without a role. */
function describeRun(inputs: RunInputs): string {
  const [first] = inputs.keys;
  const keys =
    first.name === undefined
      ? `primary ${first.primaryKey.arn}`
      : `${inputs.keys.length} key(s) (${inputs.keys.map((key) => key.name).join(', ')}) in ${first.primaryKey.accountId} ${first.primaryKey.region}`;
  return inputs.roleArn === undefined ? keys : `${keys} as ${inputs.roleArn}`;
}

if (require.main === module) {
  // The SDK's multi-line Node.js support notice would break the one-line-on-stderr contract.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`verify-replication: unexpected error: ${oneLine(String(error))}\n`);
      process.exitCode = EXIT_CANNOT_RUN;
    },
  );
}
