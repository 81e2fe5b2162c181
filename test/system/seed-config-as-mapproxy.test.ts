/**
 * A seed.yaml given where a mapproxy.yaml belongs (MapProxy's seed_timeouts.yaml fixture): MapProxy
 * 1.15 loads it, warns about each unknown top-level key and the missing sections, and serves
 * nothing (404 everywhere); we do the same, with one warning line that names the mistake.
 */
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { checkConfig } from '../../src/core/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';

const FIXTURE = join('seed-as-mapproxy', 'seed_timeouts.yaml');

test('a seed configuration loads as MapProxy loads it: warnings, no error', async () => {
  const file = join(FIXTURES_DIR, FIXTURE);
  const result = await checkConfig({ configFile: file });
  assert.deepEqual(result.errors, []);
  assert.equal(result.ok, true);
  const at = relative(process.cwd(), file);
  assert.deepEqual(
    result.warnings.map((w) => `${relative(process.cwd(), w.file)}:${String(w.line)} ${w.code} ${w.message}`),
    [
      `${at}:1 CONFIG_SEED_FILE this file looks like a seed configuration (seeds, coverages), not a mapproxy.yaml: it serves nothing; give it to \`mapproxy-util seed -s\``,
      // MapProxy 1.15: "unknown 'seeds' in .", "unknown 'coverages' in .", then
      // "Missing layers section", "Missing services section"
      `${at}:1 CONFIG_UNKNOWN_KEY unknown key 'seeds'`,
      `${at}:9 CONFIG_UNKNOWN_KEY unknown key 'coverages'`,
      `${at}:1 CONFIG_MISSING_SECTION missing layers section`,
      `${at}:1 CONFIG_MISSING_SECTION missing services section`,
    ],
  );
});

test('served, a seed configuration answers 404 for every service, as MapProxy does', async (t) => {
  const proxy = await startProxy(t, FIXTURE);
  // MapProxy 1.15 on the same file: 404 "not found" for each of these
  for (const path of [
    '/service?SERVICE=WMS&REQUEST=GetCapabilities',
    '/tms/1.0.0/',
    '/wmts/1.0.0/WMTSCapabilities.xml',
  ]) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 404, path);
    await res.arrayBuffer();
  }
});
