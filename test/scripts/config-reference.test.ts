import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_SCHEMA, ObjectField } from '../../lib/config/config-schema';
import { CONFIG_REFERENCE_BLOCK, readmeConfigReferenceBlock } from '../../scripts/config-reference/documents';
import { leafFields, renderConfigReference } from '../../scripts/config-reference/render';
import { readBlock } from '../../scripts/support/readme-block';
import { exampleRawConfig, ROOT } from '../helpers/config';

const readmeBlock = readBlock(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), CONFIG_REFERENCE_BLOCK, 'README.md');

/** Every dotted path to a non-object value in `value`. */
function leafPathsOf(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([name, child]) =>
    typeof child === 'object' && child !== null && !Array.isArray(child) && name !== 'tags'
      ? leafPathsOf(child as Record<string, unknown>, `${prefix}${name}.`)
      : [`${prefix}${name}`],
  );
}

describe('the committed configuration reference', () => {
  test('README.md holds the table generated from the schema (run `npm run config-reference` after changing it)', () => {
    expect(readmeBlock).toBe(readmeConfigReferenceBlock(CONFIG_SCHEMA));
  });

  test.each(leafFields(CONFIG_SCHEMA).map((field) => [field.path, field] as const))(
    'documents %s with its default, allowed values and effect',
    (fieldPath, field) => {
      const row = readmeBlock.split('\n').find((line) => line.startsWith(`| \`${fieldPath}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(field.spec.allowed);
      expect(row).toContain(field.spec.onChange);
      expect(row).toContain(field.spec.default === undefined ? '| required |' : `| \`${JSON.stringify(field.spec.default)}\` |`);
    },
  );

  test('covers every field of the example configuration, and nothing else', () => {
    expect(
      leafFields(CONFIG_SCHEMA)
        .map((f) => f.path)
        .sort(),
    ).toEqual(leafPathsOf(exampleRawConfig()).sort());
  });
});

describe('renderConfigReference', () => {
  const schema: ObjectField = {
    kind: 'object',
    doc: 'test',
    fields: {
      name: { kind: 'string', doc: 'The name.', allowed: 'a | b', onChange: 'a new\nthing' },
      nested: {
        kind: 'object',
        doc: 'Nested.',
        fields: {
          count: { kind: 'integer', default: 3, min: 1, max: 5, doc: 'How many.', allowed: '1 to 5', onChange: 'no' },
          tags: {
            kind: 'stringMap',
            default: {},
            maxEntries: 2,
            checkKey: () => undefined,
            checkValue: () => undefined,
            doc: 'Tags.',
            allowed: 'any',
            onChange: 'no',
          },
        },
      },
    },
  };

  test('one row per leaf with its dotted path; pipes and line breaks cannot break the table', () => {
    expect(renderConfigReference(schema)).toBe(
      [
        '| Field | Meaning | Type | Default | Allowed values | What a change does to deployed keys |',
        '| --- | --- | --- | --- | --- | --- |',
        '| `name` | The name. | string | required | a \\| b | a new thing |',
        '| `nested.count` | How many. | integer | `3` | 1 to 5 | no |',
        '| `nested.tags` | Tags. | map of string to string | `{}` | any | no |',
        '',
      ].join('\n'),
    );
  });

  test('leafFields walks nested objects in schema order', () => {
    expect(leafFields(schema).map((f) => f.path)).toEqual(['name', 'nested.count', 'nested.tags']);
  });
});
