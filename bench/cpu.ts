/**
 * CPU time per WMS GetMap, ours against MapProxy's: wall-clock throughput on a shared 2-core
 * machine swings 2-5x with the other load, the CPU a server spends on a map does not. Starts each
 * target as users deploy it (`serve -w N`, `gunicorn -w N`) on the bench config in front of
 * MapServer, warms the cache with every map of the WMS scenarios once, then sends each scenario's
 * maps `--rounds` times (sequentially and `--concurrency` at a time) and divides the CPU the
 * target's process group spent (/proc, user + system, every thread) by the maps answered.
 *
 *   node --import tsx bench/cpu.ts [--mapproxy] [--workers 2] [--rounds 3] [--concurrency 8]
 *     [--scenario wms-3857]… [--profile DIR]
 *
 * `--save-cache DIR` copies the warmed cache there (for kernel benchmarks on real tiles).
 * `--profile DIR` runs ours under `node --cpu-prof` (every worker process and thread writes a
 * .cpuprofile into DIR when it drains).
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchConfig } from './config.js';
import { fetchAll } from './measure.js';
import { groupCpuMs } from './group-cpu.js';
import { startMapServerUpstream } from './mapserver-upstream.js';
import { getMapPath } from './scenarios/wms.js';
import { detachedTarget, startTarget, waitForUrl, type Target } from './target.js';

/** The maps of the three WMS scenarios (bench/scenarios/wms.ts), by scenario. */
const SCENARIOS: Readonly<
  Record<string, { srs: string; origin: [number, number]; size: number; step: number }>
> = {
  'wms-3857': { srs: 'EPSG:3857', origin: [0, 5_000_000], size: 1_000_000, step: 250_000 },
  'wms-4326': { srs: 'EPSG:4326', origin: [2, 44], size: 8, step: 2 },
  'wms-25832': { srs: 'EPSG:25832', origin: [300_000, 5_300_000], size: 600_000, step: 100_000 },
};

function paths(name: string): string[] {
  const s = SCENARIOS[name];
  if (s === undefined) throw new Error(`unknown scenario ${name}`);
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const [x, y] = [s.origin[0] + i * s.step, s.origin[1] + j * s.step];
      out.push(getMapPath(s.srs, [x, y, x + s.size, y + s.size]));
    }
  }
  return out;
}

const { values } = parseArgs({
  options: {
    mapproxy: { type: 'boolean' },
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    scenario: { type: 'string', multiple: true },
    profile: { type: 'string' },
    'save-cache': { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const names = values.scenario ?? Object.keys(SCENARIOS);

/** Ours as `serve -w workers` from src/ under node with `nodeArgs` (which its workers inherit). */
async function startOurs(upstreamUrl: string, workers: number, nodeArgs: readonly string[]): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-cpu-'));
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, benchConfig(upstreamUrl));
  const bin = fileURLToPath(new URL('../bin/dev.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [...nodeArgs, bin, 'serve', configFile, '-w', String(workers), '-b', '127.0.0.1:0'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  // serve prints its start line on stderr (as gunicorn does)
  const url = await waitForUrl(child, 'serve');
  return detachedTarget(child, {
    kind: 'mapproxy-ts',
    label: `mapproxy-ts serve -w ${workers} ${nodeArgs.join(' ')}`,
    url,
    dir,
  });
}

const upstream = await startMapServerUpstream();
const target =
  values.mapproxy === true
    ? await startTarget('mapproxy', upstream.url, 'dev', { mode: 'deploy', workers: Number(values.workers) })
    : await startOurs(
        upstream.url,
        Number(values.workers),
        values.profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values.profile],
      );
try {
  console.log(target.label);
  for (const name of names) await fetchAll(target.url, paths(name), 4);
  for (const name of names) {
    const list = paths(name);
    const all = Array.from({ length: rounds }, () => list).flat();
    // a first pass per scenario outside the measurement: JIT, pools and page cache warm
    await fetchAll(target.url, list, concurrency);
    const results: string[] = [];
    for (const c of [1, concurrency]) {
      const before = groupCpuMs(target.pid);
      const start = performance.now();
      await fetchAll(target.url, all, c);
      const wall = performance.now() - start;
      const cpu = groupCpuMs(target.pid) - before;
      results.push(
        `c=${c}: ${(cpu / all.length).toFixed(1)} ms CPU/map (${((all.length * 1000) / wall).toFixed(1)} maps/s wall)`,
      );
    }
    console.log(`${name}: ${results.join(', ')}`);
  }
  if (values['save-cache'] !== undefined)
    await cp(join(target.dir, 'cache_data'), values['save-cache'], { recursive: true });
} finally {
  await target.close();
  await upstream.close();
}
