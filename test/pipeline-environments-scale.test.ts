import * as fs from 'fs';
import * as path from 'path';
import { validateConfig } from '../lib/config/validate-config';
import { gridConfig, GridPoint } from '../scripts/bench/environment-grid';
import { EXAMPLE_ENVIRONMENTS_CONFIG } from '../scripts/pipeline-diagram/documents';
import { analyzePipeline } from '../scripts/pipeline-shape/analyze-pipeline';
import { configWith, ROOT, synthesizeOnce } from './helpers/app';

/*
 * The size of the pipeline of several environments, for the configurations that `npm run bench` times
 * (scripts/bench/environment-grid.ts): E environments of config/example-environments.json, approvals on, K keys and N
 * replica Regions per environment. Only the environments add to it: 4 serial actions, 5 CodeBuild projects and 7 IAM
 * roles each.
 */

const EXAMPLE = JSON.parse(fs.readFileSync(path.join(ROOT, EXAMPLE_ENVIRONMENTS_CONFIG), 'utf8'));

function shapeOf(point: GridPoint) {
  return analyzePipeline(synthesizeOnce(validateConfig(gridConfig(EXAMPLE, point))).pipelineTemplate.toJSON());
}

/** Source, Synth and SelfMutate, then per environment its primary deploy, the approval, the replica deploys and the verification. */
const serialActions = (environments: number) => 3 + 4 * environments;
/** Synth and SelfMutate, then per environment its four steps and the scheduled verification. */
const codeBuildProjects = (environments: number) => 2 + 5 * environments;
/**
 * The pipeline's own role, the source action's, Synth's, SelfMutate's and the one role of every CodeBuild action;
 * then per environment its four steps' roles, its approval action's, its scheduled verification's and that
 * schedule's.
 */
const iamRoles = (environments: number) => 5 + 7 * environments;

describe('pipeline size grows with the environments alone', () => {
  const one = shapeOf({ environments: 1, keys: 1, replicaRegions: 1 });
  const three = shapeOf({ environments: 3, keys: 5, replicaRegions: 8 });

  test('(E, K, N) = (1, 1, 1): 7 serial actions, 7 CodeBuild projects, 12 IAM roles', () => {
    expect([one.serialActionCount, one.codeBuildProjectCount, one.iamRoleCount]).toEqual([7, 7, 12]);
    expect([one.serialActionCount, one.codeBuildProjectCount, one.iamRoleCount]).toEqual([
      serialActions(1),
      codeBuildProjects(1),
      iamRoles(1),
    ]);
  });

  test('(E, K, N) = (3, 5, 8): 15 serial actions, 17 CodeBuild projects, 26 IAM roles', () => {
    expect([three.serialActionCount, three.codeBuildProjectCount, three.iamRoleCount]).toEqual([15, 17, 26]);
    expect([three.serialActionCount, three.codeBuildProjectCount, three.iamRoleCount]).toEqual([
      serialActions(3),
      codeBuildProjects(3),
      iamRoles(3),
    ]);
  });

  test('(3, 5, 8): each environment deploys its primary keys, waits for its approval, deploys its replicas and verifies, before the next', () => {
    expect(three.serialPath).toEqual([
      'Source/my-org_kms-multi-region-pipeline',
      'Build/Synth',
      'UpdatePipeline/SelfMutate',
      'dev-Primary/Deploy',
      'dev-Replicas/dev-ApproveReplicas (+2 in parallel)',
      'dev-Replicas/dev-Replica-af-south-1.kms-mrk-dev-replica-key-af-south-1.Deploy (+7 in parallel)',
      'dev-Replicas/dev-ProtectReplicaKeyStacks (+1 in parallel)',
      'staging-Primary/kms-mrk-staging-pipeline-access.Deploy (+1 in parallel)',
      'staging-Replicas/staging-ApproveReplicas (+2 in parallel)',
      'staging-Replicas/staging-Replica-af-south-1.kms-mrk-staging-replica-key-af-south-1.Deploy (+7 in parallel)',
      'staging-Replicas/staging-ProtectReplicaKeyStacks (+1 in parallel)',
      'production-Primary/kms-mrk-production-pipeline-access.Deploy (+1 in parallel)',
      'production-Replicas/production-ApproveReplicas (+2 in parallel)',
      'production-Replicas/production-Replica-af-south-1.kms-mrk-production-replica-key-af-south-1.Deploy (+7 in parallel)',
      'production-Replicas/production-ProtectReplicaKeyStacks (+1 in parallel)',
    ]);
    const actions = three.stages.flatMap((stage) => stage.actions.map((action) => action.name));
    expect(actions.filter((name) => name.endsWith('VerifyReplication'))).toEqual([
      'dev-VerifyReplication',
      'staging-VerifyReplication',
      'production-VerifyReplication',
    ]);
  });

  test('a configuration without environments (config/example.json: its one environment, 1 key, 1 replica Region) has the size of (1, 1, 1)', () => {
    const legacy = analyzePipeline(synthesizeOnce(configWith()).pipelineTemplate.toJSON());
    expect([legacy.serialActionCount, legacy.codeBuildProjectCount, legacy.iamRoleCount]).toEqual([
      one.serialActionCount,
      one.codeBuildProjectCount,
      one.iamRoleCount,
    ]);
  });
});

describe('the grid configurations', () => {
  test('take the first E environments of the example, each with N replica Regions besides its own, approvals on, and K keys', () => {
    const raw = gridConfig(EXAMPLE, { environments: 2, keys: 5, replicaRegions: 3 });
    expect(
      raw.environments.map((e: any) => [e.name, e.account, e.primaryRegion, e.replicaRegions, e.noReplicaRegions, e.manualApproval]),
    ).toEqual([
      ['dev', '111111111111', 'us-east-1', ['af-south-1', 'ap-east-1', 'ap-east-2'], ['ca-central-1'], true],
      ['staging', '222222222222', 'us-east-1', ['af-south-1', 'ap-east-1', 'ap-east-2'], ['ca-central-1'], true],
    ]);
    expect(raw.keys.map((k: any) => k.name)).toEqual(['app-data', 'logs', 'backups', 'key-4', 'key-5']);
    expect(EXAMPLE.environments).toHaveLength(3);
  });

  test.each([
    [{ environments: 4, keys: 1, replicaRegions: 1 }, 'the example has 3 environments, not 4'],
    [{ environments: 1, keys: 1, replicaRegions: 32 }, 'at most 31 replica Regions, not 32'],
  ])('refuse a point the example cannot make: %j', (point, message) => {
    expect(() => gridConfig(EXAMPLE, point)).toThrow(message);
  });
});
