import { FieldSpec, ObjectField } from '../../lib/config/config-schema';

/** A field that holds a value (not an object of fields), with its dotted path. */
export interface LeafField {
  /** e.g. `key.pendingWindowDays`. */
  readonly path: string;
  readonly spec: Exclude<FieldSpec, ObjectField>;
}

/** Every leaf of the schema, depth first, in the schema's order. */
export function leafFields(schema: ObjectField, prefix = ''): LeafField[] {
  return Object.entries(schema.fields).flatMap(([name, spec]) =>
    spec.kind === 'object' ? leafFields(spec, `${prefix}${name}.`) : [{ path: `${prefix}${name}`, spec }],
  );
}

const TYPE_NAMES: Record<LeafField['spec']['kind'], string> = {
  string: 'string',
  boolean: 'boolean',
  integer: 'integer',
  stringList: 'list of strings',
  stringMap: 'map of string to string',
};

function defaultOf(spec: LeafField['spec']): string {
  return spec.default === undefined ? 'required' : `\`${JSON.stringify(spec.default)}\``;
}

/** A table cell: one line, no column break. */
function cell(value: string): string {
  return value.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/**
 * The configuration reference as a Markdown table: one row per leaf field of
 * the schema that the validator enforces, so the two cannot disagree.
 */
export function renderConfigReference(schema: ObjectField): string {
  const rows = leafFields(schema).map(({ path, spec }) =>
    [`\`${path}\``, spec.doc, TYPE_NAMES[spec.kind], defaultOf(spec), spec.allowed, spec.onChange].map(cell),
  );
  return [
    '| Field | Meaning | Type | Default | Allowed values | What a change does to deployed keys |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
}
