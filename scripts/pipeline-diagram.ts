/**
 * Synthesizes the project's configuration and the example configuration of environments, draws each pipeline as
 * a Mermaid diagram, and writes them into README.md (between the pipeline-diagram markers), docs/pipeline.md and
 * docs/pipeline-environments.md.
 *
 *   npm run diagram               # write the three files
 *   npm run diagram -- --check    # exit 1 when any of them differs from what the code produces
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KmsPipelineConfig } from '../lib/config/kms-pipeline-config';
import {
  DIAGRAM_BLOCK,
  ENVIRONMENTS_DOC,
  environmentsDoc,
  EXAMPLE_ENVIRONMENTS_CONFIG,
  PIPELINE_DOC,
  pipelineDoc,
  readmeDiagramBlock,
} from './pipeline-diagram/documents';
import { drawPipeline } from './pipeline-diagram/environments';
import { replaceBlock } from './support/readme-block';
import { runMain } from './support/run-main';
import { PROJECT_ROOT, projectConfig } from './support/project-config';
import { synthesizeApp } from './support/synthesize-app';

/** The diagram of the pipeline that the app builds from `config`, with a box per environment when it has several. */
export function diagramOf(config: KmsPipelineConfig): string {
  const { app, stack, pipelineTemplate } = synthesizeApp(config);
  fs.rmSync(app.outdir, { recursive: true, force: true });
  return drawPipeline(config, pipelineTemplate, stack.region);
}

/** The diagram of the pipeline that `cdk synth` builds from cdk.json. */
export function currentDiagram(): string {
  return diagramOf(projectConfig());
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`diagram: unknown argument ${unknown[0]}: the only option is --check`);
    return 2;
  }
  const diagram = currentDiagram();
  const environments = diagramOf(projectConfig({ configFile: EXAMPLE_ENVIRONMENTS_CONFIG }));
  const files = [
    { file: 'README.md', wanted: (current: string) => replaceBlock(current, DIAGRAM_BLOCK, readmeDiagramBlock(diagram), 'README.md') },
    { file: PIPELINE_DOC, wanted: () => pipelineDoc(diagram) },
    { file: ENVIRONMENTS_DOC, wanted: () => environmentsDoc(environments) },
  ].map(({ file, wanted }) => {
    const absolute = path.join(PROJECT_ROOT, file);
    const current = fs.existsSync(absolute) ? fs.readFileSync(absolute, 'utf8') : '';
    return { file, absolute, current, wanted: wanted(current) };
  });

  const stale = files.filter((f) => f.current !== f.wanted);
  if (argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(
        `diagram: ${stale.map((f) => f.file).join(', ')} out of date with the pipeline: run npm run diagram and commit the result`,
      );
      return 1;
    }
    console.log(`diagram: ${files.map((f) => f.file).join(', ')} match the pipeline`);
    return 0;
  }
  for (const f of stale) {
    fs.mkdirSync(path.dirname(f.absolute), { recursive: true });
    fs.writeFileSync(f.absolute, f.wanted);
  }
  console.log(stale.length === 0 ? 'diagram: already up to date' : `diagram: wrote ${stale.map((f) => f.file).join(', ')}`);
  return 0;
}

if (require.main === module) {
  runMain('diagram', () => main(process.argv.slice(2)));
}
