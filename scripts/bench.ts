/**
 * The speed benchmark. Prints, for 1, 4, 8 and 16 replica Regions: the median
 * wall time of the README's synth command (`npx cdk synth`, CDK's CloudFormation
 * validation on), the templates and stacks it writes, the pipeline's serial
 * action count, CodeBuild projects, IAM roles and template size; the same synth
 * of a two-stack reference app in the `cdk init` layouts; where one synth's time
 * goes (the app with and without CDK's CloudFormation validator, with the
 * Control Tower checks, and the CLI);
 * the synth of a grid of environments, keys and replica Regions (scripts/bench/environment-grid.ts);
 * and the test suite time.
 * It prints figures and asserts nothing: this machine is shared and noisy.
 *
 *   npm run bench                 # 3 runs per figure, after one warm-up run
 *   npm run bench -- --runs 5 --no-tests
 *   npm run bench -- --one-region      # the 1-Region synth, the reference app and the breakdown only
 *   npm run bench -- --grid            # the grid of environments, keys and Regions only
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KMS_MULTI_REGION_REGIONS } from '../lib/config/aws-regions';
import { CONTROL_TOWER_CHECKS_CONTEXT_KEY } from '../lib/control-tower-checks';
import { GRID, gridConfig, gridLabel, GridPoint } from './bench/environment-grid';
import { REFERENCE_APP_SOURCE, REFERENCE_LAYOUTS, REFERENCE_TSCONFIG } from './bench/reference-app';
import { EXAMPLE_ENVIRONMENTS_CONFIG } from './pipeline-diagram/documents';
import { analyzePipeline } from './pipeline-shape/analyze-pipeline';
import { flagValue, runMain } from './support/run-main';
import { cdkJsonAppCommand, cdkJsonContext, PROJECT_ROOT, projectConfig } from './support/project-config';

const REPLICA_COUNTS = [1, 4, 8, 16];
/** The most that the largest point of the grid may take, as a multiple of the smallest. */
const GRID_GOAL = 1.5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs a shell command in `cwd` and returns its wall time in seconds; throws if it fails. */
function timed(command: string, cwd: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, { cwd, shell: true, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`"${command}" in ${cwd} exited ${result.status}:\n${result.stderr.slice(-2000)}`);
  }
  return seconds;
}

function templatesIn(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return templatesIn(full);
    return entry.name.endsWith('.template.json') ? [full] : [];
  });
}

/** Stacks in a cloud assembly, nested stage assemblies included. */
function stacksIn(dir: string): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return Object.values<any>(manifest.artifacts).reduce((count, artifact) => {
    if (artifact.type === 'aws:cloudformation:stack') return count + 1;
    if (artifact.type === 'cdk:cloud-assembly') return count + stacksIn(path.join(dir, artifact.properties.directoryName));
    return count;
  }, 0);
}

/**
 * Writes a configuration with `count` replica Regions and returns its path relative to the project:
 * the pipeline only accepts configuration files inside the repository (`.bench/` is git-ignored).
 */
function replicaConfig(count: number): string {
  const dir = path.join(PROJECT_ROOT, '.bench');
  fs.mkdirSync(dir, { recursive: true });
  // The validated configuration is a valid raw one too, with the Regions in its (first) environment.
  const raw = JSON.parse(JSON.stringify(projectConfig()));
  const environment = raw.environments[0];
  const taken = new Set([environment.primaryRegion, ...environment.noReplicaRegions]);
  environment.replicaRegions = KMS_MULTI_REGION_REGIONS.filter((r) => !taken.has(r)).slice(0, count);
  const file = path.join(dir, `replicas-${count}.json`);
  fs.writeFileSync(file, JSON.stringify(raw));
  return path.relative(PROJECT_ROOT, file);
}

