import * as fs from 'fs';
import * as path from 'path';
import {
  DIAGRAM_BLOCK,
  ENVIRONMENTS_DOC,
  environmentsDoc,
  EXAMPLE_ENVIRONMENTS_CONFIG,
  PIPELINE_DOC,
  pipelineDoc,
  readmeDiagramBlock,
} from '../../scripts/pipeline-diagram/documents';
import { drawPipeline } from '../../scripts/pipeline-diagram/environments';
import { readBlock, replaceBlock } from '../../scripts/support/readme-block';
import { renderPipelineDiagram } from '../../scripts/pipeline-diagram/render';
import { analyzePipeline } from '../../scripts/pipeline-shape/analyze-pipeline';
import { projectConfig } from '../../scripts/support/project-config';
import { configWith, ROOT, synthesizeOnce } from '../helpers/app';

describe('the committed diagram', () => {
  // The configuration this project deploys (cdk.json), as `npm run diagram` reads it.
  const config = projectConfig();
  const project = synthesizeOnce(config);
  const projectDiagram = drawPipeline(config, project.pipelineTemplate.toJSON(), project.stack.region);

  test('README.md shows the pipeline the code builds (run `npm run diagram` after changing the pipeline)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readBlock(readme, DIAGRAM_BLOCK, 'README.md')).toBe(readmeDiagramBlock(projectDiagram));
  });

  test('docs/pipeline.md shows the pipeline the code builds (run `npm run diagram` after changing the pipeline)', () => {
    expect(fs.readFileSync(path.join(ROOT, PIPELINE_DOC), 'utf8')).toBe(pipelineDoc(projectDiagram));
  });
});

