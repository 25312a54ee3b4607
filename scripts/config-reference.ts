/**
 * Writes the files derived from the configuration schema (lib/config/config-schema.ts): the configuration
 * reference in README.md, between the config-reference markers, and the JSON Schema that editors read.
 *
 *   npm run config-reference               # write both
 *   npm run config-reference -- --check    # exit 1 when either differs from the schema
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_REFERENCE_BLOCK, readmeConfigReferenceBlock } from './config-reference/documents';
import { JSON_SCHEMA_FILE, jsonSchemaText } from './config-reference/json-schema';
import { replaceBlock } from './support/readme-block';
import { runMain } from './support/run-main';

const ROOT = path.resolve(__dirname, '..');

/** The one command that writes every file derived from the schema; the staleness test names it too. */
export const REGENERATE_COMMAND = 'npm run config-reference';

/** Each derived file, by its path from the repository root, with the text the schema gives it. */
export function derivedFiles(readFile: (file: string) => string): Array<{ file: string; wanted: string }> {
  return [
    { file: 'README.md', wanted: replaceBlock(readFile('README.md'), CONFIG_REFERENCE_BLOCK, readmeConfigReferenceBlock(), 'README.md') },
    { file: JSON_SCHEMA_FILE, wanted: jsonSchemaText() },
  ];
}

function read(file: string): string {
  const full = path.join(ROOT, file);
  return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`config-reference: unknown argument ${unknown[0]}: the only option is --check`);
    return 2;
  }
  const stale = derivedFiles(read).filter(({ file, wanted }) => read(file) !== wanted);
  if (argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(
        `config-reference: ${stale.map((s) => s.file).join(' and ')} out of date with lib/config/config-schema.ts: run ${REGENERATE_COMMAND} and commit the result`,
      );
      return 1;
    }
    console.log('config-reference: README.md and the JSON Schema match the schema');
    return 0;
  }
  for (const { file, wanted } of stale) {
    fs.writeFileSync(path.join(ROOT, file), wanted);
    console.log(`config-reference: wrote ${file}`);
  }
  if (stale.length === 0) console.log('config-reference: already up to date');
  return 0;
}

if (require.main === module) {
  runMain('config-reference', () => main(process.argv.slice(2)));
}
