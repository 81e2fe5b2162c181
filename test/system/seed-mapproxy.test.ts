/**
 * Seeding and cleanup against MapProxy 1.15: for test/fixtures/seed/{mapproxy,seed}.yaml our seed
 * writes the tile files `mapproxy-seed` wrote, with as many upstream requests, and cleanups leave
 * what MapProxy's left (captured by test/fixtures/seed/capture.mjs.txt).
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { runSeed } from '../../src/core/index.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

interface Capture {
  readonly seeds: Record<string, { readonly requests: number; readonly files: readonly string[] }>;
  readonly cleanups: Record<string, { readonly files: readonly string[] }>;
}
const expected = JSON.parse(
  await readFile(join(FIXTURES_DIR, 'seed/mapproxy-1.15.json'), 'utf8'),
) as Capture;

const wmsImage = (request: UpstreamRequest): Promise<Buffer> =>
  solidPng([10, 120, 200, 255], [Number(request.query.get('width')), Number(request.query.get('height'))]);

/** A fresh directory with the seed fixtures, pointed at a new in-test WMS. */
async function seedDir(t: TestContext) {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const dir = await makeTempDir(t, 'seed-');
  for (const f of ['seed.yaml', 'world.geojson', 'area.wkt']) await cp(join(FIXTURES_DIR, 'seed', f), join(dir, f));
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', upstream.url));
  const run = (selection: { seeds?: string[]; cleanups?: string[] }) =>
    runSeed({
      proxyConfigFile: join(dir, 'mapproxy.yaml'),
      seedConfigFile: join(dir, 'seed.yaml'),
      concurrency: 2,
      retries: 0,
      ...selection,
    });
  return { dir, upstream, run };
}

/** Tile files below the cache dir (lock files excluded), relative, sorted. */
async function tileFiles(dir: string): Promise<string[]> {
  const base = join(dir, 'cache_data');
  const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(base.length + 1))
    .filter((p) => !p.startsWith('tile_locks'))
    .sort();
}

/** What one seed run left: its status, its upstream requests, its tile files and a copy of its cache_data. */
interface SeedOutcome {
  readonly status: string;
  readonly requests: number;
  readonly files: readonly string[];
  /** cache_data copied out of the run's directory; it outlives the test that ran the seed. */
  readonly cache: string;
}

/**
 * Seed runs made once for this file, by key: the test that checks a run against MapProxy and the
 * tests that start from its cache share one run (seeding is most of this file's work), and each of
 * those gets a copy of the cache.
 */
const outcomes = new Map<string, Promise<SeedOutcome>>();
const outcomeDirs: string[] = [];
after(() => Promise.all(outcomeDirs.map((dir) => rm(dir, { recursive: true, force: true }))));
function seedOnce(
  key: string,
  seed: () => Promise<{ readonly dir: string; readonly upstream: { readonly requests: readonly unknown[] }; readonly status: string }>,
): Promise<SeedOutcome> {
  let outcome = outcomes.get(key);
  if (outcome === undefined) {
    outcome = (async () => {
      const { dir, upstream, status } = await seed();
      const requests = upstream.requests.length;
      const kept = await mkdtemp(join(tmpdir(), 'seed-outcome-'));
      outcomeDirs.push(kept);
      await cp(join(dir, 'cache_data'), join(kept, 'cache_data'), { recursive: true });
      return { status, requests, files: await tileFiles(dir), cache: join(kept, 'cache_data') };
    })();
    outcomes.set(key, outcome);
  }
  return outcome;
}

/** The seed "world", run once for the file. */
function worldSeed(t: TestContext): Promise<SeedOutcome> {
  return seedOnce('world', async () => {
    const seeded = await seedDir(t);
    const result = await seeded.run({ seeds: ['world'] });
    return { ...seeded, status: result.status };
  });
}

for (const [name, capture] of Object.entries(expected.seeds)) {
  test(`seed "${name}" writes MapProxy's tile files with as many upstream requests`, async (t) => {
    if (name === 'world') {
      const world = await worldSeed(t);
      assert.equal(world.status, 'done');
      assert.deepEqual(world.files, capture.files);
      assert.equal(world.requests, capture.requests);
      return;
    }
    const { dir, upstream, run } = await seedDir(t);
    const result = await run({ seeds: [name] });
    assert.equal(result.status, 'done');
    assert.deepEqual(await tileFiles(dir), capture.files);
    assert.equal(upstream.requests.length, capture.requests);
  });
}

/** `seedDir` with a copy of the seeded "world" cache (the run the test above checks). */
async function seededWorldDir(t: TestContext): Promise<Awaited<ReturnType<typeof seedDir>>> {
  const world = await worldSeed(t);
  assert.equal(world.status, 'done');
  assert.deepEqual(world.files, expected.seeds.world?.files);
  const seeded = await seedDir(t);
  await cp(world.cache, join(seeded.dir, 'cache_data'), { recursive: true });
  return seeded;
}

