import { Match } from 'aws-cdk-lib/assertions';
import { KMS_MULTI_REGION_REGIONS } from '../lib/config/aws-regions';
import { analyzePipeline } from '../scripts/pipeline-shape/analyze-pipeline';
import { configWith, synthesizeOnce } from './helpers/app';

/** The first `count` Regions that are neither the example's primary nor its no-replica Region. */
function replicas(count: number): string[] {
  return KMS_MULTI_REGION_REGIONS.filter((r) => r !== 'us-east-1' && r !== 'ca-central-1').slice(0, count);
}

function shapeWith(count: number) {
  const synthesized = synthesizeOnce(configWith((raw) => (raw.replicaRegions = replicas(count))));
  return { ...analyzePipeline(synthesized.pipelineTemplate.toJSON()), synthesized };
}

describe('pipeline size does not grow with the number of replica Regions', () => {
  const one = shapeWith(1);
  const eight = shapeWith(8);

  test('at most 7 serial actions from source to the verification report, with the approval gate on', () => {
    expect(one.serialActionCount).toBe(7);
    expect(eight.serialActionCount).toBe(7);
    expect(eight.serialPath).toEqual([
      'Source/my-org_kms-multi-region-pipeline',
      'Build/Synth',
      'UpdatePipeline/SelfMutate',
      'Primary/Deploy',
      'Replicas/ApproveReplicas (+2 in parallel)',
      'Replicas/Replica-af-south-1.kms-mrk-replica-key-af-south-1.Deploy (+7 in parallel)',
      'Replicas/ProtectReplicaKeyStacks (+1 in parallel)',
    ]);
  });

  test('no Assets stage: the key stacks have no file asset to publish', () => {
    expect(eight.stages.map((s) => s.name)).not.toContain('Assets');
  });

  test('the same CodeBuild projects and IAM roles for 1 and 8 Regions', () => {
    expect(one.codeBuildProjectCount).toBe(7);
    expect(eight.codeBuildProjectCount).toBe(7);
    expect(one.iamRoleCount).toBe(12);
    expect(eight.iamRoleCount).toBe(12);
  });

  test('one verification action checks every Region', () => {
    const verifyActions = eight.stages.flatMap((s) => s.actions).filter((a) => a.name.startsWith('Verify'));
    expect(verifyActions).toHaveLength(1);
    eight.synthesized.pipelineTemplate.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        EnvironmentVariables: Match.arrayWith([{ Name: 'REPLICA_REGIONS', Type: 'PLAINTEXT', Value: replicas(8).join(',') }]),
      }),
    });
  });
});
