/**
 * Prints the shape of the pipeline that the configuration produces: stages,
 * actions with their run order and Region, the serial path from source to the
 * verification report, and the counts that must not grow with the Regions.
 *
 *   npm run pipeline-shape                        # the configuration in cdk.json
 *   npm run pipeline-shape -- --config my-env.json
 */
import { analyzePipeline } from './pipeline-shape/analyze-pipeline';
import { flagValue, runMain } from './support/run-main';
import { projectConfig } from './support/project-config';
import { synthesizeApp } from './support/synthesize-app';

function main(): void {
  const config = projectConfig({ configFile: flagValue(process.argv, '--config') });
  const shape = analyzePipeline(synthesizeApp(config).pipelineTemplate);
  for (const stage of shape.stages) {
    console.log(`${stage.name}`);
    for (const action of stage.actions) {
      const where = action.region ? ` [${action.region}]` : '';
      console.log(`  run order ${action.runOrder}: ${action.name} (${action.category}/${action.provider})${where}`);
    }
  }
  console.log(`\nserial path (${shape.serialActionCount} actions):`);
  shape.serialPath.forEach((step, i) => console.log(`  ${i + 1}. ${step}`));
  console.log(`\nCodeBuild projects: ${shape.codeBuildProjectCount}`);
  console.log(`IAM roles in the pipeline stack: ${shape.iamRoleCount}`);
}

runMain('pipeline-shape', main);
