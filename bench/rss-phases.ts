/**
 * Peak RSS per worker phase by phase on one server, as users deploy it (`serve -w N` from dist, or
 * MapProxy 1.15 under `gunicorn -w N`) in front of MapServer: idle after the start, then each
 * scenario in turn on the same workers (its preparation included), sampled from /proc every 100 ms.
 *
 *   npm run build && node --import tsx bench/rss-phases.ts [--mapproxy] [--workers 2] [--duration 6]
 *
 * The environment passes through to the server (e.g. GLIBC_TUNABLES to compare allocator settings).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startMapServerUpstream } from './mapserver-upstream.js';
import { parseBenchOptions } from './options.js';
import { sampleWorkerRss } from './rss.js';
import { SCENARIOS } from './scenarios/index.js';
import { startTarget } from './target.js';

const PHASES = ['tms-hit', 'wms-3857', 'wms-4326', 'wms-25832'];
const IDLE_SECONDS = 3;

const { values } = parseArgs({
  options: {
    mapproxy: { type: 'boolean' },
    workers: { type: 'string', default: '2' },
    duration: { type: 'string', default: '6' },
  },
});
const options = parseBenchOptions(
  ['--deploy', '--server', 'dist', '--duration', values.duration, '--workers', values.workers],
  SCENARIOS.map((s) => s.name),
);
const upstream = await startMapServerUpstream();
const target = await startTarget(values.mapproxy === true ? 'mapproxy' : 'mapproxy-ts', upstream.url, 'dist', {
  mode: 'deploy',
  workers: options.workers,
});
try {
  console.log(target.label);
  const idle = sampleWorkerRss(target.pid, 100);
  await delay(IDLE_SECONDS * 1000);
  console.log(`idle (${IDLE_SECONDS} s after the start): peak ${idle.stop().toFixed(0)} MB per worker`);
  for (const name of PHASES) {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (scenario === undefined) throw new Error(`no scenario ${name}`);
    const sampler = sampleWorkerRss(target.pid, 100);
    const result = await scenario.run({ target, upstream, options });
    console.log(`${name}: peak ${sampler.stop().toFixed(0)} MB per worker (${result.perSecond.toFixed(1)} req/s)`);
  }
} finally {
  await target.close();
  await upstream.close();
}