/** Writes the configuration of a grid point into `.bench/` (inside the repository, as for `replicaConfig`). */
function gridConfigFile(point: GridPoint): string {
  const dir = path.join(PROJECT_ROOT, '.bench');
  fs.mkdirSync(dir, { recursive: true });
  const example = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, EXAMPLE_ENVIRONMENTS_CONFIG), 'utf8'));
  const file = path.join(dir, `grid-${point.environments}-${point.keys}-${point.replicaRegions}.json`);
  fs.writeFileSync(file, JSON.stringify(gridConfig(example, point)));
  return path.relative(PROJECT_ROOT, file);
}

/** One synth per row, timed as in `benchProject`, with the counts that say what the synth built. */
function synthRow(config: string, out: string, runs: number): { seconds: number; cells: string } {
  const command = `npx cdk synth --quiet -c config=${config} -o ${out}`;
  timed(command, PROJECT_ROOT); // warm-up: the first run pays for cold file caches
  const seconds = median(Array.from({ length: runs }, () => timed(command, PROJECT_ROOT)));
  const templates = templatesIn(out);
  const pipelineFile = templates.find((t) => path.basename(t) === 'Pipeline.template.json')!;
  const shape = analyzePipeline(JSON.parse(fs.readFileSync(pipelineFile, 'utf8')));
  const cells =
    `${seconds.toFixed(2)} | ${stacksIn(out)} | ${templates.length} | ${shape.serialActionCount} | ` +
    `${shape.codeBuildProjectCount} | ${shape.iamRoleCount} | ${(fs.statSync(pipelineFile).size / 1024).toFixed(1)}`;
  return { seconds, cells };
}

/** The synth of the grid's points, and the largest against the smallest. */
function benchGrid(runs: number, work: string): void {
  console.log(`\nSynth of a grid of environments (E), keys (K) and replica Regions per environment (N), median of ${runs} runs`);
  console.log(
    `\nMade from ${EXAMPLE_ENVIRONMENTS_CONFIG}: its first E environments, approvals on, each with N replica Regions besides its ` +
      'primary and no-replica Region (N + 2 Regions per environment), and K keys.\n',
  );
  console.log(
    '| (E, K, N) | synth median (s) | stacks | templates | serial actions | CodeBuild projects | IAM roles (pipeline stack) | pipeline template (KiB) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const seconds = GRID.map((point) => {
    const row = synthRow(gridConfigFile(point), path.join(work, `grid-${point.environments}-${point.keys}-${point.replicaRegions}`), runs);
    console.log(`| ${gridLabel(point)} | ${row.cells} |`);
    return row.seconds;
  });
  const ratio = seconds[seconds.length - 1] / seconds[0];
  console.log(
    `\n${gridLabel(GRID[GRID.length - 1])} / ${gridLabel(GRID[0])}: ${ratio.toFixed(2)}x ` +
      `(goal: at most ${GRID_GOAL}x; ${ratio <= GRID_GOAL ? 'within it' : 'over it'})`,
  );
}

function benchProject(runs: number, work: string, replicaCounts: readonly number[]): void {
  console.log(`Synth of this project: \`npx cdk synth\` (CloudFormation validation on), median of ${runs} runs\n`);
  console.log(
    '| replica Regions | synth median (s) | stacks | templates | serial actions | CodeBuild projects | IAM roles (pipeline stack) | pipeline template (KiB) |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const medians: number[] = [];
  for (const count of replicaCounts) {
    const row = synthRow(replicaConfig(count), path.join(work, `out-${count}`), runs);
    medians.push(row.seconds);
    console.log(`| ${count} | ${row.cells} |`);
  }
  if (medians.length > 1) {
    console.log(
      `\n${replicaCounts[replicaCounts.length - 1]}-Region synth / 1-Region synth: ${(medians[medians.length - 1] / medians[0]).toFixed(2)}x`,
    );
  }
  benchReference(runs, work, medians[0]);
}

function benchReference(runs: number, work: string, projectOneRegion: number): void {
  const dir = path.join(work, 'reference-app');
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'bin', 'app.ts'), REFERENCE_APP_SOURCE);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(REFERENCE_TSCONFIG, null, 2));
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  console.log(`\nThe same job as two plain stacks in the \`cdk init\` layouts, median of ${runs} runs\n`);
  console.log('| layout | synth median (s) | this project (1 Region) / layout |');
  console.log('| --- | ---: | ---: |');
  for (const [layout, appCommand] of Object.entries(REFERENCE_LAYOUTS)) {
    const command = `npx cdk synth --quiet --app "${appCommand}" -o cdk.out`;
    timed(command, dir); // warm-up, as above
    const times = Array.from({ length: runs }, () => timed(command, dir));
    console.log(`| ${layout} | ${median(times).toFixed(2)} | ${(projectOneRegion / median(times)).toFixed(2)} |`);
  }
}

