/** Which stages of the pipeline belong to which environment, for the diagram's environment boxes. */
import { EnvironmentDefinition, KmsPipelineConfig } from '../../lib/config/kms-pipeline-config';
import { environmentStagePrefix } from '../../lib/resource-names';
import { pipelineStageNames, renderPipelineDiagram, StageGroup } from './render';

/**
 * Whether `stageName` is one of the environment's stages: its primary stage, or its replica wave, which CDK
 * Pipelines names after the wave (`<prefix>Replicas`) or, for a wave of one Region, after its one stage
 * (`<prefix>Replica-<region>`). Environment names are lower case and the stage names after the prefix are not,
 * so no stage is two environments'.
 */
function isEnvironmentStage(stageName: string, environment: EnvironmentDefinition): boolean {
  const prefix = environmentStagePrefix(environment);
  return stageName === `${prefix}Primary` || stageName === `${prefix}Replicas` || stageName.startsWith(`${prefix}Replica-`);
}

/**
 * One box per environment around its stages, titled with its name and account, when the configuration has
 * several environments; none for one environment, whose pipeline is drawn as it always was.
 */
export function environmentStageGroups(config: KmsPipelineConfig, stageNames: readonly string[]): StageGroup[] {
  if (config.environments.length < 2) return [];
  return config.environments.map((environment) => ({
    title: `environment ${environment.name}`,
    detail: `account ${environment.account}${environment.account === config.pipeline.account ? " (the pipeline's)" : ''}`,
    stageNames: stageNames.filter((name) => isEnvironmentStage(name, environment)),
  }));
}

/** The diagram of the synthesized pipeline `pipelineTemplate` of `config`, with a box per environment when it has several. */
export function drawPipeline(config: KmsPipelineConfig, pipelineTemplate: unknown, pipelineRegion: string): string {
  return renderPipelineDiagram(pipelineTemplate, {
    pipelineRegion,
    stageGroups: environmentStageGroups(config, pipelineStageNames(pipelineTemplate)),
  });
}
