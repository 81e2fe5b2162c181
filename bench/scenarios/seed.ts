/**
 * Seeding: the whole bench cache, levels 0 to the last cold level, by the seed command as a child
 * process (`mapproxy-util seed`, or MapProxy's `mapproxy-seed`) with -c 1 and -c 2.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchSeedConfig } from '../config.js';
import { runToEnd, seedCommand } from '../target.js';
import type { Scenario } from './types.js';

function seedScenario(concurrency: number): Scenario {
  return {
    name: `seed-c${concurrency}`,
    description: `seed levels 0 to the last cold level with -c ${concurrency} (tiles/s)`,
    async run({ target, upstream, options }) {
      const toLevel = options.coldLevels[1];
      await writeFile(join(target.dir, 'seed.yaml'), benchSeedConfig(toLevel));
      const { command, args } = seedCommand(target.kind, options.server);
      upstream.resetCount();
      const started = performance.now();
      await runToEnd(command, [...args, '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '-c', String(concurrency)], target.dir);
      const seconds = (performance.now() - started) / 1000;
      const tiles = (await readdir(join(target.dir, 'cache_data'), { recursive: true })).filter((f) => f.endsWith('.png')).length;
      return {
        requests: tiles,
        non2xx: 0,
        errors: 0,
        seconds,
        perSecond: tiles / seconds,
        p50Ms: NaN,
        p99Ms: NaN,
        upstreamRequests: upstream.count,
        note: `${tiles} tiles written, levels 0-${toLevel}, whole process incl. start-up`,
      };
    },
  };
}

export const seedScenarios: readonly Scenario[] = [seedScenario(1), seedScenario(2)];