test('a second seed run finds every tile and asks the upstream nothing', async (t) => {
  const { upstream, run } = await seededWorldDir(t);
  const again = await run({ seeds: ['world'] });
  assert.equal(again.status, 'done');
  assert.equal(upstream.requests.length, 0);
  assert.equal(again.tasks[0]?.stats.metaTiles, 0);
});

/** The capture ages levels 02 and 03 to 2000-01-01 before the cleanups. */
async function ageTiles(dir: string): Promise<void> {
  const old = new Date('2000-01-01T00:00:00Z');
  for (const p of await tileFiles(dir)) {
    if (['02', '03'].includes(p.split('/')[1] ?? '')) await utimes(join(dir, 'cache_data', p), old, old);
  }
}

for (const [name, capture] of Object.entries(expected.cleanups)) {
  test(`cleanup "${name}" leaves the tile files MapProxy left`, async (t) => {
    const { dir, run } = await seededWorldDir(t);
    await ageTiles(dir);
    const result = await run({ cleanups: [name] });
    assert.equal(result.status, 'done');
    assert.deepEqual(await tileFiles(dir), capture.files);
  });
}

// expire_tiles coverages and -l (--skip-geoms-for-last-levels), with expire.seed.yaml
// (captured by test/fixtures/seed/capture-expire.mjs.txt)
interface ExpireCapture {
  readonly seeds: Record<string, { readonly args: string[]; readonly requests: number; readonly files: string[] }>;
  readonly cleanups: Record<string, { readonly seed: string[]; readonly cleanup: string[]; readonly files: string[] }>;
}
const expectedExpire = JSON.parse(
  await readFile(join(FIXTURES_DIR, 'seed/mapproxy-1.15-expire.json'), 'utf8'),
) as ExpireCapture;

/** mapproxy-seed arguments (`--seed a`, `--cleanup b`, `-l N`) as `runSeed` options. */
function seedArgs(args: readonly string[]): { seeds?: string[]; cleanups?: string[]; skipGeomsForLastLevels?: number } {
  const value = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
  const seed = args.includes('--seed') ? value('--seed') : undefined;
  const cleanup = args.includes('--cleanup') ? value('--cleanup') : undefined;
  return {
    ...(seed === undefined ? {} : { seeds: [seed] }),
    ...(cleanup === undefined ? {} : { cleanups: [cleanup] }),
    ...(args.includes('-l') ? { skipGeomsForLastLevels: Number(value('-l')) } : {}),
  };
}

async function expireDir(t: TestContext) {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const dir = await makeTempDir(t, 'seed-expire-');
  for (const f of ['expire.seed.yaml', 'area.wkt', 'sparse.tiles', 'expire']) {
    await cp(join(FIXTURES_DIR, 'seed', f), join(dir, f), { recursive: true });
  }
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', upstream.url));
  const run = (args: readonly string[]) =>
    runSeed({
      proxyConfigFile: join(dir, 'mapproxy.yaml'),
      seedConfigFile: join(dir, 'expire.seed.yaml'),
      concurrency: 2,
      retries: 0,
      ...seedArgs(args),
    });
  return { dir, upstream, run };
}

/** The expire/-l seed with mapproxy-seed arguments `args`, run once for the file. */
function expireSeed(t: TestContext, args: readonly string[]): Promise<SeedOutcome> {
  return seedOnce(`expire ${args.join(' ')}`, async () => {
    const seeded = await expireDir(t);
    const result = await seeded.run(args);
    return { ...seeded, status: result.status };
  });
}

for (const [name, capture] of Object.entries(expectedExpire.seeds)) {
  test(`expire/-l seed "${name}" (${capture.args.join(' ')}) writes MapProxy's tile files with as many upstream requests`, async (t) => {
    const seeded = await expireSeed(t, capture.args);
    assert.equal(seeded.status, 'done');
    assert.deepEqual(seeded.files, capture.files);
    assert.equal(seeded.requests, capture.requests);
  });
}

for (const [name, capture] of Object.entries(expectedExpire.cleanups)) {
  test(`cleanup "${name}" (${capture.cleanup.join(' ')}) leaves the tile files MapProxy left`, async (t) => {
    // the seed before the cleanup is one of the seeds above (shared), copied into this directory
    const seeded = await expireSeed(t, capture.seed);
    assert.equal(seeded.status, 'done');
    const { dir, run } = await expireDir(t);
    await cp(seeded.cache, join(dir, 'cache_data'), { recursive: true });
    const old = new Date('2000-01-01T00:00:00Z');
    for (const p of await tileFiles(dir)) await utimes(join(dir, 'cache_data', p), old, old);
    const result = await run(capture.cleanup);
    assert.equal(result.status, 'done');
    assert.deepEqual(await tileFiles(dir), capture.files);
  });
}
