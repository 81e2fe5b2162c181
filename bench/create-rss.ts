/**
 * Tile creation alone on ours as deployed (`serve -w N`, dist) in front of MapServer: every TMS tile
 * of levels 1 to `--to` requested cold (8 at a time), then CPU per created meta tile (the server's
 * process group, /proc) and the peak RSS per worker while they were created.
 *
 *   npm run build && node --import tsx bench/create-rss.ts [--workers 2] [--to 5]
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { groupCpuMs } from './group-cpu.js';
import { startMapServerUpstream } from './mapserver-upstream.js';
import { fetchAll } from './measure.js';
import { sampleWorkerRss } from './rss.js';
import { startTarget } from './target.js';
import { gridTiles, shuffled, tilePath } from './tiles.js';

const { values } = parseArgs({
  options: { workers: { type: 'string', default: '2' }, to: { type: 'string', default: '5' } },
});
const upstream = await startMapServerUpstream();
const target = await startTarget('mapproxy-ts', upstream.url, 'dist', {
  mode: 'deploy',
  workers: Number(values.workers),
});
try {
  // the workers settle after their start before the count begins
  await delay(1500);
  const paths = shuffled(gridTiles('tms', [1, Number(values.to)])).map((tile) => tilePath('tms', tile));
  const cpuBefore = groupCpuMs(target.pid);
  upstream.resetCount();
  const rss = sampleWorkerRss(target.pid, 100);
  await fetchAll(target.url, paths, 8);
  const peak = rss.stop();
  const cpuMs = groupCpuMs(target.pid) - cpuBefore;
  console.log(
    `${target.label}: ${String(paths.length)} tiles, ${String(upstream.count)} meta tiles from upstream, ` +
      `${(cpuMs / upstream.count).toFixed(1)} ms CPU per meta tile, peak ${peak.toFixed(0)} MB per worker`,
  );
} finally {
  await target.close();
  await upstream.close();
}
