/**
 * Schema validation of the documents the services write: `xmllint --noout --nonet --schema` against
 * the OGC XSDs in this folder (see README.md; they import each other by relative paths, so no catalog is needed).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { needs } from '../helpers/system-programs.js';

export const SCHEMAS_DIR = fileURLToPath(new URL('./', import.meta.url));

/** The schemas the service tests validate against, relative to `SCHEMAS_DIR`. */
export type SchemaName =
  | 'wmts/1.0/wmtsGetCapabilities_response.xsd'
  | 'ows/1.1.0/owsExceptionReport.xsd'
  | 'kml/2.2.0/ogckml22.xsd'
  | 'inspire/inspire_vs/1.0/inspire_vs.xsd';

/**
 * Resolves xmllint's verdict; fails the test with xmllint's messages when `doc` is invalid. Without
 * xmllint it marks `t` skipped (the test's other assertions still run) and validates nothing.
 */
export async function assertValidXml(
  t: TestContext,
  doc: string,
  schema: SchemaName,
  label: string = schema,
): Promise<void> {
  const missing = needs('xmllint');
  if (missing !== false) {
    t.skip(missing);
    return;
  }
  const schemaPath = join(SCHEMAS_DIR, schema);
  assert.ok(existsSync(schemaPath), `OGC schema missing: ${schemaPath}`);
  const { code, stderr } = await run('xmllint', ['--noout', '--nonet', '--schema', schemaPath, '-'], doc);
  assert.equal(code, 0, `${label} does not validate against ${schema}:\n${stderr}\n${doc.slice(0, 2000)}`);
}

function run(
  command: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (stderr += text));
    child.on('error', (error) => {
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      resolve({ code, stderr });
    });
    child.stdin.end(input);
  });
}
