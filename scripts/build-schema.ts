// Writes schema/mapproxy.schema.json and schema/seed.schema.json from the TS config specs.
// Run with: npm run build:schema (a unit test fails when the committed files are stale).
import { writeFile } from 'node:fs/promises';
import { mapproxyJsonSchema, renderJsonSchema, seedJsonSchema } from '../src/core/config/index.js';

const targets = [
  ['../schema/mapproxy.schema.json', mapproxyJsonSchema()],
  ['../schema/seed.schema.json', seedJsonSchema()],
] as const;

for (const [relative, schema] of targets) {
  const url = new URL(relative, import.meta.url);
  await writeFile(url, renderJsonSchema(schema));
  process.stdout.write(`wrote ${url.pathname}\n`);
}
