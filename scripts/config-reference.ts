/**
 * Writes the configuration reference (a table generated from the schema the
 * validator uses) into README.md between the config-reference markers.
 *
 *   npm run config-reference               # write README.md
 *   npm run config-reference -- --check    # exit 1 when README.md differs from the schema
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SCHEMA } from '../lib/config/config-schema';
import { CONFIG_REFERENCE_BLOCK, readmeConfigReferenceBlock } from './config-reference/documents';
import { replaceBlock } from './support/readme-block';
import { runMain } from './support/run-main';

const README = path.resolve(__dirname, '..', 'README.md');

function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`config-reference: unknown argument ${unknown[0]}: the only option is --check`);
    return 2;
  }
  const current = fs.readFileSync(README, 'utf8');
  const wanted = replaceBlock(current, CONFIG_REFERENCE_BLOCK, readmeConfigReferenceBlock(CONFIG_SCHEMA), 'README.md');
  if (argv.includes('--check')) {
    if (current !== wanted) {
      console.error(
        'config-reference: README.md is out of date with lib/config/config-schema.ts: run npm run config-reference and commit the result',
      );
      return 1;
    }
    console.log('config-reference: README.md matches the schema');
    return 0;
  }
  if (current === wanted) {
    console.log('config-reference: already up to date');
    return 0;
  }
  fs.writeFileSync(README, wanted);
  console.log('config-reference: wrote README.md');
  return 0;
}

if (require.main === module) {
  runMain('config-reference', () => main(process.argv.slice(2)));
}
