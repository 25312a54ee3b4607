import { z } from 'zod';
import { FieldDoc } from '../../lib/config/config-schema';

/** A field that holds a value (not an object of fields), with its dotted path. */
export interface LeafField {
  /** e.g. `key.pendingWindowDays`. */
  readonly path: string;
  readonly doc: FieldDoc;
  /** The type, in words. */
  readonly type: string;
  /** The default as JSON, `required`, or `optional` for a field that may be left out and has no default. */
  readonly default: string;
}

type AnyObject = z.ZodObject<z.core.$ZodLooseShape>;

/** The schema inside `.default()`, `.prefault()` and `.optional()`. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType };
  return def.innerType !== undefined && ['default', 'prefault', 'optional'].includes(def.type) ? unwrap(def.innerType) : schema;
}

/** The object schema of a list's items, when the list holds objects. */
function itemObject(schema: z.core.$ZodType): AnyObject | undefined {
  const def = schema._zod.def as { type: string; element?: z.core.$ZodType };
  if (def.type !== 'array' || def.element === undefined) return undefined;
  const item = unwrap(def.element);
  return item instanceof z.ZodObject ? (item as AnyObject) : undefined;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'string',
  enum: 'string',
  boolean: 'boolean',
  number: 'integer',
  array: 'list of strings',
  record: 'map of string to string',
};

function defaultOf(schema: z.core.$ZodType): string {
  const def = schema._zod.def as { type: string; defaultValue?: unknown };
  if (def.type === 'default') return JSON.stringify(def.defaultValue);
  return def.type === 'optional' ? 'optional' : 'required';
}

/** The zod metadata of a field: on the field, or on the schema inside its `.default()` or `.optional()`. */
function metaOf(schema: z.core.$ZodType): Record<string, unknown> {
  const inner = (schema._zod.def as { innerType?: z.core.$ZodType }).innerType;
  return { ...(inner === undefined ? {} : metaOf(inner)), ...z.globalRegistry.get(schema) };
}

/** The README's words for a field, from its zod metadata; a field without them is a mistake in the schema. */
export function fieldDoc(schema: z.core.$ZodType, path: string): FieldDoc {
  const meta = metaOf(schema);
  const { description, allowed, onChange } = meta as Partial<Record<keyof FieldDoc, unknown>>;
  if (typeof description !== 'string' || typeof allowed !== 'string' || typeof onChange !== 'string') {
    throw new Error(`the schema of ${path} has no description, allowed and onChange in its .meta()`);
  }
  return { description, allowed, onChange };
}

/** Every leaf of the schema, depth first, in the schema's order; a list of objects is a row, then its items' fields (`keys[].name`). */
export function leafFields(schema: AnyObject, prefix = ''): LeafField[] {
  return Object.entries(schema.shape).flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    const inner = unwrap(field);
    if (inner instanceof z.ZodObject) return leafFields(inner as AnyObject, `${path}.`);
    const item = itemObject(inner);
    if (item !== undefined) {
      return [{ path, doc: fieldDoc(field, path), type: 'list of objects', default: defaultOf(field) }, ...leafFields(item, `${path}[].`)];
    }
    return [{ path, doc: fieldDoc(field, path), type: TYPE_NAMES[inner._zod.def.type], default: defaultOf(field) }];
  });
}

/** A table cell: one line, no column break. */
function cell(value: string): string {
  return value.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/**
 * The configuration reference as a Markdown table: one row per leaf field of
 * the schema that the validator enforces, so the two cannot disagree.
 */
export function renderConfigReference(schema: AnyObject): string {
  const rows = leafFields(schema).map(({ path, doc, type, default: byDefault }) =>
    [
      `\`${path}\``,
      doc.description,
      type,
      /^(required|optional)$/.test(byDefault) ? byDefault : `\`${byDefault}\``,
      doc.allowed,
      doc.onChange,
    ].map(cell),
  );
  return [
    '| Field | Meaning | Type | Default | Allowed values | What a change does to deployed keys |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
}
