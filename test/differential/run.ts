/**
 * Differential runner (not part of npm test; needs MapProxy 1.15, MapServer and gdal_translate):
 * `npm run diff:mapproxy -- [--config NAME]… [--cases N] [--seed S] [--out DIR] [--generate N]`.
 * For each configuration of test/differential/corpus (or, with `--generate N`, each of N
 * configurations generate.ts draws from the seed, written to DIR/generated/) it starts MapProxy and our server on copies
 * of it, both in front of MapServer, sends both the same generated requests, compares the answers
 * and the cache files, prints parity per configuration and per kind, and writes every difference
 * with both bodies to DIR.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configureLogging } from '../../src/core/index.js';
import { generateCases, makeRng, readOffer, type CaseKind, type RequestCase } from './cases.js';
import { compareAnswers, compareImages, describeSets, type Answer } from './compare.js';
import { generateValidConfigs } from './generate.js';
import { readTiles, restoreStores, snapshotStores } from './seed-tiles.js';
import { startMapProxy, startOurs, type Running } from './servers.js';
import { startBackend, startFront, type Upstream } from './upstream.js';

const CORPUS = fileURLToPath(new URL('corpus/', import.meta.url));
/** The address the fixture configurations use for their upstream. */
const FIXTURE_UPSTREAM = /http:\/\/localhost:4242[23]/g;
/**
 * An absolute cache directory in a fixture (combined_sources: `/tmp/cache_data/`): both servers
 * and every run would share it, so one side found the tiles the other had created. Each side
 * gets it relative to its own directory instead.
 */
const ABSOLUTE_BASE_DIR = /^(\s*base_dir:\s*)\/\S*/gm;

type Kind = CaseKind | 'load' | 'cache-files' | 'cache-tiles';

interface Result {
  readonly config: string;
  readonly kind: Kind;
  readonly path: string;
  readonly problems: readonly string[];
  /**
   * MapProxy crashed on this request (500 "internal error", a traceback in its log): there is
   * no behaviour to match, so the case is left out of parity and only our answer is checked.
   */
  readonly mapproxyCrashed?: true;
  /**
   * One side took longer than SLOW_MS (seconds each side took): waited out, not cut, so that its
   * upstream requests and CPU do not spill into the next cases; left out of parity and counted
   * on their own.
   */
  readonly slow?: { readonly mapproxy: number; readonly ours: number };
}

/** Response headers kept for the comparison (compare.ts says which it compares when). */
const HEADERS = ['content-length', 'etag', 'last-modified', 'cache-control', 'location'];

/** A request slower than this on either side is a slow case (its own class). */
const SLOW_MS = 60_000;
/** A request still running after this is given up (cut): a hang, not a slow answer. */
const GIVE_UP_MS = 600_000;
/** Our hot-tile cache's default TTL (`globals.cache.hot_tiles.ttl_seconds`; no configuration here sets it). */
const HOT_TILES_TTL_MS = 1000;

