/**
 * Paired seed runs (issue 13): ours from one or more builds (`--bin`, e.g. a before/after pair in
 * git worktrees) and MapProxy's `mapproxy-seed`, back to back per round on one MapServer upstream.
 * Reports medians of tiles/s, CPU per meta tile (seed and upstream) and how busy the upstream was.
 *
 *   node --import tsx bench/seed-pair.ts [--bin DIR/bin/run.js]… [--mapproxy] [-c 2] [--to 5] [--runs 3]
 *     [--node-arg --cpu-prof]…
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchConfig } from './config.js';
import { startMapServerUpstream } from './mapserver-upstream.js';
import { median } from './median.js';
import { measureSeed, type SeedMeasurement } from './scenarios/seed.js';

const { values } = parseArgs({
  options: {
    bin: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
    mapproxy: { type: 'boolean', default: false },
    c: { type: 'string', short: 'c', default: '2' },
    to: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
  },
});
const concurrency = Number(values.c);
const toLevel = Number(values.to);
const commands: { label: string; command: string; args: string[] }[] = [
  ...values.bin.map((bin) => ({
    label: bin,
    command: process.execPath,
    args: [...values['node-arg'], bin, 'seed'],
  })),
  ...(values.mapproxy ? [{ label: 'mapproxy-seed', command: 'mapproxy-seed', args: [] }] : []),
];

const upstream = await startMapServerUpstream();
const results = new Map<string, SeedMeasurement[]>();
// each run's cache is removed at the end, not before the next run: on an ext4 without a journal
// (this machine's /) a new inode skips every inode freed in the last 30 s (find_inode_bit ->
// recently_deleted), and the next run's 1365 tile files cost it 1.5-2 s more system CPU when the
// last run's ~3000 files were just removed (0.5 s after 35 s of quiet)
const dirs: string[] = [];
try {
  for (let run = 0; run < Number(values.runs); run++) {
    for (const { label, command, args } of commands) {
      const dir = await mkdtemp(join(tmpdir(), 'bench-seed-'));
      dirs.push(dir);
      await writeFile(join(dir, 'mapproxy.yaml'), benchConfig(upstream.url));
      const m = await measureSeed(command, args, dir, upstream, concurrency, toLevel);
      results.set(label, [...(results.get(label) ?? []), m]);
      process.stderr.write(
        `${label} run ${run + 1}: ${(m.tiles / m.seconds).toFixed(1)} tiles/s, ${m.seconds.toFixed(2)} s, ` +
          `seed CPU ${m.seedCpuSeconds.toFixed(2)} s, upstream CPU ${m.upstreamCpuSeconds.toFixed(2)} s, ` +
          `busy ${m.upstreamBusySeconds.toFixed(2)} s, wall/(busy/c) ${m.wallOverBusy.toFixed(2)}, ` +
          `peak RSS ${m.peakRssMb.toFixed(0)} MB\n`,
      );
    }
  }
} finally {
  await upstream.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}
for (const [label, list] of results) {
  const of = (pick: (m: SeedMeasurement) => number) => median(list.map(pick));
  const metaTiles = of((m) => m.metaTiles);
  console.log(
    `${label}: ${of((m) => m.tiles / m.seconds).toFixed(1)} tiles/s (runs ${list.map((m) => (m.tiles / m.seconds).toFixed(1)).join(', ')}), ` +
      `${of((m) => m.tiles)} tiles, ${metaTiles} meta tiles, ` +
      `CPU/meta tile: seed ${((of((m) => m.seedCpuSeconds) * 1000) / metaTiles).toFixed(1)} ms, ` +
      `upstream ${((of((m) => m.upstreamCpuSeconds) * 1000) / metaTiles).toFixed(1)} ms; ` +
      `upstream busy ${of((m) => m.upstreamBusySeconds).toFixed(2)} s, wall/(busy/c) ${of((m) => m.wallOverBusy).toFixed(2)}, ` +
      `peak RSS ${of((m) => m.peakRssMb).toFixed(0)} MB`,
  );
}
