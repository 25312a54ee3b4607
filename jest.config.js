/** Jest runs TypeScript through SWC (no type checking: `npm run build` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  reporters: ['default', ['jest-junit', { outputDirectory: 'reports', outputName: 'unit-tests.xml' }]],
};
