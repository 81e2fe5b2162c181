/**
 * The committed JSON Schemas in schema/ are exactly what the TS specs generate.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { mapproxyJsonSchema, renderJsonSchema, seedJsonSchema } from './index.js';

const committed = (name: string): Promise<string> =>
  readFile(new URL(`../../../schema/${name}`, import.meta.url), 'utf8');

test('schema/mapproxy.schema.json is up to date (run npm run build:schema)', async () => {
  assert.equal(await committed('mapproxy.schema.json'), renderJsonSchema(mapproxyJsonSchema()));
});

test('schema/seed.schema.json is up to date (run npm run build:schema)', async () => {
  assert.equal(await committed('seed.schema.json'), renderJsonSchema(seedJsonSchema()));
});

test('the schema carries required keys and typed source variants', () => {
  const schema = mapproxyJsonSchema() as {
    properties: {
      sources: { additionalProperties: { required: string[]; properties: { type: { enum: string[] } } } };
    };
  };
  const source = schema.properties.sources.additionalProperties;
  assert.deepEqual(source.required, ['type']);
  assert.ok(source.properties.type.enum.includes('wms'));
  assert.ok(source.properties.type.enum.includes('tile'));
});
