/**
 * The configuration `npm test` runs jest with. Jest gives every test file a module registry of its
 * own, so each file that builds a CDK app loads aws-cdk-lib again: about 1.5 s per file here, more than
 * most of those files' tests take. The files listed in test/grouped/groups.json run instead inside
 * test/grouped/*.grouped.ts, one registry per group, and share the apps they synthesize
 * (test/helpers/app.ts memoizes them). Each is still a plain test file: `npx jest <file>`, with
 * jest.config.js, runs any of them alone, and so does mutation testing.
 */
const base = require('./jest.config');
const groups = require('./test/grouped/groups.json');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

module.exports = {
  ...base,
  testMatch: [...base.testMatch, '**/test/grouped/*.grouped.ts'],
  testSequencer: '<rootDir>/test/grouped/sequencer.js',
  testPathIgnorePatterns: [
    '/node_modules/',
    ...Object.values(groups)
      .flat()
      .map((file) => `<rootDir>/test/${escapeRegExp(file)}$`),
  ],
};
