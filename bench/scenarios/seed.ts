/**
 * Seeding: the whole bench cache, levels 0 to the last cold level, by the seed command as a child
 * process (`mapproxy-util seed`, or MapProxy's `mapproxy-seed`) with -c 1 and -c 2; also its CPU,
 * the upstream's CPU and how busy the upstream was.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchSeedConfig } from '../config.js';
import { runToEnd, seedCommand } from '../target.js';
import type { BenchUpstream } from '../upstream.js';
import type { Scenario } from './types.js';

/** What one seed run took. */
export interface SeedMeasurement {
  readonly tiles: number;
  readonly metaTiles: number;
  readonly seconds: number;
  /** User + system CPU of the seed process (all its threads and children). */
  readonly seedCpuSeconds: number;
  /** CPU of every other child of this process meanwhile: the upstream's mapserv runs. */
  readonly upstreamCpuSeconds: number;
  /** Sum of the upstream's request durations; NaN where the upstream does not measure it. */
  readonly upstreamBusySeconds: number;
  /** Wall time over upstream busy time / concurrency: 1 when the upstream never waited for us. */
  readonly wallOverBusy: number;
  /**
   * Peak RSS in MB of the largest seed process (GNU time's %M: the largest of the command and
   * its waited-for children, e.g. mapproxy-seed's worker processes), not their sum.
   */
  readonly peakRssMb: number;
}

/** CPU seconds of this process's reaped children (/proc/self/stat cutime + cstime). */
async function childrenCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * Seeds levels 0..`toLevel` of the bench config in `dir` (its mapproxy.yaml) with `command args`
 * (the seed command without its options) and `-c concurrency`, under /usr/bin/time for its CPU
 * and peak RSS.
 */
export async function measureSeed(
  command: string,
  args: readonly string[],
  dir: string,
  upstream: BenchUpstream,
  concurrency: number,
  toLevel: number,
): Promise<SeedMeasurement> {
  await writeFile(join(dir, 'seed.yaml'), benchSeedConfig(toLevel));
  const timeFile = join(dir, 'seed.time');
  upstream.resetCount();
  const childrenBefore = await childrenCpuSeconds();
  const started = performance.now();
  await runToEnd(
    '/usr/bin/time',
    [
      '-f',
      '%U %S %M',
      '-o',
      timeFile,
      command,
      ...args,
      '-f',
      'mapproxy.yaml',
      '-s',
      'seed.yaml',
      '-c',
      String(concurrency),
    ],
    dir,
  );
  const seconds = (performance.now() - started) / 1000;
  // every mapserv run ended before the seed did (the seed waits for their answers)
  const childrenCpu = (await childrenCpuSeconds()) - childrenBefore;
  const [user = NaN, system = NaN, maxRssKb = NaN] = (await readFile(timeFile, 'utf8'))
    .trim()
    .split(/\s+/)
    .map(Number);
  const seedCpuSeconds = user + system;
  const tiles = (await readdir(join(dir, 'cache_data'), { recursive: true })).filter((f) =>
    f.endsWith('.png'),
  ).length;
  const upstreamBusySeconds = (upstream.busyMs ?? NaN) / 1000;
  return {
    tiles,
    metaTiles: upstream.count,
    seconds,
    seedCpuSeconds,
    upstreamCpuSeconds: childrenCpu - seedCpuSeconds,
    upstreamBusySeconds,
    wallOverBusy: seconds / (upstreamBusySeconds / concurrency),
    peakRssMb: maxRssKb / 1024,
  };
}

/** The measurement in a few words for the table's note. */
export function describeSeed(m: SeedMeasurement, toLevel: number): string {
  const perMeta = (s: number) => `${((s * 1000) / m.metaTiles).toFixed(0)} ms`;
  return (
    `${m.tiles} tiles, levels 0-${toLevel}, incl. start-up; CPU/meta tile: seed ${perMeta(m.seedCpuSeconds)}, ` +
    `upstream ${perMeta(m.upstreamCpuSeconds)}; upstream busy ${m.upstreamBusySeconds.toFixed(1)} s, ` +
    `wall/(busy/c) ${m.wallOverBusy.toFixed(2)}`
  );
}

function seedScenario(concurrency: number): Scenario {
  return {
    name: `seed-c${concurrency}`,
    description: `seed levels 0 to the last cold level with -c ${concurrency} (tiles/s)`,
    async run({ target, upstream, options }) {
      const toLevel = options.coldLevels[1];
      const { command, args } = seedCommand(target.kind, options.server);
      const m = await measureSeed(command, args, target.dir, upstream, concurrency, toLevel);
      return {
        requests: m.tiles,
        non2xx: 0,
        errors: 0,
        seconds: m.seconds,
        perSecond: m.tiles / m.seconds,
        p50Ms: NaN,
        p99Ms: NaN,
        upstreamRequests: m.metaTiles,
        note: describeSeed(m, toLevel),
        peakRssMb: m.peakRssMb,
      };
    },
  };
}

export const seedScenarios: readonly Scenario[] = [seedScenario(1), seedScenario(2)];