const { values } = parseArgs({
  options: {
    config: { type: 'string', multiple: true },
    cases: { type: 'string', default: '40' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    generate: { type: 'string' },
  },
});

// our server's request log would drown the summary
configureLogging({ stdout: false });
const work = await mkdtemp(join(tmpdir(), 'mapproxy-diff-'));
const out = values.out ?? join(work, 'differences');
const seed = Number(values.seed);
const caseCount = Number(values.cases);
const generated = values.generate === undefined ? null : await generate(Number(values.generate));
const corpus = generated ?? (await readdir(CORPUS)).filter((f) => f.endsWith('.yaml')).sort();
const selected =
  values.config === undefined
    ? corpus
    : corpus.filter((f) => values.config!.some((c) => f === c || f === `${c}.yaml`));
const configDir = generated === null ? CORPUS : join(out, 'generated');

const backend = await startBackend(join(work, 'mapserver'));
const results: Result[] = [];
try {
  for (const file of selected) {
    const name = file.replace(/\.yaml$/, '');
    process.stdout.write(`${name} `);
    const before = results.length;
    await runConfig(name, file);
    const mine = results.slice(before);
    const same = mine.filter((r) => r.problems.length === 0).length;
    process.stdout.write(`${same}/${mine.length}\n`);
  }
} finally {
  await backend.close();
}
await writeFile(join(work, 'results.json'), JSON.stringify(results, null, 1));
printSummary();
console.log(`\ndifferences: ${out}\nresults: ${join(work, 'results.json')}`);
if (!values.keep) await rm(join(work, 'configs'), { recursive: true, force: true });

/** Writes `count` generated configurations to DIR/generated/ and names them. */
async function generate(count: number): Promise<string[]> {
  const configs = await generateValidConfigs(makeRng(seed), count);
  await mkdir(join(out, 'generated'), { recursive: true });
  const names: string[] = [];
  for (const [i, text] of configs.entries()) {
    const file = `gen-${seed}-${String(i).padStart(2, '0')}.yaml`;
    await writeFile(join(out, 'generated', file), text);
    names.push(file);
  }
  return names;
}

async function runConfig(name: string, file: string): Promise<void> {
  const source = await readFile(join(configDir, file), 'utf8');
  const fronts: Record<'mapproxy' | 'ours', Upstream> = {
    mapproxy: await startFront(backend),
    ours: await startFront(backend),
  };
  const dirs = {
    mapproxy: join(work, 'configs', name, 'mapproxy'),
    ours: join(work, 'configs', name, 'ours'),
  };
  const servers: Partial<Record<'mapproxy' | 'ours', Running>> = {};
  try {
    // 1. the same configuration for both, each with its own directory and upstream front
    for (const side of ['mapproxy', 'ours'] as const) {
      await mkdir(dirs[side], { recursive: true });
      for (const extra of await readdir(CORPUS)) {
        if (!extra.endsWith('.yaml'))
          await cp(join(CORPUS, extra), join(dirs[side], extra), { recursive: true });
      }
      const config = source
        .replace(FIXTURE_UPSTREAM, fronts[side].url)
        .replace(ABSOLUTE_BASE_DIR, '$1cache_data/');
      await writeFile(join(dirs[side], file), config);
    }
    // 2. both load it, or both refuse it
    const mapproxy = await startMapProxy(join(dirs.mapproxy, file), dirs.mapproxy);
    const ours = await startOurs(join(dirs.ours, file));
    const loadProblems =
      mapproxy.ok === ours.ok
        ? []
        : [
            `load: mapproxy ${mapproxy.ok ? 'loads' : `refuses (${mapproxy.error})`}, ours ${ours.ok ? 'loads' : `refuses (${ours.error})`}`,
          ];
    await record({ config: name, kind: 'load', path: file, problems: loadProblems }, null, null);
    if (mapproxy.ok) servers.mapproxy = mapproxy.server;
    if (ours.ok) servers.ours = ours.server;
    if (!mapproxy.ok || !ours.ok) return;
    // 3. requests drawn from what MapProxy offers, seeded by the run seed and the config name
    fronts.mapproxy.take();
    const offer = await readOffer(mapproxy.server.url);
    fronts.mapproxy.take();
    // the same capabilities asked of ours, so that both start the cases in the same state: the
    // first WMS capabilities fetch the legends (their sizes), and only MapProxy had been asked
    // (legendgraphic: every seed's 1.1.0 capabilities differed, 0 legend requests against 5)
    fronts.ours.take();
    await readOffer(ours.server.url);
    fronts.ours.take();
    const rng = makeRng(seed ^ hash(name));
    const cases = generateCases(offer, rng, caseCount, { stacked: generated !== null });
    const normalise = (side: 'mapproxy' | 'ours', text: string): string =>
      text
        .replaceAll(servers[side]!.url, 'SERVER')
        // MapProxy's demo fetches its own capabilities at the WSGI server's name (localhost)
        .replaceAll(servers[side]!.url.replace('127.0.0.1', 'localhost'), 'SERVER')
        .replaceAll(fronts[side].url, 'UPSTREAM')
        .replaceAll(dirs[side], 'DIR');
    for (const [index, request] of cases.entries()) {
      const filesBefore = {
        mapproxy: new Set(await listFiles(dirs.mapproxy)),
        ours: new Set(await listFiles(dirs.ours)),
      };
      // and the tiles inside SQLite files and compact bundles, which a crash cleanup of new files
      // alone left (generated seed 20, gen-20-05: 156 tiles only ours after MapProxy crashed)
      const storesBefore = {
        mapproxy: await snapshotStores(dirs.mapproxy),
        ours: await snapshotStores(dirs.ours),
      };
      const [a, secondsA] = await send(mapproxy.server.url, request, fronts.mapproxy);
      const [b, secondsB] = await send(ours.server.url, request, fronts.ours);
      if (Math.max(secondsA, secondsB) * 1000 > SLOW_MS) {
        const problems = await compareAnswers(a, b, normalise, { html: request.kind === 'demo' });
        const slow = { mapproxy: secondsA, ours: secondsB };
        await record(
          { config: name, kind: request.kind, path: label(request), problems, slow },
          { a, b },
          index,
          [`slow: mapproxy ${secondsA.toFixed(1)} s, ours ${secondsB.toFixed(1)} s`],
        );
        continue;
      }
      if (isMapProxyCrash(a)) {
        // files either side wrote while answering it (MapProxy may store tiles before it fails)
        // are removed, and tiles stored into SQLite files and bundles that were there are taken
        // out again: left, they made the next requests differ (ours found tiles MapProxy asked
        // its upstream for again) and the cache file and tile comparisons too
        let undoneOurs = false;
        for (const side of ['mapproxy', 'ours'] as const) {
          for (const f of await listFiles(dirs[side])) {
            if (filesBefore[side].has(f)) continue;
            await rm(join(dirs[side], f), { force: true });
            undoneOurs ||= side === 'ours';
          }
          const restored = await restoreStores(dirs[side], storesBefore[side]);
          undoneOurs ||= side === 'ours' && restored;
        }
        // ours keeps the tiles it read in memory (hot_tiles, 1 s by default) and served the next
        // request from them although they were removed here (gen-20-02, seed 20: case 021 asked
        // its upstream for less than MapProxy, 14 tiles only ours at the end; 3 of 3 runs alike
        // with a pause): the next case waits until they are checked against the cache again
        if (undoneOurs) await new Promise((resolve) => setTimeout(resolve, HOT_TILES_TTL_MS + 200));
        const problems =
          b.status >= 500 || b.status === 0 ? [`MapProxy crashed, ours answered ${b.status}`] : [];
        await record(
          { config: name, kind: request.kind, path: label(request), problems, mapproxyCrashed: true },
          { a, b },
          index,
        );
        continue;
      }
      const problems = await compareAnswers(a, b, normalise, { html: request.kind === 'demo' });
      await record({ config: name, kind: request.kind, path: label(request), problems }, { a, b }, index);
    }
    // 4. the cache files both wrote
    const filesA = withNumberedLegends(await listFiles(dirs.mapproxy));
    const filesB = withNumberedLegends(await listFiles(dirs.ours));
    const onlyA = filesA.filter((f) => !filesB.includes(f));
    const onlyB = filesB.filter((f) => !filesA.includes(f));
    const problems =
      onlyA.length + onlyB.length === 0
        ? []
        : [
            describeSets(
              `cache files: ${onlyA.length} only mapproxy's, ${onlyB.length} only ours`,
              onlyA,
              onlyB,
              8,
            ),
          ];
    await record({ config: name, kind: 'cache-files', path: `${filesA.length} files`, problems }, null, null);
    // 5. the tiles inside SQLite files and compact bundles (file caches' tiles are files above)
    const tilesA = await readTiles(dirs.mapproxy);
    const tilesB = await readTiles(dirs.ours);
    const inside = (key: string): boolean => key.includes('#') || key.includes('@');
    const keysA = [...tilesA.keys()].filter(inside).sort();
    const keysB = [...tilesB.keys()].filter(inside).sort();
    if (keysA.length + keysB.length > 0) {
      const tileProblems: string[] = [];
      const onlyTilesA = keysA.filter((k) => !tilesB.has(k));
      const onlyTilesB = keysB.filter((k) => !tilesA.has(k));
      if (onlyTilesA.length + onlyTilesB.length > 0) {
        tileProblems.push(
          describeSets(
            `stored tiles: ${onlyTilesA.length} only mapproxy's, ${onlyTilesB.length} only ours`,
            onlyTilesA,
            onlyTilesB,
            8,
          ),
        );
      }
      const differing: string[] = [];
      for (const key of keysA.filter((k) => tilesB.has(k))) {
        const found = await compareImages(tilesA.get(key)!.data, tilesB.get(key)!.data);
        if (found.length > 0) differing.push(`${key}: ${found.join('; ')}`);
      }
      if (differing.length > 0) {
        tileProblems.push(describeSets(`stored tiles: ${differing.length} differ`, differing, [], 8));
      }
      await record(
        { config: name, kind: 'cache-tiles', path: `${keysA.length} tiles`, problems: tileProblems },
        null,
        null,
      );
    }
  } finally {
    await servers.mapproxy?.close();
    await servers.ours?.close();
    await fronts.mapproxy.close();
    await fronts.ours.close();
  }
}

/**
 * MapProxy's answer when a Python exception escaped its handlers ("internal error"), or its
 * REST dispatcher's 500 for a path it cannot route ("internal error: invalid request (...)").
 */
function isMapProxyCrash(answer: Answer): boolean {
  return (
    answer.status === 500 &&
    answer.contentType.startsWith('text/plain') &&
    // a HEAD answer's body is dropped by the client: the status and type are all there is
    (answer.method === 'HEAD' || /^internal error\b/.test(answer.body.toString('utf8')))
  );
}

/** A case as the results name it: its path, a HEAD request's with its method. */
function label(request: RequestCase): string {
  return request.method === undefined ? request.path : `${request.method} ${request.path}`;
}

/**
 * The answer and the seconds it took. A slow answer is waited for (up to GIVE_UP_MS): cut at 60 s,
 * the server went on with it while the next cases ran, and they timed out in cascade (corpus
 * layer.yaml, seed 21, case 032: 256 tiles of a GK3 box at easting 21.5 M, 108 s ours, 126 s
 * MapProxy, the same 256 upstream requests and pixels).
 */
async function send(base: string, request: RequestCase, front: Upstream): Promise<[Answer, number]> {
  front.take();
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  try {
    const res = await fetch(base + request.path, {
      method: request.method ?? 'GET',
      // the demo's redirect is compared itself; earlier draws followed redirects and still do
      redirect: request.kind === 'demo' ? 'manual' : 'follow',
      signal: AbortSignal.timeout(GIVE_UP_MS),
    });
    const body = Buffer.from(await res.arrayBuffer());
    const answer = {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body,
      upstream: front.take(),
      headers: Object.fromEntries(
        HEADERS.map((h) => [h, res.headers.get(h)]).filter((e): e is [string, string] => e[1] !== null),
      ),
      method: request.method ?? 'GET',
    };
    return [answer, seconds()];
  } catch (error) {
    return [
      {
        status: 0,
        contentType: '',
        body: Buffer.from(String(error)),
        upstream: front.take(),
        method: request.method ?? 'GET',
      },
      seconds(),
    ];
  }
}

async function record(
  result: Result,
  answers: { a: Answer; b: Answer } | null,
  index: number | null,
  notes: readonly string[] = [],
): Promise<void> {
  results.push(result);
  if (result.problems.length === 0 && notes.length === 0) return;
  const dir = join(out, result.config);
  await mkdir(dir, { recursive: true });
  const stem = join(dir, `${String(index ?? 'x').padStart(3, '0')}-${result.kind}`);
  await writeFile(`${stem}.txt`, `${result.path}\n\n${[...notes, ...result.problems].join('\n')}\n`);
  if (answers !== null) {
    await writeFile(`${stem}.mapproxy.${extension(answers.a.contentType)}`, answers.a.body);
    await writeFile(`${stem}.ours.${extension(answers.b.contentType)}`, answers.b.body);
  }
}

function extension(type: string): string {
  if (type.includes('png')) return 'png';
  if (type.includes('jpeg')) return 'jpg';
  if (type.includes('xml')) return 'xml';
  if (type.includes('tiff')) return 'tif';
  if (type.includes('gif')) return 'gif';
  if (type.includes('html')) return 'html';
  return 'txt';
}

/** Files under `dir` except the configuration, its data files and lock files. */
async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  await collectFiles(dir, files);
  return (
    files
      .map((f) => relative(dir, f))
      // SQLite's -wal/-shm (ours: WAL, docs/differences) and -journal files come and go
      .filter((f) => f.includes('/') && !/\.lck$|lock|-(wal|shm|journal)$/i.test(f))
      .sort()
  );
}

