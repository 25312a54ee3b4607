/** Jest runs TypeScript through SWC (no type checking: `npm run build` does that). */
// The SDK warns on Node 20 that later releases need Node 22; this project pins its SDK version.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
module.exports = {
  testEnvironment: 'node',
  // Jest's default leaves one of a 2-core machine's cores idle. In CodeBuild (the pipeline's synth step runs
  // `npm test` on SMALL compute: 2 vCPUs, 3 GB) a container may see the host's CPUs, and a worker per CPU,
  // each loading aws-cdk-lib, would not fit in memory: there, two.
  maxWorkers: process.env.CODEBUILD_BUILD_ID ? 2 : '100%',
  roots: ['<rootDir>/test'],
  setupFiles: ['<rootDir>/test/helpers/stack-trace-limit.js'],
  testMatch: ['**/*.test.ts'],
  // CloudFormation's resource specification (the replacement guard's), loaded once per test process rather than once
  // per test file: see test/helpers/aws-service-spec-once.ts.
  moduleNameMapper: { '^@aws-cdk/aws-service-spec$': '<rootDir>/test/helpers/aws-service-spec-once.ts' },
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  reporters: ['default', ['jest-junit', { outputDirectory: 'reports', outputName: 'unit-tests.xml' }]],
};
