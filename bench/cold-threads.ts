/**
 * Where a serving worker's CPU goes while it creates meta tiles: ours as deployed (`serve -w N`,
 * dist) in front of MapServer, the tms-cold tiles (levels 2-5, row by row) on the fresh server, then
 * passes of 80 other cold meta tiles (level 6) on the same, now warm, workers. Per pass: CPU per
 * meta tile of the group, of each process and of its busiest threads, minor faults per meta tile,
 * and peak RSS per worker.
 *
 *   npm run build && node --import tsx bench/cold-threads.ts [--workers 2] [--passes 3]
 *     [--clients 32] [--bin OTHER/bin/run.js]
 *
 * `--bin` runs another build of ours (a before/after pair: run both in turn, in the same window).
 * The environment passes through to the server. Threads are named by tid (Node 20 names none): the
 * busiest one after a worker's main thread is its image thread; V8's platform threads are the four
 * started first, libuv's pool the four started at the first file operation.
 */
import { parseArgs } from 'node:util';
import { groupThreadStats, type ThreadStat } from './group-cpu.js';
import { startMapServerUpstream } from './mapserver-upstream.js';
import { onceEachRun } from './measure.js';
import { sampleWorkerRss } from './rss.js';
import { startTarget } from './target.js';
import { gridTiles, tilePath, type GridTile } from './tiles.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    passes: { type: 'string', default: '3' },
    clients: { type: 'string', default: '32' },
    bin: { type: 'string' },
  },
});

/** Meta tiles (4x4) of level 6 per warm pass, each pass on rows of meta tiles no other pass takes. */
const PASS_META_ROWS = 5;
const PASS_META_COLUMNS = 16;

function passTiles(pass: number): GridTile[] {
  if (pass === 0) return gridTiles('tms', [2, 5]);
  const [fromRow, toRow] = [(pass - 1) * PASS_META_ROWS, pass * PASS_META_ROWS];
  return gridTiles('tms', [6, 6]).filter(
    (t) => t.y >> 2 >= fromRow && t.y >> 2 < toRow && t.x >> 2 < PASS_META_COLUMNS,
  );
}

/** What each thread spent between two snapshots, with its process's role. */
function deltas(before: Map<string, ThreadStat>, after: Map<string, ThreadStat>, pgid: number) {
  return [...after].map(([key, now]) => {
    const then = before.get(key);
    const role = now.pid === pgid ? 'primary' : `worker ${String(now.pid)}`;
    return {
      role,
      thread: now.tid === now.pid ? `${role} main` : `${role} ${String(now.tid)}`,
      cpuMs: now.cpuMs - (then?.cpuMs ?? 0),
      systemMs: now.systemMs - (then?.systemMs ?? 0),
      minorFaults: now.minorFaults - (then?.minorFaults ?? 0),
    };
  });
}

// level 6 has 16 rows of meta tiles: three warm passes
const MAX_PASSES = 1 + Math.floor(16 / PASS_META_ROWS);
if (Number(values.passes) > MAX_PASSES) throw new Error(`--passes: at most ${String(MAX_PASSES)}`);

const upstream = await startMapServerUpstream();
const target = await startTarget('mapproxy-ts', upstream.url, 'dist', {
  mode: 'deploy',
  workers: Number(values.workers),
  ...(values.bin === undefined ? {} : { bin: values.bin }),
});
try {
  for (let pass = 0; pass < Number(values.passes); pass++) {
    const tiles = passTiles(pass);
    const before = groupThreadStats(target.pid);
    upstream.resetCount();
    const rss = sampleWorkerRss(target.pid, 100);
    const run = await onceEachRun(
      target.url,
      tiles.map((tile) => tilePath('tms', tile)),
      Number(values.clients),
    );
    const peakMb = rss.stop();
    const threads = deltas(before, groupThreadStats(target.pid), target.pid);
    const metas = upstream.count;
    const per = (ms: number) => (ms / metas).toFixed(1);
    const sum = (list: typeof threads, pick: (t: (typeof threads)[number]) => number) =>
      list.reduce((total, t) => total + pick(t), 0);
    const roles = [...new Set(threads.map((t) => t.role))];
    const busiest = threads.filter((t) => t.cpuMs > 0).sort((a, b) => b.cpuMs - a.cpuMs);
    const faulting = threads.filter((t) => t.minorFaults > 0).sort((a, b) => b.minorFaults - a.minorFaults);
    console.log(
      `pass ${String(pass + 1)} (${pass === 0 ? 'levels 2-5, fresh workers' : 'level 6, warm workers'}): ` +
        `${String(metas)} meta tiles, ${String(tiles.length)} tiles, ${String(run.non2xx + run.errors)} failed; ` +
        `${per(sum(threads, (t) => t.cpuMs))} ms CPU per meta tile (system ${per(sum(threads, (t) => t.systemMs))}), ` +
        `peak ${peakMb.toFixed(0)} MB per worker`,
    );
    console.log(
      `  by process: ${roles
        .map(
          (role) =>
            `${role} ${per(
              sum(
                threads.filter((t) => t.role === role),
                (t) => t.cpuMs,
              ),
            )}`,
        )
        .join(', ')}`,
    );
    console.log(
      `  busiest threads: ${busiest
        .slice(0, 8)
        .map((t) => `${t.thread} ${per(t.cpuMs)}`)
        .join(', ')}`,
    );
    console.log(
      `  minor faults per meta tile: ${faulting
        .slice(0, 6)
        .map((t) => `${t.thread} ${(t.minorFaults / metas).toFixed(0)}`)
        .join(', ')}`,
    );
  }
} finally {
  await target.close();
  await upstream.close();
}
