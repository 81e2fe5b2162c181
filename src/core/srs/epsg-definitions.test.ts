/**
 * The proj4 strings read out of epsg-index's all.json are those a full parse of the file gives,
 * and a preload for the codes a request names reads the file without a sync read.
 */
import assert from 'node:assert/strict';
import fs, { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { proj4Strings } from './epsg-definitions.js';

test('proj4Strings reads every proj4 string of all.json, escapes included, and no other entry', () => {
  const bytes = readFileSync(createRequire(import.meta.url).resolve('epsg-index/all.json'));
  const all = JSON.parse(bytes.toString('utf8')) as Record<string, { readonly proj4?: string | null }>;
  const expected = new Map(
    Object.entries(all).flatMap(([code, entry]) =>
      typeof entry.proj4 === 'string' ? [[code, entry.proj4]] : [],
    ),
  );
  const read = proj4Strings(bytes);
  assert.ok(expected.size > 5000, `${expected.size} definitions in all.json`);
  assert.equal(read.size, expected.size);
  for (const [code, proj4] of expected) assert.equal(read.get(code), proj4, `EPSG:${code}`);
});

test('proj4Strings skips a null proj4 and unescapes a string', () => {
  const text =
    '{"1":{"code":"1","wkt":"A[\\"x\\"]","proj4":null,"unit":"m"},"2":{"code":"2","proj4":"+proj=a \\"b\\"","unit":"m"}}';
  assert.deepEqual([...proj4Strings(Buffer.from(text))], [['2', '+proj=a "b"']]);
});

test('proj4Strings reads UTF-8 bytes: non-ASCII text and escaped quotes around an entry stay out of its proj4', () => {
  const text =
    '{"7":{"code":"7","name":"Française \\"\\\\\\"","proj4":"+proj=b +towgs84=1 \\u00e9"},' +
    '"8":{"code":"8","name":"\\"proj4\\":\\"x","proj4":"+proj=c"}}';
  assert.deepEqual(
    [...proj4Strings(Buffer.from(text))],
    [
      ['7', '+proj=b +towgs84=1 é'],
      ['8', '+proj=c'],
    ],
  );
});

test('preloadEpsgDefinitions reads the index without a sync read, only when a code is not built in', async (t) => {
  // a module instance of its own, whose index is not loaded yet
  const fresh = (await import(
    `./epsg-definitions.js?preload=${String(Date.now())}`
  )) as typeof import('./epsg-definitions.js');
  const syncReads: string[] = [];
  const original = fs.readFileSync;
  t.mock.method(fs, 'readFileSync', (...args: Parameters<typeof fs.readFileSync>) => {
    if (String(args[0]).endsWith('all.json')) syncReads.push(String(args[0]));
    return original(...args);
  });
  syncBuiltinESMExports();
  t.after(() => {
    t.mock.restoreAll();
    syncBuiltinESMExports();
  });
  await fresh.preloadEpsgDefinitions([4326, 3857, 900913]);
  assert.equal(fresh.epsgDefinition(4326)?.definition, '+proj=longlat +datum=WGS84 +no_defs');
  await fresh.preloadEpsgDefinitions([4326, 25832]);
  assert.match(fresh.epsgDefinition(25832)?.definition ?? '', /\+proj=utm \+zone=32/);
  assert.deepEqual(syncReads, [], 'the definitions came from the preloaded index');
  // without the preload, the same lookup reads the file synchronously (what the test guards against)
  const other = (await import(
    `./epsg-definitions.js?sync=${String(Date.now())}`
  )) as typeof import('./epsg-definitions.js');
  assert.match(other.epsgDefinition(25832)?.definition ?? '', /\+proj=utm \+zone=32/);
  assert.equal(syncReads.length, 1);
});