/** Where one synth's time goes: the app alone with and without CDK's CloudFormation validator, and the CLI alone. */
function benchBreakdown(runs: number, work: string): void {
  const outdir = path.join(work, 'breakdown');
  const app = (validation: boolean, extraContext: Record<string, unknown> = {}) => {
    const context = JSON.stringify({ ...cdkJsonContext(), ...extraContext });
    return `CDK_VALIDATION=${validation} CDK_OUTDIR=${outdir} CDK_CONTEXT_JSON='${context.replace(/'/g, "'\\''")}' ${cdkJsonAppCommand()}`;
  };
  const measure = (command: string) => {
    timed(command, PROJECT_ROOT);
    return median(Array.from({ length: runs }, () => timed(command, PROJECT_ROOT)));
  };
  const withValidation = measure(app(true));
  const withoutValidation = measure(app(false));
  const withControlTower = measure(app(false, { [CONTROL_TOWER_CHECKS_CONTEXT_KEY]: true }));
  const cliOnly = measure(`npx cdk synth --quiet --app ${outdir} -o ${outdir}`);
  console.log(`\nOne synth of the configuration in cdk.json, taken apart (median of ${runs} runs)\n`);
  console.log('| part | seconds |');
  console.log('| --- | ---: |');
  console.log(`| the app, without the CloudFormation validator | ${withoutValidation.toFixed(2)} |`);
  console.log(`| the CloudFormation validator (app with it minus app without) | ${(withValidation - withoutValidation).toFixed(2)} |`);
  console.log(
    `| the Control Tower checks, off by default (app with -c ${CONTROL_TOWER_CHECKS_CONTEXT_KEY}=true minus app without) | ${(withControlTower - withoutValidation).toFixed(2)} |`,
  );
  console.log(`| the CDK CLI around an already synthesized assembly | ${cliOnly.toFixed(2)} |`);
}

function benchTests(): void {
  const typeCheck = timed('npm run --silent build', PROJECT_ROOT);
  const jest = timed('npm run --silent test:unit -- --silent', PROJECT_ROOT);
  const all = timed('npm test --silent', PROJECT_ROOT);
  console.log(`\nTests: type check ${typeCheck.toFixed(1)} s, jest ${jest.toFixed(1)} s, npm test ${all.toFixed(1)} s (one run each)`);
}

function main(): void {
  const runs = Number(flagValue(process.argv, '--runs') ?? 3);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a positive integer, got ${flagValue(process.argv, '--runs')}`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-mrk-bench-'));
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);
  if (process.argv.includes('--grid')) {
    benchGrid(runs, work);
  } else {
    // --one-region: only what the ratio against the reference app needs, for a quick check on a busy machine.
    benchProject(runs, work, process.argv.includes('--one-region') ? [1] : REPLICA_COUNTS);
    if (!process.argv.includes('--one-region')) benchGrid(runs, work);
    benchBreakdown(runs, work);
    if (!process.argv.includes('--no-tests')) benchTests();
  }
  fs.rmSync(work, { recursive: true, force: true });
}

runMain('bench', main);