/**
 * The files below `dir`, walked by hand: a tile lock directory can vanish between a listing and
 * its scan (a server releases the lock just after its answer went out), which makes a recursive
 * readdir fail with ENOENT. Lock directories are not entered at all.
 */
async function collectFiles(dir: string, files: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (!entry.isDirectory()) files.push(path);
    else if (!/\.lck$/.test(entry.name)) await collectFiles(path, files);
  }
}

/**
 * Legend cache files are named by a hash of the legend request's URL, which holds each side's
 * own upstream address; they are compared by count (`legends/#1.png`, …), not by name.
 */
function withNumberedLegends(files: readonly string[]): string[] {
  let n = 0;
  return files.map((f) =>
    /(^|\/)legends\/[0-9a-f]+\.png$/.test(f) ? f.replace(/[0-9a-f]+\.png$/, `#${++n}.png`) : f,
  );
}

function hash(text: string): number {
  let h = 2166136261;
  for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 16777619);
  return h >>> 0;
}

function printSummary(): void {
  const compared = results.filter((r) => r.mapproxyCrashed !== true && r.slow === undefined);
  const crashes = results.filter((r) => r.mapproxyCrashed === true);
  const slow = results.filter((r) => r.slow !== undefined);
  const table = (title: string, key: (r: Result) => string): void => {
    const groups = new Map<string, { same: number; all: number }>();
    for (const r of compared) {
      const g = groups.get(key(r)) ?? { same: 0, all: 0 };
      g.all += 1;
      if (r.problems.length === 0) g.same += 1;
      groups.set(key(r), g);
    }
    console.log(`\n${title.padEnd(28)} same / all      %`);
    for (const [name, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(
        `${name.padEnd(28)} ${String(g.same).padStart(4)} / ${String(g.all).padEnd(5)} ${((100 * g.same) / g.all).toFixed(1).padStart(5)}`,
      );
    }
  };
  table('configuration', (r) => r.config);
  table('kind', (r) => r.kind);
  const same = compared.filter((r) => r.problems.length === 0).length;
  console.log(
    `\noverall ${same}/${compared.length} = ${((100 * same) / Math.max(1, compared.length)).toFixed(1)}%  (seed ${seed}, ${caseCount} cases per configuration)`,
  );
  const crashedOurs5xx = crashes.filter((r) => r.problems.length > 0).length;
  console.log(
    `not compared: ${crashes.length} requests on which MapProxy 1.15 crashed (500 "internal error"); ours answered ${crashes.length - crashedOurs5xx} of them without a 5xx`,
  );
  if (slow.length > 0) {
    const same = slow.filter((r) => r.problems.length === 0).length;
    console.log(
      `slow: ${slow.length} requests took over ${SLOW_MS / 1000} s on a side (waited out, ${same} of them answered alike):`,
    );
    for (const r of slow) {
      const { mapproxy, ours } = r.slow ?? { mapproxy: 0, ours: 0 };
      console.log(
        `  ${r.config} ${r.path.slice(0, 160)}: mapproxy ${mapproxy.toFixed(1)} s, ours ${ours.toFixed(1)} s`,
      );
    }
  }
}
