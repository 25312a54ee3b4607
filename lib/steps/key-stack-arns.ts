import { Arn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Where a key stack is: enough to name it in a policy, without the stack itself. */
export interface KeyStackLocation {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
}

/**
 * The ARN pattern of each named key stack: a stack ARN ends in an ID that CloudFormation assigns at creation.
 * `stack` formats the ARNs (partition).
 */
export function keyStackArns(keyStacks: readonly KeyStackLocation[], stack: Stack): string[] {
  return keyStacks.map((s) =>
    Arn.format(
      { service: 'cloudformation', account: s.account, region: s.region, resource: 'stack', resourceName: `${s.stackName}/*` },
      stack,
    ),
  );
}

/** Acknowledges, on `role`, the stack-ID wildcard of each ARN from {@link keyStackArns}. */
export function acknowledgeStackIdWildcards(role: iam.IRole, stackArns: readonly string[]): void {
  for (const arn of stackArns) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arn}]`,
      reason:
        'A stack ARN ends in an ID that CloudFormation assigns at creation; the wildcard stands for that ID of this one named key stack.',
    });
  }
}
