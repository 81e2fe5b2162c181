/**
 * Options MapProxy 1.15 honours that mapproxy-ts cannot yet are refused, never ignored (issue
 * 15): `check` reports each at file:line:column and key path, and `serve` refuses to start with
 * the same errors. Unknown keys stay warnings with a suggestion; `services.wms.attribution` is
 * drawn (test/system/attribution.test.ts) and accepted without a warning.
 */
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { checkConfig, ConfigErrors, startServer } from '../../src/core/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const FILE = join(FIXTURES_DIR, 'config', 'unsupported-options.yaml');
const AT = relative(process.cwd(), FILE);

/** `line:column key.path: message`, as `check` prints them after the file name. */
const REFUSED = [
  '14:5 services.ogcapi: the ogcapi service is not supported by mapproxy-ts yet; serve WMS, WMTS, TMS or KML instead',
  ...['mapnik:50', 'ogcapitiles:59', 'ogcapimaps:62'].map((entry) => {
    const [type = '', line = ''] = entry.split(':');
    const name = {
      mapnik: 'mapnik_src',
      ogcapitiles: 'tiles_src',
      ogcapimaps: 'maps_src',
    }[type];
    return `${line}:11 sources.${name ?? ''}.type: source type "${type}" is not supported by mapproxy-ts yet (supported: wms, mapserver, tile, debug, arcgis)`;
  }),
];

/** The cache registry's own refusals, which check reports too. */
const REFUSED_BACKENDS = [
  '38:19 caches.couch.cache.type: cache type "couchdb" is not supported by mapproxy-ts yet',
  '42:19 caches.riak.cache.type: cache type "riak" is not supported by mapproxy-ts yet',
];

test('check refuses every unsupported option at its key, unknown keys stay warnings', async () => {
  const result = await checkConfig({ configFile: FILE });
  assert.equal(result.ok, false);
  const errors = result.errors.map((e) => e.format());
  for (const expected of REFUSED)
    assert.ok(errors.includes(`${AT}:${expected}`), `missing: ${expected}\nin:\n${errors.join('\n')}`);
  for (const expected of REFUSED_BACKENDS)
    assert.ok(
      errors.some((e) => e.startsWith(`${AT}:${expected}`)),
      `missing: ${expected}`,
    );
  assert.equal(errors.length, REFUSED.length + REFUSED_BACKENDS.length, errors.join('\n'));
  assert.deepEqual(
    result.warnings.map((w) => `${String(w.line)}:${String(w.column)} ${w.path.join('.')}: ${w.message}`),
    ["29:5 caches.typo_cache.watermrk: unknown key 'watermrk' (did you mean 'watermark'?)"],
  );
});

test('serve refuses to start on the same options, each at its key', async () => {
  const started = startServer({
    configFile: FILE,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  await assert.rejects(started, (error: unknown) => {
    assert.ok(error instanceof ConfigErrors, String(error));
    const errors = error.errors.map((e) => e.format());
    for (const expected of REFUSED)
      assert.ok(errors.includes(`${AT}:${expected}`), `missing: ${expected}\nin:\n${errors.join('\n')}`);
    // the build refuses the cache backends in the same step, so serve names them at once too
    for (const expected of REFUSED_BACKENDS)
      assert.ok(
        errors.some((e) => e.startsWith(`${AT}:${expected}`)),
        `missing: ${expected}`,
      );
    assert.equal(errors.length, REFUSED.length + REFUSED_BACKENDS.length, errors.join('\n'));
    return true;
  });
});
