import { Template } from 'aws-cdk-lib/assertions';
import { devDependencies } from '../package.json';
import { analyzePipeline } from '../scripts/pipeline-shape/analyze-pipeline';
import { configWith, synthesize, synthesizeOnce } from './helpers/app';
import { buildSpecOf, pipelineOf } from './helpers/pipeline-template';

const THREE_REGIONS = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];

describe('pipeline of the example config', () => {
  const { stack, pipelineTemplate: template } = synthesizeOnce(configWith());
  const shape = analyzePipeline(template.toJSON());

  test('is a V2 pipeline in the configured account and Region', () => {
    expect(stack.account).toBe('111111111111');
    expect(stack.region).toBe('us-east-1');
    expect(stack.stackName).toBe('kms-mrk-pipeline');
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2' });
  });

  test('runs source, synth, self-mutation, primary, then approval, replicas and verification in order', () => {
    expect(shape.stages.map((s) => s.name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Primary', 'Replica-eu-west-1']);
    expect(shape.stages[2].actions.map((a) => a.name)).toEqual(['SelfMutate']);
    expect(shape.stages[3].actions).toEqual([{ name: 'Deploy', category: 'Deploy', provider: 'CloudFormation', runOrder: 1 }]);
    expect(shape.stages[4].actions).toEqual([
      { name: 'ApproveReplicas', category: 'Approval', provider: 'Manual', runOrder: 1 },
      { name: 'PreflightReplicaRegions', category: 'Build', provider: 'CodeBuild', runOrder: 1 },
      { name: 'ProtectPrimaryKeyStack', category: 'Build', provider: 'CodeBuild', runOrder: 1 },
      { name: 'kms-mrk-replica-key-eu-west-1.Deploy', category: 'Deploy', provider: 'CloudFormation', runOrder: 2, region: 'eu-west-1' },
      { name: 'ProtectReplicaKeyStacks', category: 'Build', provider: 'CodeBuild', runOrder: 3 },
      { name: 'VerifyReplication', category: 'Build', provider: 'CodeBuild', runOrder: 3 },
    ]);
  });

  test('self-mutation installs the same CDK CLI version as package.json', () => {
    expect(buildSpecOf(template, 'PipelineUpdatePipelineSelfMutation')).toContain(`aws-cdk@${devDependencies['aws-cdk']}`);
  });

  test('the source is the configured connection, repository and branch, triggered on push', () => {
    const source = pipelineOf(template).Stages[0].Actions[0];
    expect(source.ActionTypeId.Provider).toBe('CodeStarSourceConnection');
    expect(source.Configuration).toMatchObject({
      ConnectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
      FullRepositoryId: 'my-org/kms-multi-region-pipeline',
      BranchName: 'main',
    });
    expect(source.Configuration.DetectChanges).not.toBe(false);
  });

  test('the synth step installs, runs the tests with a JUnit report, bundles the verifier, then synthesizes with the Control Tower checks', () => {
    const spec = buildSpecOf(template, 'PipelineBuildSynth');
    expect(spec).toMatch(/npm ci.*npm test.*npm run bundle.*npx cdk synth -c controlTowerChecks=true\\"/);
    expect(spec).toContain('unit-tests.xml');
    expect(spec).toContain('JUNITXML');
    expect(spec).toContain('UnitTestReports');
  });

  test('every CodeBuild project logs to the one build log group', () => {
    const projects = Object.values<any>(template.findResources('AWS::CodeBuild::Project'));
    const [logGroupId] = Object.keys(
      template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/kms-mrk/pipeline/builds' } }),
    );
    // The pipeline's six and the scheduled verification.
    expect(projects).toHaveLength(7);
    for (const project of projects) {
      expect(project.Properties.LogsConfig).toEqual({ CloudWatchLogs: { GroupName: { Ref: logGroupId }, Status: 'ENABLED' } });
    }
  });

  test('the cross-Region replication bucket is versioned and expires artifacts like the artifact bucket', () => {
    const [support] = Object.values(stack.pipeline.pipeline.crossRegionSupport);
    const bucket = Object.values<any>(Template.fromStack(support.stack).findResources('AWS::S3::Bucket'))[0];
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      { ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
    ]);
  });

  test('the approval says what the approver is approving', () => {
    const approval = pipelineOf(template).Stages[4].Actions[0];
    expect(approval.Configuration.CustomData).toBe(
      'The primary key alias/app-data is deployed in us-east-1. Approving creates or updates its replicas in eu-west-1, ' +
        'then verifies that ciphertext from us-east-1 decrypts there and not in ca-central-1.',
    );
  });

  test('self-mutation is on and the pipeline deploys without change-set actions', () => {
    expect(shape.serialPath).toContain('UpdatePipeline/SelfMutate');
    const deployActions = shape.stages.flatMap((s) => s.actions).filter((a) => a.category === 'Deploy');
    expect(deployActions.map((a) => a.name)).toEqual(['Deploy', 'kms-mrk-replica-key-eu-west-1.Deploy']);
  });
});

describe('bootstrap qualifier, permissions boundary and teardown', () => {
  const synthesized = synthesizeOnce(configWith());
  const templates = synthesized.app.synth().stacksRecursively.map((s) => s.template);

  test('every stack deploys through the bootstrap roles of the project qualifier, not the shared default one', () => {
    for (const template of templates) {
      const version = template.Parameters?.BootstrapVersion?.Default;
      expect(version ?? '/cdk-bootstrap/kmsmrk0be8/version').toBe('/cdk-bootstrap/kmsmrk0be8/version');
      expect(JSON.stringify(template)).not.toContain('hnb659fds');
    }
    const deployRoles = pipelineOf(synthesized.pipelineTemplate)
      .Stages.flatMap((s: any) => s.Actions)
      .filter((a: any) => a.ActionTypeId.Category === 'Deploy')
      .map((a: any) => JSON.stringify(a.RoleArn));
    expect(deployRoles).toHaveLength(2);
    deployRoles.forEach((role: string) => expect(role).toMatch(/cdk-kmsmrk0be8-deploy-role-111111111111-(us-east-1|eu-west-1)/));
  });

  test('every role of every stack carries the project permissions boundary', () => {
    const roles = templates.flatMap((t) => Object.values<any>(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThanOrEqual(10);
    for (const role of roles) {
      expect(role.Properties.PermissionsBoundary).toBe('arn:aws:iam::111111111111:policy/kms-mrk-permissions-boundary');
    }
  });

  test('both report groups are deleted with their reports, so deleting the pipeline stack does not fail on a used group', () => {
    const groups = Object.values<any>(synthesized.pipelineTemplate.findResources('AWS::CodeBuild::ReportGroup'));
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      expect(group.Properties.DeleteReports).toBe(true);
      expect(group.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('pipeline shape across configurations', () => {
  const three = synthesizeOnce(configWith((raw) => (raw.replicaRegions = THREE_REGIONS)));

  test('N replica Regions give N replica stages, all deployed in one pipeline stage in parallel', () => {
    expect(three.stack.replicaStages.map((s) => s.keyStack.region)).toEqual(THREE_REGIONS);
    const shape = analyzePipeline(three.pipelineTemplate.toJSON());
    const wave = shape.stages[4];
    expect(wave.name).toBe('Replicas');
    const deploys = wave.actions.filter((a) => a.category === 'Deploy');
    expect(deploys.map((a) => a.region)).toEqual(THREE_REGIONS);
    expect(new Set(deploys.map((a) => a.runOrder))).toEqual(new Set([2]));
    expect(wave.actions.find((a) => a.category === 'Approval')!.runOrder).toBe(1);
    expect(wave.actions.find((a) => a.name === 'VerifyReplication')!.runOrder).toBe(3);
  });

  test('with the approval gate off there is no approval action', () => {
    const { pipelineTemplate } = synthesizeOnce(configWith((raw) => (raw.pipeline.manualApproval = false)));
    const shape = analyzePipeline(pipelineTemplate.toJSON());
    expect(shape.stages.flatMap((s) => s.actions).filter((a) => a.category === 'Approval')).toEqual([]);
  });

  test.each(['/home/me/prod.json', '../elsewhere/prod.json', 'prod config.json', 'prod.json;rm -rf x'])(
    'a config file the pipeline could not read from its checkout is refused: %s',
    (file) => {
      expect(() => synthesize(configWith(), { configFile: file })).toThrow(
        `context "config" must be a path inside the repository, relative to it, of A-Z a-z 0-9 . _ - / ` +
          `(the pipeline's own synth reads the file from its checkout), got ${JSON.stringify(file)}`,
      );
    },
  );

  test('a config file given at synth is used by the pipeline synth step too', () => {
    const { pipelineTemplate } = synthesizeOnce(configWith(), { configFile: 'envs/prod.json' });
    expect(buildSpecOf(pipelineTemplate, 'PipelineBuildSynth')).toContain(
      'npx cdk synth -c controlTowerChecks=true -c config=envs/prod.json',
    );
  });
});
