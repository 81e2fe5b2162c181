/**
 * Cached tile hits as users deploy the servers: ours (`serve -w N`, dist), MapProxy 1.15
 * (`gunicorn -w N`) and nginx serving ours' very cache files, each loaded by `wrk` (64
 * connections, a separate light process) rotating over every tile of the hit levels. Reports
 * req/s and p99 (which swing with the other load of a shared machine) and the server's CPU ms
 * per request (its process group's user + system time from /proc, which does not).
 *
 *   node --import tsx bench/tile-cpu.ts [--mapproxy] [--nginx] [--workers 2] [--duration 10]
 *     [--connections 64] [--runs 3] [--hit-levels 0-4] [--scenario tms-hit]… [--profile DIR]
 *     [--before OTHER/bin/run.js]
 *
 * `--before` also runs another build of ours (e.g. the previous commit's, built elsewhere).
 *
 * Runs are paired: each round runs every scenario on every target back to back, medians printed.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { timedLoad } from './load.js';
import { fetchAll, type Measurement } from './measure.js';
import { median } from './median.js';
import { startNginx, tileFilePaths } from './nginx.js';
import { startTarget, type Server } from './target.js';
import { gridTiles, shuffled, tilePath, type TileProtocol } from './tiles.js';
import { startBenchUpstream } from './upstream.js';

const SCENARIOS: Readonly<Record<string, TileProtocol>> = {
  'tms-hit': 'tms',
  'wmts-rest-hit': 'wmts-rest',
  'wmts-kvp-hit': 'wmts-kvp',
};

const { values } = parseArgs({
  options: {
    mapproxy: { type: 'boolean' },
    nginx: { type: 'boolean' },
    workers: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    'hit-levels': { type: 'string', default: '0-4' },
    scenario: { type: 'string', multiple: true },
    profile: { type: 'string' },
    before: { type: 'string' },
  },
});
const workers = Number(values.workers);
const [fromLevel, toLevel] = values['hit-levels'].split('-').map(Number) as [number, number];
const names = (values.scenario ?? Object.keys(SCENARIOS)).flatMap((name) => name.split(','));
for (const name of names) if (!(name in SCENARIOS)) throw new Error(`unknown scenario ${name}`);

const upstream = await startBenchUpstream(0);
const targets: Server[] = [];
try {
  const nodeArgs = values.profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values.profile];
  targets.push(await startTarget('mapproxy-ts', upstream.url, 'dist', { mode: 'deploy', workers, nodeArgs }));
  if (values.before !== undefined) {
    const bin = values.before;
    targets.push(await startTarget('mapproxy-ts', upstream.url, 'dist', { mode: 'deploy', workers, bin }));
  }
  if (values.mapproxy === true)
    targets.push(await startTarget('mapproxy', upstream.url, 'dist', { mode: 'deploy', workers }));
  const pathsOf = (name: string): string[] =>
    shuffled(gridTiles(SCENARIOS[name] ?? 'tms', [fromLevel, toLevel])).map((t) =>
      tilePath(SCENARIOS[name] ?? 'tms', t),
    );
  // 1. create every tile on every server, then one pass outside the measurement (JIT, page cache)
  for (const target of targets) for (const name of names) await fetchAll(target.url, pathsOf(name), 8);
  const jobs: { label: string; target: Server; paths: string[] }[] = [];
  for (const name of names)
    for (const target of targets)
      jobs.push({ label: `${name} ${target.label}`, target, paths: pathsOf(name) });
  const ours = targets[0] as Server;
  if (values.nginx === true) {
    const root = join(ours.dir, 'cache_data');
    const nginx = await startNginx(root, workers);
    targets.push(nginx);
    const files = await tileFilePaths(root);
    const bytes = (await Promise.all(files.map((f) => stat(join(root, f))))).reduce(
      (sum, s) => sum + s.size,
      0,
    );
    console.log(`nginx serves ${files.length} tile files, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    jobs.push({ label: nginx.label, target: nginx, paths: shuffled(files) });
  }
  for (const job of jobs) await fetchAll(job.target.url, job.paths, 8);
  const load = {
    load: 'wrk',
    durationSeconds: Number(values.duration),
    connections: Number(values.connections),
  } as const;
  const results = new Map<string, Measurement[]>();
  for (let run = 0; run < Number(values.runs); run++) {
    for (const job of jobs) {
      const figures = await timedLoad(job.target, job.paths, load);
      const bad = figures.non2xx + figures.errors;
      console.log(
        `run ${run + 1} ${job.label}: ${figures.perSecond.toFixed(0)} req/s, p99 ${figures.p99Ms.toFixed(2)} ms, ` +
          `${(figures.cpuMsPerRequest ?? NaN).toFixed(3)} ms CPU/req` +
          (bad > 0 ? `, ${figures.non2xx} non-2xx, ${figures.errors} socket errors` : ''),
      );
      results.set(job.label, [...(results.get(job.label) ?? []), figures]);
    }
  }
  console.log(
    `\nmedians of ${values.runs} runs, ${values.connections} connections, ${values.duration} s, levels ${values['hit-levels']}:`,
  );
  for (const [label, list] of results) {
    console.log(
      `${label}: ${median(list.map((f) => f.perSecond)).toFixed(0)} req/s, p99 ${median(list.map((f) => f.p99Ms)).toFixed(2)} ms, ` +
        `${median(list.map((f) => f.cpuMsPerRequest ?? NaN)).toFixed(3)} ms CPU/req`,
    );
  }
} finally {
  for (const target of targets.reverse()) await target.close();
  await upstream.close();
}
