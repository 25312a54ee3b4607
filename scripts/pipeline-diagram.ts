/**
 * Synthesizes the example configuration, draws its pipeline as a Mermaid diagram,
 * and writes it into README.md (between the pipeline-diagram markers) and docs/pipeline.md.
 *
 *   npm run diagram               # write both files
 *   npm run diagram -- --check    # exit 1 when either file differs from what the code produces
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIAGRAM_BLOCK, PIPELINE_DOC, pipelineDoc, readmeDiagramBlock } from './pipeline-diagram/documents';
import { replaceBlock } from './support/readme-block';
import { renderPipelineDiagram } from './pipeline-diagram/render';
import { runMain } from './support/run-main';
import { PROJECT_ROOT, projectConfig } from './support/project-config';
import { synthesizeApp } from './support/synthesize-app';

/** The diagram of the pipeline that `cdk synth` builds from cdk.json. */
export function currentDiagram(): string {
  const { app, stack, pipelineTemplate } = synthesizeApp(projectConfig());
  fs.rmSync(app.outdir, { recursive: true, force: true });
  return renderPipelineDiagram(pipelineTemplate, { pipelineRegion: stack.region });
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`diagram: unknown argument ${unknown[0]}: the only option is --check`);
    return 2;
  }
  const diagram = currentDiagram();
  const files = [
    { file: 'README.md', wanted: (current: string) => replaceBlock(current, DIAGRAM_BLOCK, readmeDiagramBlock(diagram), 'README.md') },
    { file: PIPELINE_DOC, wanted: () => pipelineDoc(diagram) },
  ].map(({ file, wanted }) => {
    const absolute = path.join(PROJECT_ROOT, file);
    const current = fs.existsSync(absolute) ? fs.readFileSync(absolute, 'utf8') : '';
    return { file, absolute, current, wanted: wanted(current) };
  });

  const stale = files.filter((f) => f.current !== f.wanted);
  if (argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(
        `diagram: ${stale.map((f) => f.file).join(' and ')} out of date with the pipeline: run npm run diagram and commit the result`,
      );
      return 1;
    }
    console.log('diagram: README.md and docs/pipeline.md match the pipeline');
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
