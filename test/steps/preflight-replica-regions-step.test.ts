import { configWith, synthesizeOnce } from '../helpers/app';
import { buildCommands, projectNamed } from '../helpers/pipeline-template';
import { analyzePipeline } from '../../scripts/pipeline-shape/analyze-pipeline';

const THREE_REGIONS = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];

describe('PreflightReplicaRegionsStep in a pipeline with three replica Regions', () => {
  const three = synthesizeOnce(configWith((raw) => (raw.replicaRegions = THREE_REGIONS)));
  const { project, statements } = projectNamed(three.pipelineTemplate, 'PreflightReplicaRegions');

  test('runs the bundled preflight with every replica Region, its stack and the alias', () => {
    expect(buildCommands(project)).toEqual(['node preflight-replica-regions.js']);
    expect(project.Properties.Environment.EnvironmentVariables).toEqual(
      expect.arrayContaining([
        {
          Name: 'REPLICA_STACKS',
          Type: 'PLAINTEXT',
          Value: THREE_REGIONS.map((r) => `${r}=kms-mrk-replica-key-${r}`).join(','),
        },
        { Name: 'KEY_ALIAS', Type: 'PLAINTEXT', Value: 'alias/app-data' },
      ]),
    );
  });

  test('runs beside the approval, so the path from push to report keeps its length', () => {
    const wave = analyzePipeline(three.pipelineTemplate.toJSON()).stages[4].actions;
    expect(wave.find((a) => a.name === 'PreflightReplicaRegions')?.runOrder).toBe(1);
    expect(wave.find((a) => a.name === 'ApproveReplicas')?.runOrder).toBe(1);
  });

  test('may only read the replica key stacks, the primary key and what the alias points at', () => {
    const own = statements.filter((s: any) => s.Sid !== undefined);
    expect(own).toEqual([
      {
        Sid: 'ReadTheReplicaKeyStacks',
        Effect: 'Allow',
        Action: 'cloudformation:DescribeStacks',
        Resource: THREE_REGIONS.map((r) => `arn:aws:cloudformation:${r}:111111111111:stack/kms-mrk-replica-key-${r}/*`).sort(),
      },
      {
        Sid: 'ListTheReplicasOfThePrimary',
        Effect: 'Allow',
        Action: 'kms:DescribeKey',
        Resource: 'arn:aws:kms:us-east-1:111111111111:key/mrk-*',
      },
      {
        Sid: 'ResolveTheAliasInReplicaRegions',
        Effect: 'Allow',
        Action: 'kms:DescribeKey',
        Resource: THREE_REGIONS.map((r) => `arn:aws:kms:${r}:111111111111:key/*`).sort(),
        Condition: { StringEquals: { 'kms:RequestAlias': 'alias/app-data' } },
      },
    ]);
  });
});
