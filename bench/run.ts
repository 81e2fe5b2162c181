/**
 * `npm run bench`: starts the bench upstream, then for every selected scenario a fresh target
 * (mapproxy-ts, and MapProxy 1.15 with --compare-mapproxy), runs it, prints a table, writes JSON.
 */
import { BenchUsageError, parseBenchOptions, usage, type BenchOptions } from './options.js';
import { formatTable, writeJson, type BenchRow } from './report.js';
import { SCENARIOS } from './scenarios/index.js';
import { medianRow } from './median.js';
import { hasMapServer, startMapServerUpstream } from './mapserver-upstream.js';
import { sampleWorkerRss } from './rss.js';
import { startTarget, type Deployment, type TargetKind } from './target.js';
import { startBenchUpstream } from './upstream.js';

async function runAll(options: BenchOptions): Promise<BenchRow[]> {
  const upstream =
    options.upstream === 'mapserver'
      ? await startMapServerUpstream()
      : await startBenchUpstream(options.upstreamLatencyMs);
  const kinds: TargetKind[] = options.compareMapProxy ? ['mapproxy-ts', 'mapproxy'] : ['mapproxy-ts'];
  const deployment: Deployment = options.deploy
    ? { mode: 'deploy', workers: options.workers }
    : { mode: 'develop' };
  const rows: BenchRow[] = [];
  try {
    for (const scenario of SCENARIOS.filter((s) => options.scenarios.includes(s.name))) {
      const runs = new Map<TargetKind, BenchRow[]>();
      // paired: ours then MapProxy, back to back, `runs` times (the machine may be shared)
      for (let run = 0; run < options.runs; run++) {
        for (const kind of kinds) {
          // a fresh target per run: own temp dir, empty cache, no warm state from the last one
          const target = await startTarget(kind, upstream.url, options.server, deployment, options.cache);
          try {
            process.stderr.write(
              `${scenario.name} on ${target.label} (run ${run + 1}/${options.runs}) ...\n`,
            );
            const rss = sampleWorkerRss(target.pid);
            const result = await scenario.run({ target, upstream, options });
            const row = { scenario: scenario.name, server: target.label, ...result, peakRssMb: rss.stop() };
            runs.set(kind, [...(runs.get(kind) ?? []), row]);
          } finally {
            await target.close();
          }
        }
      }
      const medians = kinds.flatMap((kind) => {
        const list = runs.get(kind) ?? [];
        return list.length === 0 ? [] : [medianRow(list)];
      });
      const reference = medians.find((row) => !row.server.startsWith('mapproxy-ts'));
      rows.push(
        ...medians.map((row) => ({
          ...row,
          ratio: reference === undefined ? NaN : row.perSecond / reference.perSecond,
        })),
      );
    }
  } finally {
    await upstream.close();
  }
  return rows;
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(
      process.argv.slice(2),
      SCENARIOS.map((s) => s.name),
    );
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(
      `${error.message}\n\n${usage(SCENARIOS.map((s) => `${s.name.padEnd(16)} ${s.description}`))}\n`,
    );
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usage(SCENARIOS.map((s) => `${s.name.padEnd(16)} ${s.description}`))}\n`);
    return 0;
  }
  if (options.upstream === 'mapserver' && !hasMapServer()) {
    process.stderr.write(
      '--upstream mapserver: /usr/lib/cgi-bin/mapserv is not installed (apt-get install cgi-mapserver)\n',
    );
    return 2;
  }
  const rows = await runAll(options);
  process.stdout.write(`\n${formatTable(rows)}\n`);
  if (options.compareMapProxy && !options.deploy) {
    process.stdout.write(
      '\nMapProxy 1.15 ran as `mapproxy-util serve-develop`: one process, threaded, bound by the GIL; ' +
        'a reference point, not its production speed (gunicorn/uWSGI with several workers).\n',
    );
  }
  const slow = rows.filter((r) => r.non2xx + r.errors > 0);
  for (const row of slow)
    process.stderr.write(
      `warning: ${row.scenario} on ${row.server}: ${row.non2xx} non-2xx, ${row.errors} errors\n`,
    );
  if (options.output !== null) {
    await writeJson(options.output, options, rows);
    process.stdout.write(`\nJSON: ${options.output}\n`);
  }
  return slow.length > 0 ? 1 : 0;
}

process.exitCode = await main();
