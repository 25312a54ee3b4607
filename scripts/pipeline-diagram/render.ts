/**
 * Draws the pipeline as a Mermaid flowchart from its synthesized CloudFormation
 * template, so the picture in the README is the pipeline that deploys, not a
 * drawing of what someone remembers.
 */

export interface DiagramOptions {
  /** Region of the pipeline stack: deploy actions without a `Region` deploy there. */
  readonly pipelineRegion?: string;
}

interface Action {
  readonly name: string;
  readonly category: string;
  readonly provider: string;
  readonly runOrder: number;
  readonly region?: string;
  readonly configuration: Record<string, unknown>;
}

interface Stage {
  readonly name: string;
  readonly actions: readonly Action[];
}

/**
 * A Mermaid `flowchart LR` of the one `AWS::CodePipeline::Pipeline` in `template`:
 * one box per stage, in order; inside a stage, one node per action, linked by run
 * order, so actions that run in parallel sit side by side between the same arrows.
 * Deploy actions show their stack and Region, the approval is a hexagon.
 */
export function renderPipelineDiagram(template: unknown, options: DiagramOptions = {}): string {
  const stages = readStages(template);
  const lines = ['flowchart LR'];
  stages.forEach((stage, s) => {
    const stageId = `s${s + 1}`;
    lines.push(`  subgraph ${stageId}["${text(stage.name)}"]`, '    direction LR');
    const groups = byRunOrder(stage.actions).map((group, g) =>
      group.map((action, a) => ({ action, id: `${stageId}a${g + 1}${group.length > 1 ? `_${a + 1}` : ''}` })),
    );
    for (const node of groups.flat()) {
      lines.push(`    ${node.id}${shape(node.action, options)}`);
    }
    groups.slice(1).forEach((group, g) => {
      for (const from of groups[g]) {
        for (const to of group) {
          lines.push(`    ${from.id} --> ${to.id}`);
        }
      }
    });
    lines.push('  end');
  });
  for (let s = 1; s < stages.length; s++) {
    lines.push(`  s${s} --> s${s + 1}`);
  }
  return `${lines.join('\n')}\n`;
}

function readStages(template: unknown): Stage[] {
  const resources = Object.values((template as { Resources?: Record<string, any> })?.Resources ?? {});
  const pipelines = resources.filter((resource) => resource?.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length !== 1) {
    throw new Error(`expected one AWS::CodePipeline::Pipeline in the template, found ${pipelines.length}`);
  }
  const stages = pipelines[0].Properties?.Stages;
  if (!Array.isArray(stages) || stages.length === 0) {
    throw new Error('the AWS::CodePipeline::Pipeline has no Stages');
  }
  return stages.map((stage: any) => ({
    name: String(stage.Name),
    actions: (stage.Actions ?? []).map((action: any) => ({
      name: String(action.Name),
      category: String(action.ActionTypeId?.Category),
      provider: String(action.ActionTypeId?.Provider),
      runOrder: typeof action.RunOrder === 'number' ? action.RunOrder : 1,
      region: typeof action.Region === 'string' ? action.Region : undefined,
      configuration: action.Configuration ?? {},
    })),
  }));
}

/** Actions grouped by run order, lowest first; each group runs in parallel. */
function byRunOrder(actions: readonly Action[]): Action[][] {
  const runOrders = [...new Set(actions.map((action) => action.runOrder))].sort((a, b) => a - b);
  return runOrders.map((runOrder) => actions.filter((action) => action.runOrder === runOrder));
}

/** The node's shape and label: what it is, and for a deploy, which stack in which Region. */
function shape(action: Action, options: DiagramOptions): string {
  const config = action.configuration;
  const kind = `${action.category}/${action.provider}`;
  switch (kind) {
    case 'Source/CodeStarSourceConnection': {
      const repository = typeof config.FullRepositoryId === 'string' ? config.FullRepositoryId : action.name;
      const branch = typeof config.BranchName === 'string' ? `branch ${config.BranchName}` : 'CodeConnections';
      return `(["${label(repository, branch)}"])`;
    }
    case 'Approval/Manual':
      return `{{"${label(action.name, 'manual approval')}"}}`;
    case 'Deploy/CloudFormation': {
      const stack = typeof config.StackName === 'string' ? config.StackName : action.name;
      const region = action.region ?? options.pipelineRegion ?? "the pipeline's Region";
      return `[["${label(`deploy ${stack}`, `CloudFormation in ${region}`)}"]]`;
    }
    case 'Build/CodeBuild':
      return `["${label(action.name, 'CodeBuild')}"]`;
    default:
      return `["${label(action.name, action.region ? `${kind} in ${action.region}` : kind)}"]`;
  }
}

function label(title: string, detail: string): string {
  return `${text(title)}<br/>${text(detail)}`;
}

/** Text inside a quoted Mermaid label: entity codes for the characters Mermaid or HTML would read. */
function text(value: string): string {
  return value.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
