/**
 * Reads the shape of a synthesized pipeline from its CloudFormation template:
 * stages, actions, run orders, and the serial path from source to the last action.
 */

export interface PipelineAction {
  readonly name: string;
  /** Source, Build, Approval, Deploy, ... */
  readonly category: string;
  /** CodeStarSourceConnection, CodeBuild, Manual, CloudFormation, ... */
  readonly provider: string;
  readonly runOrder: number;
  /** The action's Region when it differs from the pipeline's. */
  readonly region?: string;
}

export interface PipelineStage {
  readonly name: string;
  readonly actions: readonly PipelineAction[];
}

export interface PipelineShape {
  readonly stages: readonly PipelineStage[];
  /**
   * Actions that must run one after another: within a stage, actions with the
   * same run order run in parallel, so each distinct run order is one step.
   */
  readonly serialActionCount: number;
  /** One action per serial step (the first of each parallel group), in order. */
  readonly serialPath: readonly string[];
  readonly codeBuildProjectCount: number;
  readonly iamRoleCount: number;
}

type Template = { Resources?: Record<string, { Type: string; Properties?: any }> };

/** The shape of the one `AWS::CodePipeline::Pipeline` in `template`. */
export function analyzePipeline(template: Template): PipelineShape {
  const resources = Object.values(template.Resources ?? {});
  const pipelines = resources.filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length !== 1) {
    throw new Error(`expected one AWS::CodePipeline::Pipeline in the template, found ${pipelines.length}`);
  }
  const stages: PipelineStage[] = pipelines[0].Properties.Stages.map((stage: any) => ({
    name: stage.Name,
    actions: stage.Actions.map((action: any) => ({
      name: action.Name,
      category: action.ActionTypeId.Category,
      provider: action.ActionTypeId.Provider,
      runOrder: action.RunOrder ?? 1,
      ...(action.Region ? { region: action.Region } : {}),
    })),
  }));
  const serialPath: string[] = [];
  for (const stage of stages) {
    const runOrders = [...new Set(stage.actions.map((a) => a.runOrder))].sort((a, b) => a - b);
    for (const runOrder of runOrders) {
      const group = stage.actions.filter((a) => a.runOrder === runOrder);
      serialPath.push(`${stage.name}/${group[0].name}${group.length > 1 ? ` (+${group.length - 1} in parallel)` : ''}`);
    }
  }
  return {
    stages,
    serialActionCount: serialPath.length,
    serialPath,
    codeBuildProjectCount: resources.filter((r) => r.Type === 'AWS::CodeBuild::Project').length,
    iamRoleCount: resources.filter((r) => r.Type === 'AWS::IAM::Role').length,
  };
}
