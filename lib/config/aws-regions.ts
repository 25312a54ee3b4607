/**
 * Commercial AWS Regions in which KMS supports multi-region keys.
 *
 * A closed list (rather than a pattern) turns a typo such as `eu-west-l` or
 * `us-east-7` into a synth error instead of a failed deploy. Add a Region here
 * when AWS launches one.
 */
export const KMS_MULTI_REGION_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/** Whether `region` is a Region this project can deploy a multi-region key to. */
export function isKnownRegion(region: string): boolean {
  return KMS_MULTI_REGION_REGIONS.includes(region);
}
