/**
 * `npm run bench`: starts the bench upstream, then for every selected scenario a fresh target
 * (mapproxy-ts, and MapProxy 1.15 with --compare-mapproxy; nginx on ours' tile files as the
 * cache-hit reference), runs it, prints a table of medians and ratios, writes JSON.
 */
import { join } from 'node:path';
import { BenchUsageError, parseBenchOptions, usage, type BenchOptions } from './options.js';
import { formatTable, writeJson, type BenchRow } from './report.js';
import { SCENARIOS, type ScenarioResult } from './scenarios/index.js';
import { medianRow } from './median.js';
import { hasMapServer, startMapServerUpstream } from './mapserver-upstream.js';
import { hasNginx, nginxHitRun, startNginx } from './nginx.js';
import { sampleWorkerRss } from './rss.js';
import { startTarget, type Deployment, type Server, type Target, type TargetKind } from './target.js';
import { startBenchUpstream } from './upstream.js';
import { hasWrk } from './wrk.js';

/** Who served a row: ours, MapProxy, or nginx on ours' cache files (the cache-hit reference). */
type Role = TargetKind | 'nginx';

/** Runs `measure` on `server` while sampling its workers' RSS (unless the scenario measured its own): one row. */
async function measuredRow(
  scenario: string,
  server: Server,
  measure: () => Promise<ScenarioResult>,
): Promise<BenchRow> {
  const rss = sampleWorkerRss(server.pid);
  const result = await measure();
  const workersPeakMb = rss.stop();
  return { scenario, server: server.label, ...result, peakRssMb: result.peakRssMb ?? workersPeakMb };
}

/** nginx serving the cache files `target` just wrote, loaded as the scenario loaded `target`. */
async function nginxRow(scenario: string, target: Target, options: BenchOptions): Promise<BenchRow> {
  const root = join(target.dir, 'cache_data');
  const nginx = await startNginx(root, options.workers);
  try {
    return await measuredRow(scenario, nginx, () => nginxHitRun(nginx, root, options));
  } finally {
    await nginx.close();
  }
}

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
      const runs = new Map<Role, BenchRow[]>();
      const add = (role: Role, row: BenchRow) => runs.set(role, [...(runs.get(role) ?? []), row]);
      // paired: ours (then nginx on ours' files) then MapProxy, back to back, `runs` times (the
      // machine may be shared)
      for (let run = 0; run < options.runs; run++) {
        for (const kind of kinds) {
          // a fresh target per run: own temp dir, empty cache, no warm state from the last one
          const target = await startTarget(kind, upstream.url, options.server, deployment, options.cache);
          try {
            process.stderr.write(
              `${scenario.name} on ${target.label} (run ${run + 1}/${options.runs}) ...\n`,
            );
            add(
              kind,
              await measuredRow(scenario.name, target, () => scenario.run({ target, upstream, options })),
            );
            if (kind === 'mapproxy-ts' && options.nginx && scenario.nginxReference === true) {
              process.stderr.write(
                `${scenario.name} on nginx, ours' cache files (run ${run + 1}/${options.runs}) ...\n`,
              );
              add('nginx', await nginxRow(scenario.name, target, options));
            }
          } finally {
            await target.close();
          }
        }
      }
      const median = (role: Role) => {
        const list = runs.get(role) ?? [];
        return list.length === 0 ? undefined : medianRow(list);
      };
      const [ours, nginx, mapproxy] = [median('mapproxy-ts'), median('nginx'), median('mapproxy')];
      for (const row of [ours, nginx, mapproxy]) {
        if (row === undefined) continue;
        rows.push({
          ...row,
          ratio: mapproxy === undefined ? NaN : row.perSecond / mapproxy.perSecond,
          ...(nginx !== undefined && row !== nginx ? { nginxShare: row.perSecond / nginx.perSecond } : {}),
        });
      }
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
  if (options.load === 'wrk' && !hasWrk()) {
    process.stderr.write(
      '--load wrk: wrk is not installed (apt-get install wrk), or pass --load autocannon\n',
    );
    return 2;
  }
  if (options.nginx && !hasNginx()) {
    process.stderr.write('--nginx: nginx is not installed (apt-get install nginx), or pass --no-nginx\n');
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
