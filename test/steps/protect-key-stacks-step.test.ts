import { analyzePipeline } from '../../scripts/pipeline-shape/analyze-pipeline';
import { configWith, synthesizeOnce } from '../helpers/app';
import { buildCommands, projectNamed } from '../helpers/pipeline-template';

const THREE_REGIONS = ['eu-west-1', 'ap-southeast-2', 'sa-east-1'];

describe('ProtectKeyStacksStep in a pipeline with three replica Regions', () => {
  const three = synthesizeOnce(configWith((raw) => (raw.replicaRegions = THREE_REGIONS)));

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
    expect(wave.filter((a) => a.runOrder === 1).map((a) => a.name)).toEqual([
      'ApproveReplicas',
      'PreflightReplicaRegions',
      'ProtectPrimaryKeyStack',
    ]);
    expect(wave.filter((a) => a.runOrder === 3).map((a) => a.name)).toEqual(['ProtectReplicaKeyStacks', 'VerifyReplication']);
  });
});
