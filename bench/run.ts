/**
 * `npm run bench`: starts the bench upstream, then for every selected scenario a fresh target
 * (mapproxy-ts, and MapProxy 1.15 with --compare-mapproxy), runs it, prints a table, writes JSON.
 */
import { BenchUsageError, parseBenchOptions, usage, type BenchOptions } from './options.js';
import { formatTable, writeJson, type BenchRow } from './report.js';
import { SCENARIOS } from './scenarios/index.js';
import { startTarget, type TargetKind } from './target.js';
import { startBenchUpstream } from './upstream.js';

async function runAll(options: BenchOptions): Promise<BenchRow[]> {
  const upstream = await startBenchUpstream(options.upstreamLatencyMs);
  const kinds: TargetKind[] = options.compareMapProxy ? ['mapproxy-ts', 'mapproxy'] : ['mapproxy-ts'];
  const rows: BenchRow[] = [];
  try {
    for (const scenario of SCENARIOS.filter((s) => options.scenarios.includes(s.name))) {
      for (const kind of kinds) {
        // a fresh target per scenario: own temp dir, empty cache, no warm state from the last one
        const target = await startTarget(kind, upstream.url, options.server);
        try {
          process.stderr.write(`${scenario.name} on ${target.label} ...\n`);
          const result = await scenario.run({ target, upstream, options });
          rows.push({ scenario: scenario.name, server: target.label, ...result });
        } finally {
          await target.close();
        }
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
  const rows = await runAll(options);
  process.stdout.write(`\n${formatTable(rows)}\n`);
  if (options.compareMapProxy) {
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
