import { Match } from 'aws-cdk-lib/assertions';
import { devDependencies } from '../package.json';
import { VERIFY_KMS_ACTIONS } from '../lib/steps/verify-replication-step';
import { analyzePipeline } from '../scripts/pipeline-shape/analyze-pipeline';
import { configWith, synthesize, synthesizeOnce } from './helpers/app';

const THREE_REGIONS = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];

function pipelineOf(template: { toJSON(): any }) {
  const resource = Object.values<any>(template.toJSON().Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  return resource.Properties;
}

function buildSpecOf(template: { toJSON(): any }, projectIdPrefix: string): string {
  const [, project] = Object.entries<any>(template.toJSON().Resources).find(
    ([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.startsWith(projectIdPrefix),
  )!;
  return JSON.stringify(project.Properties.Source.BuildSpec);
}

/** The CodeBuild project of a pipeline step, and the statements of its role's policy. */
function projectNamed(template: { toJSON(): any }, step: string): { project: any; statements: any[] } {
  const resources = Object.entries<any>(template.toJSON().Resources);
  const [, project] = resources.find(([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.includes(step))!;
  const [, policy] = resources.find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes(step))!;
  return { project, statements: policy.Properties.PolicyDocument.Statement };
}

/** The build commands of a project whose buildspec has no deploy-time values. */
function buildCommands(project: any): string[] {
  return JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands;
}

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

  test('the synth step installs, runs the tests with a JUnit report, bundles the verifier, then synthesizes', () => {
    const spec = buildSpecOf(template, 'PipelineBuildSynth');
    expect(spec).toMatch(/npm ci.*npm test.*npm run bundle.*npx cdk synth\\"/);
    expect(spec).toContain('unit-tests.xml');
    expect(spec).toContain('JUNITXML');
    expect(spec).toContain('UnitTestReports');
  });

  test('the approval says what the approver is approving', () => {
    const approval = pipelineOf(template).Stages[4].Actions[0];
    expect(approval.Configuration.CustomData).toBe(
      'The primary key alias/app-data is deployed in us-east-1. Approving creates or updates its replicas in eu-west-1, ' +
        'then verifies that ciphertext from us-east-1 decrypts there and not in ca-central-1.',
    );
  });

  test('the verification step gets the key ARN from the primary stack output and the Regions as environment', () => {
    const verify = pipelineOf(template).Stages[4].Actions[4];
    expect(JSON.parse(verify.Configuration.EnvironmentVariables)).toEqual([
      {
        name: 'PRIMARY_KEY_ARN',
        type: 'PLAINTEXT',
        value: expect.stringMatching(/^#\{PipelinePrimaryKeyStack[0-9A-F]+\.PrimaryKeyArn\}$/),
      },
    ]);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        ComputeType: 'BUILD_GENERAL1_SMALL',
        EnvironmentVariables: Match.arrayWith([
          { Name: 'REPLICA_REGIONS', Type: 'PLAINTEXT', Value: 'eu-west-1' },
          { Name: 'NO_REPLICA_REGIONS', Type: 'PLAINTEXT', Value: 'ca-central-1' },
          { Name: 'KEY_ALIAS', Type: 'PLAINTEXT', Value: 'alias/app-data' },
        ]),
      }),
    });
  });

  test('the verification step runs the bundle with no install and publishes a JUnit report group', () => {
    const spec = buildSpecOf(template, 'PipelineReplicaeuwest1VerifyReplication');
    expect(spec).toContain('node verify-replication.js');
    expect(spec).not.toMatch(/npm (ci|install)/);
    expect(spec).toContain('VerificationReports');
    expect(spec).toContain('"file-format\\": \\"JUNITXML');
    const verify = pipelineOf(template).Stages[4].Actions[4];
    expect(verify.InputArtifacts).toEqual([{ Name: 'Synth_dist_verify' }]);
    template.resourceCountIs('AWS::CodeBuild::ReportGroup', 2);
  });

  test('the verification role may only describe and use mrk- keys of this account in the verified Regions', () => {
    const policies = Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('VerifyReplication'));
    expect(policies).toHaveLength(1);
    const kmsStatements = policies[0][1].Properties.PolicyDocument.Statement.filter(
      (s: any) => [s.Action].flat().some((a: string) => a.startsWith('kms:')) && s.Sid,
    );
    expect(kmsStatements).toEqual([
      {
        Sid: 'UseMultiRegionKeysOfThisAccount',
        Effect: 'Allow',
        Action: [...VERIFY_KMS_ACTIONS].sort(),
        Resource: ['ca-central-1', 'eu-west-1', 'us-east-1'].map((r) => `arn:aws:kms:${r}:111111111111:key/mrk-*`),
      },
    ]);
  });

  test('self-mutation is on and the pipeline deploys without change-set actions', () => {
    expect(shape.serialPath).toContain('UpdatePipeline/SelfMutate');
    const deployActions = shape.stages.flatMap((s) => s.actions).filter((a) => a.category === 'Deploy');
    expect(deployActions.map((a) => a.name)).toEqual(['Deploy', 'kms-mrk-replica-key-eu-west-1.Deploy']);
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

  test('termination protection: the primary stack while the approval waits, every replica stack after its deploy', () => {
    const protectPrimary = projectNamed(three.pipelineTemplate, 'ProtectPrimaryKeyStack');
    const protectReplicas = projectNamed(three.pipelineTemplate, 'ProtectReplicaKeyStacks');
    const command = (region: string, stack: string) =>
      `aws cloudformation update-termination-protection --enable-termination-protection --region ${region} --stack-name ${stack}`;
    expect(buildCommands(protectPrimary.project)).toEqual([command('us-east-1', 'kms-mrk-primary-key')]);
    expect(buildCommands(protectReplicas.project)).toEqual(THREE_REGIONS.map((r) => command(r, `kms-mrk-replica-key-${r}`)));
    const stackArn = (region: string, stack: string) => `arn:aws:cloudformation:${region}:111111111111:stack/${stack}/*`;
    expect(protectPrimary.statements).toContainEqual({
      Action: 'cloudformation:UpdateTerminationProtection',
      Effect: 'Allow',
      Resource: stackArn('us-east-1', 'kms-mrk-primary-key'),
    });
    expect(protectReplicas.statements).toContainEqual({
      Action: 'cloudformation:UpdateTerminationProtection',
      Effect: 'Allow',
      Resource: THREE_REGIONS.map((r) => stackArn(r, `kms-mrk-replica-key-${r}`)).sort(),
    });
    const wave = analyzePipeline(three.pipelineTemplate.toJSON()).stages[4].actions;
    expect(wave.filter((a) => a.runOrder === 1).map((a) => a.name)).toEqual(['ApproveReplicas', 'ProtectPrimaryKeyStack']);
    expect(wave.filter((a) => a.runOrder === 3).map((a) => a.name)).toEqual(['ProtectReplicaKeyStacks', 'VerifyReplication']);
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
    expect(buildSpecOf(pipelineTemplate, 'PipelineBuildSynth')).toContain('npx cdk synth -c config=envs/prod.json');
  });
});
