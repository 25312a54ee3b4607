import * as iam from 'aws-cdk-lib/aws-iam';

/** The service prefixes of a connection ARN: the current one, and the one from before the service was renamed. */
const CONNECTION_SERVICES = ['codeconnections', 'codestar-connections'] as const;

/**
 * Lets `role` use the source connection with the action whose service prefix
 * matches the connection's ARN.
 *
 * IAM matches an action to a resource only within one service prefix, and
 * `CodePipelineSource.connection` grants `codestar-connections:UseConnection`
 * whatever the ARN says. A connection created since AWS CodeStar Connections
 * became AWS CodeConnections has an `arn:aws:codeconnections:` ARN, so the
 * source action also needs `codeconnections:UseConnection` on it.
 */
export function grantUseConnection(role: iam.IRole, connectionArn: string): void {
  const service = connectionArn.split(':')[2];
  if (!(CONNECTION_SERVICES as readonly string[]).includes(service)) {
    throw new Error(`connectionArn must be an ARN of ${CONNECTION_SERVICES.join(' or ')}, got ${JSON.stringify(connectionArn)}`);
  }
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [`${service}:UseConnection`], resources: [connectionArn] }));
}