describe('the committed diagram of the example configuration of environments', () => {
  const config = projectConfig({ configFile: EXAMPLE_ENVIRONMENTS_CONFIG });
  const { stack, pipelineTemplate } = synthesizeOnce(config);
  const diagram = drawPipeline(config, pipelineTemplate.toJSON(), stack.region);

  test(`${ENVIRONMENTS_DOC} shows the pipeline the code builds from ${EXAMPLE_ENVIRONMENTS_CONFIG} (run \`npm run diagram\` after changing the pipeline)`, () => {
    expect(fs.readFileSync(path.join(ROOT, ENVIRONMENTS_DOC), 'utf8')).toBe(environmentsDoc(diagram));
  });

  test('draws a box per environment, named with its account, around its primary stage and its replica wave, in order', () => {
    const boxes = [...diagram.matchAll(/^ {2}subgraph (g\d+)\["([^"]+)"\]$/gm)].map((m) => [m[1], m[2]]);
    expect(boxes).toEqual([
      ['g1', "environment dev<br/>account 111111111111 (the pipeline's)"],
      ['g2', 'environment staging<br/>account 222222222222'],
      ['g3', 'environment production<br/>account 333333333333'],
    ]);
    const inside = (box: string) => {
      const body = diagram.split(`  subgraph ${box}[`)[1].split('\n  end\n')[0];
      return [...body.matchAll(/^ {4}subgraph s\d+\["([^"]+)"\]$/gm)].map((m) => m[1]);
    };
    expect([inside('g1'), inside('g2'), inside('g3')]).toEqual([
      ['dev-Primary', 'dev-Replica-eu-west-1'],
      ['staging-Primary', 'staging-Replica-eu-west-1'],
      ['production-Primary', 'production-Replicas'],
    ]);
    expect(diagram).toContain('[["deploy kms-mrk-staging-pipeline-access<br/>CloudFormation in us-east-1"]]');
  });

  test('the page counts 15 serial actions, as the pipeline has', () => {
    expect(environmentsDoc(diagram)).toContain('3 + 4 × (number of environments) actions one after\n  another: 15 here.');
    expect(analyzePipeline(pipelineTemplate.toJSON()).serialActionCount).toBe(3 + 4 * config.environments.length);
  });
});

describe('the diagram of the example configuration', () => {
  const { stack, pipelineTemplate } = synthesizeOnce(configWith());
  const diagram = renderPipelineDiagram(pipelineTemplate.toJSON(), { pipelineRegion: stack.region });

  test('draws every stage in order, the approval, both deploys with their Regions, and the verification after the replicas', () => {
    expect(diagram).toMatch(/^flowchart LR\n/);
    expect([...diagram.matchAll(/subgraph s\d+\["([^"]+)"\]/g)].map((m) => m[1])).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Primary',
      'Replica-eu-west-1',
    ]);
    const nodeId = (node: string): string => {
      const match = new RegExp(`^ {4}(s\\d+a[\\d_]+)${node.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').exec(diagram);
      if (!match) throw new Error(`no node ${node} in\n${diagram}`);
      return match[1];
    };
    const primary = nodeId('[["deploy kms-mrk-primary-key<br/>CloudFormation in us-east-1"]]');
    const approval = nodeId('{{"ApproveReplicas<br/>manual approval"}}');
    const replica = nodeId('[["deploy kms-mrk-replica-key-eu-west-1<br/>CloudFormation in eu-west-1"]]');
    const verify = nodeId('["VerifyReplication<br/>CodeBuild"]');
    expect(primary).toBe('s4a1');
    expect(diagram).toContain(`    ${approval} --> ${replica}\n`);
    expect(diagram).toContain(`    ${replica} --> ${verify}\n`);
  });
});

describe('renderPipelineDiagram', () => {
  const action = (name: string, category: string, provider: string, runOrder: number, extra: Record<string, unknown> = {}) => ({
    Name: name,
    ActionTypeId: { Category: category, Owner: 'AWS', Provider: provider, Version: '1' },
    RunOrder: runOrder,
    ...extra,
  });
  const template = {
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket' },
      Pipeline: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: {
          Stages: [
            {
              Name: 'Source',
              Actions: [
                action('repo', 'Source', 'CodeStarSourceConnection', 1, {
                  Configuration: { FullRepositoryId: 'org/repo', BranchName: 'main' },
                }),
              ],
            },
            {
              Name: 'Keys',
              Actions: [
                action('Approve', 'Approval', 'Manual', 1),
                action('a.Deploy', 'Deploy', 'CloudFormation', 2, { Region: 'eu-west-1', Configuration: { StackName: 'keys-eu' } }),
                action('b.Deploy', 'Deploy', 'CloudFormation', 2, { Configuration: { StackName: 'keys-home' } }),
                action('Check "it"', 'Build', 'CodeBuild', 3),
                action('Notify', 'Invoke', 'Lambda', 4, { Region: 'sa-east-1' }),
              ],
            },
          ],
        },
      },
    },
  };

  test('draws stages as boxes, run orders as arrows, parallel actions between the same arrows', () => {
    expect(renderPipelineDiagram(template, { pipelineRegion: 'us-east-1' })).toBe(
      [
        'flowchart LR',
        '  subgraph s1["Source"]',
        '    direction LR',
        '    s1a1(["org/repo<br/>branch main"])',
        '  end',
        '  subgraph s2["Keys"]',
        '    direction LR',
        '    s2a1{{"Approve<br/>manual approval"}}',
        '    s2a2_1[["deploy keys-eu<br/>CloudFormation in eu-west-1"]]',
        '    s2a2_2[["deploy keys-home<br/>CloudFormation in us-east-1"]]',
        '    s2a3["Check #quot;it#quot;<br/>CodeBuild"]',
        '    s2a4["Notify<br/>Invoke/Lambda in sa-east-1"]',
        '    s2a1 --> s2a2_1',
        '    s2a1 --> s2a2_2',
        '    s2a2_1 --> s2a3',
        '    s2a2_2 --> s2a3',
        '    s2a3 --> s2a4',
        '  end',
        '  s1 --> s2',
        '',
      ].join('\n'),
    );
  });

  test('draws a group of stages as a box around them, its stages indented inside', () => {
    const grouped = renderPipelineDiagram(template, {
      pipelineRegion: 'us-east-1',
      stageGroups: [{ title: 'environment prod', detail: 'account 222222222222', stageNames: ['Keys'] }],
    });
    expect(grouped).toContain(
      [
        '  end',
        '  subgraph g1["environment prod<br/>account 222222222222"]',
        '    direction LR',
        '    subgraph s2["Keys"]',
        '      direction LR',
        '      s2a1{{"Approve<br/>manual approval"}}',
      ].join('\n'),
    );
    expect(grouped).toContain('      s2a3 --> s2a4\n    end\n  end\n  s1 --> s2\n');
  });

  test.each([
    [[{ title: 'x', detail: '', stageNames: ['Deploy'] }], 'stage group x names stage Deploy, which the pipeline does not have'],
    [
      [
        { title: 'x', detail: '', stageNames: ['Keys'] },
        { title: 'y', detail: '', stageNames: ['Keys'] },
      ],
      'stage Keys is in two stage groups',
    ],
  ])('refuses stage groups that do not fit the pipeline: %j', (stageGroups, message) => {
    expect(() => renderPipelineDiagram(template, { stageGroups })).toThrow(message);
  });

  test('refuses a group of stages that are not consecutive', () => {
    const stages = template.Resources.Pipeline.Properties.Stages;
    const three = {
      Resources: { Pipeline: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: [...stages, { ...stages[0], Name: 'Last' }] } } },
    };
    expect(() => renderPipelineDiagram(three, { stageGroups: [{ title: 'x', detail: '', stageNames: ['Source', 'Last'] }] })).toThrow(
      'stage group x holds stages that are not consecutive: Source, Last',
    );
  });

  test("without the pipeline's Region, a deploy that names none says so", () => {
    expect(renderPipelineDiagram(template)).toContain(`s2a2_2[["deploy keys-home<br/>CloudFormation in the pipeline's Region"]]`);
  });

  test.each([
    [
      'no pipeline',
      { Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } },
      'expected one AWS::CodePipeline::Pipeline in the template, found 0',
    ],
    [
      'a pipeline without stages',
      { Resources: { P: { Type: 'AWS::CodePipeline::Pipeline', Properties: {} } } },
      'the AWS::CodePipeline::Pipeline has no Stages',
    ],
  ])('rejects a template with %s', (_what, bad, message) => {
    expect(() => renderPipelineDiagram(bad)).toThrow(message);
  });
});

describe('README blocks', () => {
  const readme = ['# Title', '', 'intro', '<!-- x:start -->', 'old', 'lines', '<!-- x:end -->', 'after', ''].join('\n');

  test('replaces only the lines between the markers, and reads them back', () => {
    const updated = replaceBlock(readme, 'x', 'new\n', 'README.md');
    expect(updated).toBe(['# Title', '', 'intro', '<!-- x:start -->', 'new', '<!-- x:end -->', 'after', ''].join('\n'));
    expect(readBlock(updated, 'x', 'README.md')).toBe('new\n');
    expect(replaceBlock(updated, 'x', 'new\n', 'README.md')).toBe(updated);
  });

  test('fills an empty block', () => {
    expect(replaceBlock('<!-- x:start -->\n<!-- x:end -->\n', 'x', 'body\n', 'F.md')).toBe('<!-- x:start -->\nbody\n<!-- x:end -->\n');
  });

  test.each([
    ['no markers', 'text', 'F.md has no "<!-- x:start -->" ... "<!-- x:end -->" pair'],
    ['markers in the wrong order', '<!-- x:end -->\n<!-- x:start -->', 'F.md has "<!-- x:end -->" before "<!-- x:start -->"'],
    ['two start markers', '<!-- x:start -->\n<!-- x:start -->\n<!-- x:end -->', 'more than once'],
  ])('refuses a file with %s', (_what, text, message) => {
    expect(() => replaceBlock(text, 'x', 'body\n', 'F.md')).toThrow(message);
  });
});
