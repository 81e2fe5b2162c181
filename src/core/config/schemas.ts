/**
 * The published JSON Schemas (schema/mapproxy.schema.json, schema/seed.schema.json),
 * generated from the TS specs by scripts/build-schema.ts.
 */
import { toJsonSchema, type JsonSchema } from './json-schema.js';
import { mapproxySpec } from './mapproxy-spec.js';
import { seedSpec } from './seed-spec.js';

/** JSON Schema of mapproxy.yaml. */
export function mapproxyJsonSchema(): JsonSchema {
  return toJsonSchema(mapproxySpec, {
    id: 'https://mapproxy-ts.invalid/schema/mapproxy.schema.json',
    title: 'MapProxy configuration (mapproxy.yaml)',
  });
}

/** JSON Schema of seed.yaml. */
export function seedJsonSchema(): JsonSchema {
  return toJsonSchema(seedSpec, {
    id: 'https://mapproxy-ts.invalid/schema/seed.schema.json',
    title: 'MapProxy seeding configuration (seed.yaml)',
  });
}

/** The file contents as written to schema/ (2-space JSON plus a trailing newline). */
export function renderJsonSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
