/**
 * The definitions read from epsg-index's per-code files are those its all.json holds, all.json
 * itself is never read, and a preload for the codes a request names reads without a sync read.
 */
import assert from 'node:assert/strict';
import fs, { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { test, type TestContext } from 'node:test';
import { resolveDatumGrids } from './datum-grids.js';
import { epsgDefinition } from './epsg-definitions.js';

/** Codes epsg-definitions.ts defines itself (all.json's strings for them differ in form only). */
const BUILT_IN = new Set([4326, 3857, 900913, 102100, 102113]);

type EpsgModule = typeof import('./epsg-definitions.js');

/** A module instance of its own, which has read no definition yet. */
const freshModule = async (tag: string): Promise<EpsgModule> =>
  (await import(`./epsg-definitions.js?${tag}=${String(Date.now())}`)) as EpsgModule;

/** The files of epsg-index that `readFileSync` reads from now on, until the test ends. */
function watchSyncReads(t: TestContext): string[] {
  const reads: string[] = [];
  const original = fs.readFileSync;
  t.mock.method(fs, 'readFileSync', (...args: Parameters<typeof fs.readFileSync>) => {
    if (String(args[0]).includes('epsg-index')) reads.push(String(args[0]).replace(/.*epsg-index\//, ''));
    return original(...args);
  });
  syncBuiltinESMExports();
  t.after(() => {
    t.mock.restoreAll();
    syncBuiltinESMExports();
  });
  return reads;
}

test("every code's definition is the one of its entry in all.json; codes all.json lacks have none", () => {
  const all = JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve('epsg-index/all.json'), 'utf8'),
  ) as Record<string, { readonly proj4?: string | null }>;
  const codes = Object.keys(all);
  assert.ok(codes.length > 8000, `${String(codes.length)} codes in all.json`);
  let defined = 0;
  for (const code of codes) {
    if (BUILT_IN.has(Number(code))) continue;
    const proj4 = all[code]?.proj4;
    const expected =
      typeof proj4 === 'string' && proj4.startsWith('+proj=') ? resolveDatumGrids(proj4) : null;
    if (expected !== null) defined += 1;
    assert.deepEqual(epsgDefinition(Number(code)), expected, `EPSG:${code}`);
  }
  assert.ok(defined > 7000, `${String(defined)} definitions`);
  for (const unknown of [0, 1, 99999999, -25832, 25832.5, Number.MAX_SAFE_INTEGER + 2])
    assert.equal(epsgDefinition(unknown), null, String(unknown));
});

test('a code not built in reads its own file, not all.json', async (t) => {
  const fresh = await freshModule('own-file');
  const reads = watchSyncReads(t);
  assert.equal(fresh.epsgDefinition(4326)?.definition, '+proj=longlat +datum=WGS84 +no_defs');
  assert.deepEqual(reads, [], 'built-in codes read nothing');
  assert.match(fresh.epsgDefinition(25832)?.definition ?? '', /\+proj=utm \+zone=32/);
  assert.match(fresh.epsgDefinition(25832)?.definition ?? '', /\+proj=utm \+zone=32/);
  assert.equal(fresh.epsgDefinition(99999999), null);
  assert.equal(fresh.epsgDefinition(99999999), null);
  assert.deepEqual(reads, ['s/25832.json', 's/99999999.json'], 'each file once, all.json never');
});

test('preloadEpsgDefinitions reads the files without a sync read, only for codes not built in', async (t) => {
  const fresh = await freshModule('preload');
  const reads = watchSyncReads(t);
  await fresh.preloadEpsgDefinitions([4326, 3857, 900913]);
  assert.equal(fresh.epsgDefinition(4326)?.definition, '+proj=longlat +datum=WGS84 +no_defs');
  await fresh.preloadEpsgDefinitions([4326, 25832, 31467, 99999999]);
  assert.match(fresh.epsgDefinition(25832)?.definition ?? '', /\+proj=utm \+zone=32/);
  assert.match(fresh.epsgDefinition(31467)?.definition ?? '', /\+proj=tmerc/);
  assert.equal(fresh.epsgDefinition(99999999), null);
  assert.deepEqual(reads, [], 'the definitions came from the preload');
  // without the preload, the same lookup reads the file synchronously (what the test guards against)
  const other = await freshModule('sync');
  assert.match(other.epsgDefinition(25832)?.definition ?? '', /\+proj=utm \+zone=32/);
  assert.deepEqual(reads, ['s/25832.json']);
});
