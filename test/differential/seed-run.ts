/**
 * Seeding differential (not part of npm test; needs MapProxy 1.15's mapproxy-seed, MapServer and
 * gdal_translate, ogr2ogr): `npm run diff:seed -- [--generate N] [--seed S] [--only I]… [--out DIR]
 * [--keep] [--base]`. Draws N seeding cases (seed-generate.ts; `--base`: without the extra options,
 * as seeds 1-5 were drawn) that MapProxy accepts, runs /usr/bin/mapproxy-seed
 * and ours (`bin/dev.js seed`, the sources) on copies of each against one MapServer upstream
 * (a recording front per side), and compares the tiles written (keys, bytes, pixels by PSNR,
 * single-colour links, which file tiles a run rewrote) and the upstream requests.
 */
import { execFile, spawn } from 'node:child_process';
import { cp, lutimes, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import sharp from 'sharp';
import { makeRng } from './cases.js';
import { describeSets, MIN_PSNR_DB, psnr } from './compare.js';
import {
  generateSeedCase,
  NEW_TIME,
  OLD_TIME,
  REFERENCE_TIME,
  SEED_UPSTREAM,
  type SeedCase,
} from './seed-generate.js';
import { readTiles, type StoredTile } from './seed-tiles.js';
import { startBackend, startFront, type Upstream } from './upstream.js';

const execFileAsync = promisify(execFile);
const MAPPROXY_SEED = process.env.MAPPROXY_SEED ?? '/usr/bin/mapproxy-seed';
const OURS = fileURLToPath(new URL('../../bin/dev.js', import.meta.url));
/** A case's runs take seconds; one that takes this long hangs. */
const RUN_TIMEOUT_MS = 180_000;
/** The exit code a run that was killed for hanging reports (timeout(1)'s). */
const TIMED_OUT = 124;

type Side = 'mapproxy' | 'ours';

interface Outcome {
  readonly code: number;
  readonly output: string;
  readonly upstream: string[];
}

interface CaseResult {
  readonly name: string;
  readonly tiles: number;
  readonly identical: number;
  readonly pixelSame: number;
  /** Difference class → details. */
  readonly classes: Record<string, string>;
}

const { values } = parseArgs({
  options: {
    generate: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    /** Runs only these cases of the seed (`--only 4`), drawn as a full run draws them. */
    only: { type: 'string', multiple: true },
    /** Draws the base options only (no OGR/MultiPolygon/expire coverages, -c > 1, kills, image options). */
    base: { type: 'boolean', default: false },
    /**
     * Also draws run options (--seed/--cleanup selections, -l, --skip-uncached, --use-cache-lock,
     * --dry-run), file cache directories and two-cache seeds, and compares `--summary` output.
     */
    more: { type: 'boolean', default: false },
  },
});

const seed = Number(values.seed);
const work = await mkdtemp(join(tmpdir(), 'mapproxy-seeddiff-'));
const out = values.out ?? join(work, 'differences');
await mkdir(out, { recursive: true });
const backend = await startBackend(join(work, 'mapserver'));
const results: CaseResult[] = [];
try {
  const rng = makeRng(seed);
  const extra = values.base ? undefined : makeRng(seed ^ 0x5eed5eed);
  const more = values.more && extra !== undefined ? makeRng(seed ^ 0x0a0b0c0d) : undefined;
  const wanted = Number(values.generate);
  for (let attempt = 0, n = 0; n < wanted && attempt < wanted * 10; attempt++) {
    const seedCase = generateSeedCase(rng, extra, more);
    const name = `seed-${seed}-${String(n).padStart(2, '0')}${seedCase.concurrency > 1 ? `-c${seedCase.concurrency}` : ''}${seedCase.killAfter > 0 ? '-killed' : ''}`;
    if (!(await mapproxyAccepts(seedCase))) continue;
    n += 1;
    if (values.only !== undefined && !values.only.map(Number).includes(n - 1)) continue;
    process.stdout.write(`${name}${seedCase.args.length > 0 ? ` [${seedCase.args.join(' ')}]` : ''} `);
    const result = await runCase(name, seedCase);
    results.push(result);
    const classes = Object.keys(result.classes);
    process.stdout.write(
      `${result.identical}/${result.tiles} identical, ${result.pixelSame} same pixels${classes.length > 0 ? `; ${classes.join(', ')}` : ''}\n`,
    );
  }
} finally {
  await backend.close();
}
printSummary();
await writeFile(join(out, 'results.json'), JSON.stringify(results, null, 1));
console.log(`\ndifferences: ${out}`);
if (!values.keep) await rm(join(work, 'cases'), { recursive: true, force: true });

/** Whether MapProxy loads the case (its `--summary` builds every task, coverages included). */
async function mapproxyAccepts(seedCase: SeedCase): Promise<boolean> {
  const dir = join(work, 'check');
  await rm(dir, { recursive: true, force: true });
  await writeCase(dir, seedCase, SEED_UPSTREAM);
  const outcome = await runSeedTool('mapproxy', dir, ['--summary']);
  return outcome.code === 0 && !/error|Traceback/i.test(outcome.output);
}

async function writeCase(dir: string, seedCase: SeedCase, upstream: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'mapproxy.yaml'), seedCase.mapproxy.replaceAll(SEED_UPSTREAM, upstream));
  await writeFile(join(dir, 'seed.yaml'), seedCase.seed);
  if (seedCase.prefill !== null) await writeFile(join(dir, 'prefill.yaml'), seedCase.prefill);
  for (const [file, text] of Object.entries(seedCase.files)) await writeFile(join(dir, file), text);
  for (const [file, geojson] of Object.entries(seedCase.ogr)) {
    const from = join(dir, `${file}.features.json`);
    await writeFile(from, geojson);
    await execFileAsync('ogr2ogr', [
      '-f',
      file.endsWith('.shp') ? 'ESRI Shapefile' : 'GPKG',
      join(dir, file),
      from,
    ]);
  }
  await utimes(join(dir, 'reference.txt'), REFERENCE_TIME, REFERENCE_TIME);
}

