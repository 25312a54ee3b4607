/** Readers for the synthesized pipeline template, shared by the pipeline and step tests. */

/** The properties of the one `AWS::CodePipeline::Pipeline`. */
export function pipelineOf(template: { toJSON(): any }) {
  const resource = Object.values<any>(template.toJSON().Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  return resource.Properties;
}

/** The buildspec, as JSON text, of the CodeBuild project whose logical ID starts with `projectIdPrefix`. */
export function buildSpecOf(template: { toJSON(): any }, projectIdPrefix: string): string {
  const [, project] = Object.entries<any>(template.toJSON().Resources).find(
    ([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.startsWith(projectIdPrefix),
  )!;
  return JSON.stringify(project.Properties.Source.BuildSpec);
}

/** The CodeBuild project of a pipeline step, and the statements of its role's policy. */
export function projectNamed(template: { toJSON(): any }, step: string): { project: any; statements: any[] } {
  const resources = Object.entries<any>(template.toJSON().Resources);
  const [, project] = resources.find(([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.includes(step))!;
  const [, policy] = resources.find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes(step))!;
  return { project, statements: policy.Properties.PolicyDocument.Statement };
}

/** The build commands of a project whose buildspec has no deploy-time values. */
export function buildCommands(project: any): string[] {
  return JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands;
}
