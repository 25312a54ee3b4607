import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { CONFIG_SCHEMA } from '../../lib/config/config-schema';
import { derivedFiles, REGENERATE_COMMAND } from '../../scripts/config-reference';
import { CONFIG_REFERENCE_BLOCK } from '../../scripts/config-reference/documents';
import { JSON_SCHEMA_FILE } from '../../scripts/config-reference/json-schema';
import { fieldDoc, leafFields, renderConfigReference } from '../../scripts/config-reference/render';
import { readBlock } from '../../scripts/support/readme-block';
import { exampleRawConfig, ROOT } from '../helpers/config';

const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
const readmeBlock = readBlock(read('README.md'), CONFIG_REFERENCE_BLOCK, 'README.md');
const jsonSchema = JSON.parse(read(JSON_SCHEMA_FILE));

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every dotted path to a non-object value in `value`; a list of objects is a path, and its items' fields are `list[].field`. */
function leafPathsOf(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([name, child]) => {
    if (isObject(child) && name !== 'tags') return leafPathsOf(child, `${prefix}${name}.`);
    if (Array.isArray(child) && isObject(child[0])) {
      return [`${prefix}${name}`, ...new Set(child.flatMap((item) => leafPathsOf(item as Record<string, unknown>, `${prefix}${name}[].`)))];
    }
    return [`${prefix}${name}`];
  });
}

/** The JSON Schema of a dotted path's field (`keys[].name`: the field of the list's items). */
function jsonSchemaOf(fieldPath: string): Record<string, any> {
  return fieldPath
    .split('.')
    .reduce((schema, name) => (name.endsWith('[]') ? schema.properties[name.slice(0, -2)].items : schema.properties[name]), jsonSchema);
}

describe('the files generated from the configuration schema', () => {
  test.each(derivedFiles(read).map(({ file, wanted }) => [file, wanted]))('%s is up to date', (file, wanted) => {
    // A failure names the one command that writes every generated file.
    if (read(file) !== wanted) throw new Error(`${file} is out of date with lib/config/config-schema.ts: run ${REGENERATE_COMMAND}`);
  });

  test('are README.md and the JSON Schema, written by npm run config-reference', () => {
    expect(derivedFiles(read).map((f) => f.file)).toEqual(['README.md', 'config/kms-pipeline-config.schema.json']);
    expect(REGENERATE_COMMAND).toBe('npm run config-reference');
  });
});

