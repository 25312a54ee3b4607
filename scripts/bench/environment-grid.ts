/**
 * The configurations of the benchmark's grid of environments, keys and Regions, made from the example
 * configuration of environments (config/example-environments.json): the first E of its environments, each with N
 * replica Regions, and K keys. The pipeline's scale tests synthesize the same configurations.
 */
import { KMS_MULTI_REGION_REGIONS } from '../../lib/config/aws-regions';

/** One point of the grid. */
export interface GridPoint {
  /** Environments: the first ones of the example, in its order (1 to 3). */
  readonly environments: number;
  /** Keys: the example's, then `key-4`, `key-5`, ... */
  readonly keys: number;
  /**
   * Replica Regions of each environment. Every environment also has its primary and its no-replica Region, so it
   * spans N + 2 Regions: a count of all Regions could not be 1, since an environment needs a primary, a replica
   * and a no-replica Region.
   */
  readonly replicaRegions: number;
}

/** The grid that `npm run bench` times: the smallest pipeline, many keys and Regions, and that times three environments. */
export const GRID: readonly GridPoint[] = [
  { environments: 1, keys: 1, replicaRegions: 1 },
  { environments: 1, keys: 5, replicaRegions: 16 },
  { environments: 3, keys: 5, replicaRegions: 16 },
];

/** `(E, K, N)`, as the benchmark and the tests name a point. */
export function gridLabel(point: GridPoint): string {
  return `(${point.environments}, ${point.keys}, ${point.replicaRegions})`;
}

/**
 * The raw configuration of `point`, from the raw example configuration of environments `example` (not changed):
 * every environment has its approval on, and its replica Regions are the first N of the known Regions other than
 * its primary and no-replica Regions.
 */
export function gridConfig(example: Record<string, any>, point: GridPoint): Record<string, any> {
  const raw = JSON.parse(JSON.stringify(example));
  if (point.environments > raw.environments.length) {
    throw new Error(`the example has ${raw.environments.length} environments, not ${point.environments}`);
  }
  raw.environments = raw.environments.slice(0, point.environments).map((environment: Record<string, any>) => {
    const taken = new Set([environment.primaryRegion, ...environment.noReplicaRegions]);
    const free = KMS_MULTI_REGION_REGIONS.filter((region) => !taken.has(region));
    if (point.replicaRegions > free.length) throw new Error(`at most ${free.length} replica Regions, not ${point.replicaRegions}`);
    return { ...environment, manualApproval: true, replicaRegions: free.slice(0, point.replicaRegions), retiredReplicaRegions: [] };
  });
  raw.keys = Array.from({ length: point.keys }, (_, i) => raw.keys[i] ?? { name: `key-${i + 1}`, alias: `alias/key-${i + 1}` });
  return raw;
}
