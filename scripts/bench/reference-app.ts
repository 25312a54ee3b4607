/**
 * A reference app for the synth benchmark: the same job (a multi-region key
 * in one stack, a replica fed through SSM and an AwsCustomResource reader in
 * another Region) as two plain stacks, laid out the way `cdk init` lays out a
 * TypeScript app. Only the app command differs between the two layouts.
 */

export const REFERENCE_APP_SOURCE = `import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

const PARAMETER = '/reference/primary-key-arn';

class KeyStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const key = new kms.CfnKey(this, 'Key', { multiRegion: true, enableKeyRotation: true });
    new ssm.StringParameter(this, 'KeyArn', { parameterName: PARAMETER, stringValue: key.attrArn });
  }
}

class ReplicaStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { primaryRegion: string }) {
    super(scope, id, props);
    const read = new cr.AwsCustomResource(this, 'ReadKeyArn', {
      onUpdate: {
        service: 'SSM',
        action: 'getParameter',
        parameters: { Name: PARAMETER },
        region: props.primaryRegion,
        physicalResourceId: cr.PhysicalResourceId.of(PARAMETER),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    });
    new kms.CfnReplicaKey(this, 'Replica', {
      primaryKeyArn: read.getResponseField('Parameter.Value'),
      keyPolicy: { Version: '2012-10-17', Statement: [] },
    });
  }
}

const app = new App();
new KeyStack(app, 'ReferenceKey', { env: { account: '111111111111', region: 'us-east-1' } });
new ReplicaStack(app, 'ReferenceReplica', { env: { account: '111111111111', region: 'eu-west-1' }, primaryRegion: 'us-east-1' });
`;

export const REFERENCE_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'commonjs',
    lib: ['es2022'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  },
  include: ['bin/**/*.ts'],
};

/** The app commands of the two layouts that the benchmark compares against. */
export const REFERENCE_LAYOUTS: Record<string, string> = {
  'cdk init, ts-node with type checking': 'npx ts-node --prefer-ts-exts bin/app.ts',
  // TypeScript 5.9 (the `typescript` package) by path: node_modules/.bin/tsc may be this project's TypeScript 7.
  'cdk init, tsc && tsx': 'node node_modules/typescript/bin/tsc && npx tsx bin/app.ts',
};