/** With `kill`, the run is SIGKILLed once `kill.requests()` has reached `kill.after` (polled). */
function runSeedTool(
  side: Side,
  cwd: string,
  args: string[],
  seedFile = 'seed.yaml',
  concurrency = 1,
  kill?: { readonly after: number; readonly requests: () => number },
): Promise<Outcome> {
  const c = String(concurrency);
  const [command, argv] =
    side === 'mapproxy'
      ? [MAPPROXY_SEED, ['-f', 'mapproxy.yaml', '-s', seedFile, '-c', c, ...args]]
      : [process.execPath, [OURS, 'seed', '-f', 'mapproxy.yaml', '-s', seedFile, '-c', c, ...args]];
  return new Promise((resolve) => {
    // its own process group: mapproxy-seed's worker process can hang on a lock it inherited at
    // fork (seen: futex wait, the parent polling forever), and must go with its parent
    const child = spawn(command, argv, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, RUN_TIMEOUT_MS);
    const poll =
      kill === undefined
        ? undefined
        : setInterval(() => {
            if (kill.requests() < kill.after) return;
            clearInterval(poll);
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          }, 5);
    child.once('close', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ code: timedOut ? TIMED_OUT : (code ?? 1), output, upstream: [] });
    });
  });
}

async function runCase(name: string, seedCase: SeedCase): Promise<CaseResult> {
  const fronts: Record<Side, Upstream> = {
    mapproxy: await startFront(backend),
    ours: await startFront(backend),
  };
  const dirs: Record<Side, string> = {
    mapproxy: join(work, 'cases', name, 'mapproxy'),
    ours: join(work, 'cases', name, 'ours'),
  };
  const classes: Record<string, string> = {};
  try {
    for (const side of ['mapproxy', 'ours'] as const) await writeCase(dirs[side], seedCase, fronts[side].url);
    // 1. the pre-fill: MapProxy's tiles on both sides, half of the file tiles aged
    if (seedCase.prefill !== null) {
      let filled = await runSeedTool('mapproxy', dirs.mapproxy, [], 'prefill.yaml');
      if (filled.code === TIMED_OUT)
        filled = await runSeedTool('mapproxy', dirs.mapproxy, [], 'prefill.yaml');
      if (filled.code !== 0) classes['prefill failed'] = filled.output.slice(-400);
      await cp(join(dirs.mapproxy, 'cache_data'), join(dirs.ours, 'cache_data'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      for (const side of ['mapproxy', 'ours'] as const) await age(dirs[side]);
    }
    fronts.mapproxy.take();
    fronts.ours.take();
    const before = Date.now();
    // 2. both seed; a killed case runs with --continue, is SIGKILLed after some upstream requests
    // (its process group: MapProxy's workers too) and runs again with --continue
    const outcomes = {} as Record<Side, Outcome>;
    for (const side of ['mapproxy', 'ours'] as const) {
      if (seedCase.killAfter > 0) {
        const seen: string[] = [];
        const requests = (): number => seen.push(...fronts[side].take());
        const killed = await runSeedTool(
          side,
          dirs[side],
          ['--continue', ...seedCase.args],
          'seed.yaml',
          seedCase.concurrency,
          {
            after: seedCase.killAfter,
            requests,
          },
        );
        requests();
        const outcome = await runSeedTool(
          side,
          dirs[side],
          ['--continue', ...seedCase.args],
          'seed.yaml',
          seedCase.concurrency,
        );
        const output = `--- killed run (exit ${killed.code}, ${seen.length} upstream requests)\n${killed.output}\n--- continued\n${outcome.output}`;
        outcomes[side] = { ...outcome, output, upstream: [...seen, ...fronts[side].take()] };
        continue;
      }
      const outcome = await runSeedTool(
        side,
        dirs[side],
        [...seedCase.args],
        'seed.yaml',
        seedCase.concurrency,
      );
      outcomes[side] = { ...outcome, upstream: fronts[side].take() };
    }
    await writeFile(join(out, `${name}.mapproxy.log`), outcomes.mapproxy.output);
    await writeFile(join(out, `${name}.ours.log`), outcomes.ours.output);
    for (const side of ['mapproxy', 'ours'] as const)
      await writeFile(join(out, `${name}.${side}.upstream`), outcomes[side].upstream.join('\n') + '\n');
    for (const side of ['mapproxy', 'ours'] as const) {
      await writeFile(join(out, `${name}.${side}.yaml`), await readFile(join(dirs[side], 'mapproxy.yaml')));
    }
    await writeFile(join(out, `${name}.seed.yaml`), seedCase.seed);
    if (seedCase.args.length > 0) await writeFile(join(out, `${name}.args`), seedCase.args.join(' ') + '\n');
    // with --more: the task summaries (MapProxy's lines; ours adds tile counts per level)
    if (values.more) {
      const selection = seedCase.args.filter(
        (a, i, all) => /^--(seed|cleanup)$/.test(a) || /^--(seed|cleanup)$/.test(all[i - 1] ?? ''),
      );
      const [theirs, ours] = await Promise.all(
        (['mapproxy', 'ours'] as const).map(async (side) =>
          summaryLines((await runSeedTool(side, dirs[side], ['--summary', ...selection])).output),
        ),
      );
      const onlyTheirs = multisetMinus(theirs!, ours!);
      const onlyOurs = multisetMinus(ours!, theirs!);
      if (onlyTheirs.length + onlyOurs.length > 0 || theirs!.join('\n') !== ours!.join('\n'))
        classes['summary lines'] = describeSets(
          `mapproxy ${theirs!.length}, ours ${ours!.length}`,
          onlyTheirs,
          onlyOurs,
          6,
        );
    }
    const traceback = /^Traceback[\s\S]*\n(\w+(?:Error|Exception)\b.*)$/m.exec(outcomes.mapproxy.output);
    if (outcomes.mapproxy.code === TIMED_OUT) classes['mapproxy hung'] = outcomes.mapproxy.output.slice(-300);
    // a Python exception ends MapProxy's run: its later tasks are missing, not ours extra
    else if (traceback !== null && outcomes.mapproxy.code !== 0)
      classes[`mapproxy crashed: ${traceback[1]!.slice(0, 80)}`] = `ours exited ${outcomes.ours.code}`;
    else if (outcomes.mapproxy.code !== outcomes.ours.code)
      classes.exit = `mapproxy ${outcomes.mapproxy.code}, ours ${outcomes.ours.code}: ${outcomes.ours.output.slice(-300)}`;
    // 3. upstream requests, as multisets
    const a = [...outcomes.mapproxy.upstream].sort();
    const b = [...outcomes.ours.upstream].sort();
    if (a.join('\n') !== b.join('\n')) {
      const onlyA = multisetMinus(a, b);
      const onlyB = multisetMinus(b, a);
      const label = a.length === b.length ? 'upstream requests differ' : 'upstream request count';
      classes[seedCase.killAfter > 0 ? `${label} (killed and continued)` : label] = describeSets(
        `mapproxy ${a.length}, ours ${b.length}`,
        onlyA,
        onlyB,
        4,
      );
    }
    // 4. the tiles
    const tilesA = await readTiles(dirs.mapproxy);
    const tilesB = await readTiles(dirs.ours);
    const keys = [...new Set([...tilesA.keys(), ...tilesB.keys()])].sort();
    const onlyA: string[] = [];
    const onlyB: string[] = [];
    const pixels: string[] = [];
    const links: string[] = [];
    const written: string[] = [];
    let identical = 0;
    let pixelSame = 0;
    for (const key of keys) {
      const ta = tilesA.get(key);
      const tb = tilesB.get(key);
      if (ta === undefined) onlyB.push(key);
      else if (tb === undefined) onlyA.push(key);
      else {
        if (ta.link !== tb.link)
          links.push(`${key}: mapproxy ${ta.link ?? 'file'}, ours ${tb.link ?? 'file'}`);
        if (wasWritten(ta, before) !== wasWritten(tb, before))
          written.push(`${key}: ${wasWritten(ta, before) ? 'mapproxy' : 'ours'} rewrote it`);
        if (ta.data.equals(tb.data)) {
          if (ta.link === tb.link) identical += 1;
          pixelSame += 1;
        } else {
          const value = await imagePsnr(ta.data, tb.data);
          if (value >= MIN_PSNR_DB) pixelSame += 1;
          else pixels.push(`${key}: PSNR ${value.toFixed(1)}`);
        }
      }
    }
    if (onlyA.length + onlyB.length > 0)
      classes['tile sets'] = describeSets(
        `${onlyA.length} only mapproxy's, ${onlyB.length} only ours`,
        onlyA,
        onlyB,
        6,
      );
    if (pixels.length > 0) classes.pixels = describeSets(`${pixels.length} tiles`, pixels, [], 6);
    if (links.length > 0)
      classes['single-colour links'] = describeSets(`${links.length} tiles`, links, [], 6);
    if (written.length > 0)
      classes['tiles rewritten'] = describeSets(`${written.length} tiles`, written, [], 6);
    // JPEG bytes differ between libjpeg-turbo under PIL and under sharp at the same quality
    const bytesDiffer = keys.filter((k) => {
      const [ta, tb] = [tilesA.get(k), tilesB.get(k)];
      return ta !== undefined && tb !== undefined && !ta.data.equals(tb.data);
    });
    const jpeg = bytesDiffer.filter(
      (k) => tilesA.get(k)!.data[0] === 0xff && tilesB.get(k)!.data[0] === 0xff,
    );
    const kind = (data: Buffer): string => (data[0] === 0xff ? 'jpeg' : data[0] === 0x89 ? 'png' : 'other');
    const formats = bytesDiffer.filter((k) => kind(tilesA.get(k)!.data) !== kind(tilesB.get(k)!.data));
    for (const k of formats) {
      const label = `stored format: mapproxy ${kind(tilesA.get(k)!.data)}, ours ${kind(tilesB.get(k)!.data)}`;
      classes[label] = `${formats.length} tiles, e.g. ${k}`;
    }
    const other = bytesDiffer.length - jpeg.length - formats.length - pixels.length;
    if (jpeg.length > 0) classes['jpeg bytes differ'] = `${jpeg.length} tiles`;
    if (other > 0)
      classes['bytes differ, pixels same'] = describeSets(
        `${other} tiles`,
        bytesDiffer.filter(
          (k) => !jpeg.includes(k) && !formats.includes(k) && !pixels.some((p) => p.startsWith(`${k}:`)),
        ),
        [],
        6,
      );
    if (Object.keys(classes).length > 0) {
      await writeFile(
        join(out, `${name}.txt`),
        Object.entries(classes)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n\n') + '\n',
      );
    }
    return { name, tiles: keys.length, identical, pixelSame, classes };
  } finally {
    await fronts.mapproxy.close();
    await fronts.ours.close();
  }
}

/** Ages half of the file tiles (by a hash of their path) to 2001, the rest to 2020. */
async function age(dir: string): Promise<void> {
  for (const [key, tile] of await readTiles(join(dir, 'cache_data'))) {
    if (tile.mtimeMs === null) continue;
    const t = hash(key) % 2 === 0 ? OLD_TIME : NEW_TIME;
    await lutimes(join(dir, 'cache_data', key), t, t);
  }
}

function wasWritten(tile: StoredTile, sinceMs: number): boolean {
  return tile.mtimeMs !== null && tile.mtimeMs >= sinceMs - 1000;
}

/**
 * A `--summary` output's lines from its first heading on, without our per-level tile counts; a
 * cleanup's time is left out (each side's own "now", printed in its own format).
 */
function summaryLines(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith('=========='));
  return lines
    .slice(Math.max(0, start))
    .filter((l) => l.trim() !== '' && !/^ {4}Level \d+: /.test(l))
    .map((l) => l.replace(/^( {4}Remove: tiles older than ).*$/, '$1<time>'));
}

function multisetMinus(a: readonly string[], b: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  return a.filter((x) => {
    const n = counts.get(x) ?? 0;
    if (n === 0) return true;
    counts.set(x, n - 1);
    return false;
  });
}

async function imagePsnr(a: Buffer, b: Buffer): Promise<number> {
  try {
    const ra = await sharp(a).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const rb = await sharp(b).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    if (ra.info.width !== rb.info.width || ra.info.height !== rb.info.height) return -1;
    return psnr(ra.data, rb.data);
  } catch {
    return -2;
  }
}

function hash(text: string): number {
  let h = 2166136261;
  for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 16777619);
  return h >>> 0;
}

function printSummary(): void {
  const tiles = results.reduce((s, r) => s + r.tiles, 0);
  const identical = results.reduce((s, r) => s + r.identical, 0);
  const same = results.reduce((s, r) => s + r.pixelSame, 0);
  const clean = results.filter((r) => Object.keys(r.classes).length === 0).length;
  const classes = new Map<string, string[]>();
  for (const r of results)
    for (const c of Object.keys(r.classes)) classes.set(c, [...(classes.get(c) ?? []), r.name]);
  console.log(
    `\nseed ${seed}: ${results.length} configurations, ${clean} without differences; ${tiles} tiles, ${identical} identical (${((100 * identical) / Math.max(1, tiles)).toFixed(1)}%), ${same} same pixels`,
  );
  for (const [c, names] of [...classes].sort()) console.log(`  ${c}: ${names.join(' ')}`);
}
