/**
 * Generates JSON Schema (draft 2020-12) from a `SpecDocument`, for editors and for
 * schema/*.schema.json. Null is allowed wherever MapProxy accepts it as an empty mapping.
 */
import type { DictSpec, Spec, SpecDocument } from './spec-dsl.js';

export type JsonSchema = Readonly<Record<string, unknown>>;

/** The JSON Schema of `spec` with `$id` and `title`. */
export function toJsonSchema(
  spec: SpecDocument,
  meta: { readonly id: string; readonly title: string },
): JsonSchema {
  const defs: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(spec.defs)) defs[name] = convert(def);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: meta.id,
    title: meta.title,
    ...convertDict(spec.root),
    type: 'object',
    $defs: defs,
  };
}

function convert(spec: Spec): JsonSchema {
  switch (spec.kind) {
    case 'anything':
      return {};
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'integer':
      return { type: 'integer' };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { enum: [...spec.values] };
    case 'pattern':
      return { type: 'string', pattern: `^(?:${spec.pattern})$` };
    case 'list':
      return { type: 'array', items: convert(spec.item) };
    case 'dict':
      return convertDict(spec);
    case 'oneOf':
      return { anyOf: spec.options.map(convert) };
    case 'ref':
      return { $ref: `#/$defs/${spec.name}` };
    case 'typed': {
      const names = Object.keys(spec.variants);
      return {
        type: ['object', 'null'],
        required: [spec.typeKey],
        properties: { [spec.typeKey]: { enum: names } },
        allOf: names.map((name) => ({
          if: { properties: { [spec.typeKey]: { const: name } } },
          then: convertDict(spec.variants[name] as DictSpec),
        })),
      };
    }
  }
}

function convertDict(spec: DictSpec): JsonSchema {
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec.keys)) properties[key] = convert(value);
  const schema: Record<string, unknown> = { type: ['object', 'null'] };
  if (Object.keys(properties).length > 0) schema.properties = properties;
  if (spec.required.length > 0) schema.required = [...spec.required];
  // Unknown keys are only warnings for MapProxy; editors flag them the same way.
  schema.additionalProperties = spec.anyKey === undefined ? false : convert(spec.anyKey);
  return schema;
}
