/**
 * Draws the pipeline as a Mermaid flowchart from its synthesized CloudFormation
 * template, so the picture in the README is the pipeline that deploys, not a
 * drawing of what someone remembers.
 */

export interface DiagramOptions {
  /** Region of the pipeline stack: deploy actions without a `Region` deploy there. */
  readonly pipelineRegion?: string;
  /**
   * Boxes around runs of consecutive stages (an environment's stages, with its account), in pipeline order.
   * A stage in no group is drawn at the top level.
   *
   * @default - no group
   */
  readonly stageGroups?: readonly StageGroup[];
}

/** Stages drawn together in one labelled box. */
export interface StageGroup {
  /** The box's title. */
  readonly title: string;
  /** The box's second line. */
  readonly detail: string;
  /** Names of the stages in the box, as the template names them. */
  readonly stageNames: readonly string[];
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
  const groupOf = stageGroupIndex(stages, options.stageGroups ?? []);
  const lines = ['flowchart LR'];
  stages.forEach((stage, s) => {
    const g = groupOf.get(stage.name);
    if (g !== undefined && groupOf.get(stages[s - 1]?.name) !== g) {
      const group = options.stageGroups![g];
      lines.push(`  subgraph g${g + 1}["${label(group.title, group.detail)}"]`, '    direction LR');
    }
    const indent = g === undefined ? '' : '  ';
    lines.push(...stageLines(stage, `s${s + 1}`, options).map((line) => `${indent}${line}`));
    if (g !== undefined && groupOf.get(stages[s + 1]?.name) !== g) lines.push('  end');
  });
  for (let s = 1; s < stages.length; s++) {
    lines.push(`  s${s} --> s${s + 1}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One stage's box: its actions, linked by run order. */
function stageLines(stage: Stage, stageId: string, options: DiagramOptions): string[] {
  const lines = [`  subgraph ${stageId}["${text(stage.name)}"]`, '    direction LR'];
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
  return lines;
}

/**
 * The group of each grouped stage, by stage name. A stage in two groups, a group naming a stage the pipeline
 * does not have, or a group whose stages are not consecutive is a mistake in the caller: it throws.
 */
function stageGroupIndex(stages: readonly Stage[], groups: readonly StageGroup[]): Map<string | undefined, number> {
  const index = new Map<string | undefined, number>();
  const names = stages.map((stage) => stage.name);
  groups.forEach((group, g) => {
    for (const name of group.stageNames) {
      if (!names.includes(name)) throw new Error(`stage group ${group.title} names stage ${name}, which the pipeline does not have`);
      if (index.has(name)) throw new Error(`stage ${name} is in two stage groups`);
      index.set(name, g);
    }
    const positions = group.stageNames.map((name) => names.indexOf(name)).sort((a, b) => a - b);
    if (positions.some((position, i) => i > 0 && position !== positions[i - 1] + 1)) {
      throw new Error(`stage group ${group.title} holds stages that are not consecutive: ${group.stageNames.join(', ')}`);
    }
  });
  return index;
}

/** The names of the pipeline's stages, in order. */
export function pipelineStageNames(template: unknown): string[] {
  return readStages(template).map((stage) => stage.name);
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
