import { z } from 'zod';
import { CONFIG_SCHEMA } from '../../lib/config/config-schema';

/** The JSON Schema of the configuration, committed for editors; a configuration file points at it with `"$schema"`. */
export const JSON_SCHEMA_FILE = 'config/kms-pipeline-config.schema.json';

/**
 * The JSON Schema (draft 2020-12) of a configuration file as people write it: fields with a default may be left
 * out. Every field's description is its meaning from the schema's metadata; the README's other columns stay out.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CONFIG_SCHEMA, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ jsonSchema }) => {
      delete jsonSchema.allowed;
      delete jsonSchema.onChange;
    },
  });
}

/** The committed file's text: two-space JSON, as the generator writes it (the format check leaves config/ alone). */
export function jsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), undefined, 2)}\n`;
}