describe('the committed configuration reference and JSON Schema', () => {
  test.each(leafFields(CONFIG_SCHEMA).map((field) => [field.path, field] as const))(
    'document %s alike: its meaning, default, allowed values and effect',
    (fieldPath, field) => {
      const row = readmeBlock.split('\n').find((line) => line.startsWith(`| \`${fieldPath}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(`| ${field.doc.description} |`);
      expect(row).toContain(field.doc.allowed);
      expect(row).toContain(field.doc.onChange);
      const schema = jsonSchemaOf(fieldPath);
      expect(schema.description).toBe(field.doc.description);
      if (/^(required|optional)$/.test(field.default)) {
        expect(row).toContain(`| ${field.default} |`);
        expect(schema).not.toHaveProperty('default');
      } else {
        expect(row).toContain(`| \`${field.default}\` |`);
        expect(JSON.stringify(schema.default)).toBe(field.default);
      }
    },
  );

  test('the JSON Schema is draft 2020-12, requires exactly the fields without a default, and keeps the README-only words out', () => {
    expect(jsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(jsonSchema.required).toEqual(['projectName', 'pipeline', 'source']);
    // Exactly one of key and keys, and either environments or the Regions of one environment, as the validator says.
    expect(jsonSchema.allOf[0]).toEqual({ oneOf: [{ required: ['key'] }, { required: ['keys'] }] });
    expect(jsonSchema.allOf[1].oneOf.map((branch: { required: string[] }) => branch.required)).toEqual([
      ['environments'],
      ['primaryRegion', 'replicaRegions', 'noReplicaRegions'],
    ]);
    expect(jsonSchema.properties.environments.items.required).toEqual([
      'name',
      'account',
      'primaryRegion',
      'replicaRegions',
      'noReplicaRegions',
    ]);
    expect([jsonSchema.properties.environments.minItems, jsonSchema.properties.environments.maxItems]).toEqual([1, 10]);
    expect(jsonSchema.properties.key.required).toEqual(['alias']);
    expect(jsonSchema.properties.keys.items.required).toEqual(['name', 'alias']);
    expect([jsonSchema.properties.keys.minItems, jsonSchema.properties.keys.maxItems]).toEqual([1, 25]);
    expect(read(JSON_SCHEMA_FILE)).not.toMatch(/"(allowed|onChange)"/);
  });

  test('cover every field of the example configurations (one key, several keys, environments), and nothing else', () => {
    const severalKeys = JSON.parse(read('config/example-keys.json'));
    const environments = JSON.parse(read('config/example-environments.json'));
    expect(
      leafFields(CONFIG_SCHEMA)
        .map((f) => f.path)
        .sort(),
    ).toEqual([...new Set([...leafPathsOf(exampleRawConfig()), ...leafPathsOf(severalKeys), ...leafPathsOf(environments)])].sort());
  });
});

describe('renderConfigReference', () => {
  const doc = (description: string, allowed: string, onChange: string) => ({ description, allowed, onChange });
  const schema = z.strictObject({
    name: z.string().meta(doc('The name.', 'a | b', 'a new\nthing')),
    note: z
      .string()
      .optional()
      .meta(doc('A note.', 'any', 'no')),
    nested: z
      .strictObject({
        count: z
          .int()
          .default(3)
          .meta(doc('How many.', '1 to 5', 'no')),
        tags: z
          .record(z.string(), z.string())
          .meta(doc('Tags.', 'any', 'no'))
          .default({}),
        on: z
          .boolean()
          .default(false)
          .meta(doc('On.', 'true or false', 'no')),
        regions: z.array(z.enum(['a', 'b'])).meta(doc('Regions.', 'a or b', 'no')),
      })
      .prefault({ regions: [] }),
  });

  test('one row per leaf with its dotted path; pipes and line breaks cannot break the table', () => {
    expect(renderConfigReference(schema)).toBe(
      [
        '| Field | Meaning | Type | Default | Allowed values | What a change does to deployed keys |',
        '| --- | --- | --- | --- | --- | --- |',
        '| `name` | The name. | string | required | a \\| b | a new thing |',
        '| `note` | A note. | string | optional | any | no |',
        '| `nested.count` | How many. | integer | `3` | 1 to 5 | no |',
        '| `nested.tags` | Tags. | map of string to string | `{}` | any | no |',
        '| `nested.on` | On. | boolean | `false` | true or false | no |',
        '| `nested.regions` | Regions. | list of strings | required | a or b | no |',
        '',
      ].join('\n'),
    );
  });

  test('leafFields walks nested objects in schema order', () => {
    expect(leafFields(schema).map((f) => f.path)).toEqual(['name', 'note', 'nested.count', 'nested.tags', 'nested.on', 'nested.regions']);
  });

  test('a list of objects is a row, followed by a row per field of its items', () => {
    const withList = z.strictObject({
      items: z
        .array(
          z.strictObject({
            id: z.string().meta(doc('The id.', 'a-z', 'a new item')),
            on: z
              .boolean()
              .default(true)
              .meta(doc('On.', 'true or false', 'no')),
          }),
        )
        .optional()
        .meta(doc('Items.', '1 to 3', 'no')),
    });
    expect(renderConfigReference(withList).split('\n').slice(2)).toEqual([
      '| `items` | Items. | list of objects | optional | 1 to 3 | no |',
      '| `items[].id` | The id. | string | required | a-z | a new item |',
      '| `items[].on` | On. | boolean | `true` | true or false | no |',
      '',
    ]);
  });

  test('a field without its words in .meta() is named', () => {
    expect(() => fieldDoc(z.string().meta({ description: 'x', allowed: 'y' }), 'key.alias')).toThrow(
      'the schema of key.alias has no description, allowed and onChange in its .meta()',
    );
    expect(() => fieldDoc(z.string(), 'projectName')).toThrow(/^the schema of projectName has no description/);
  });
});
