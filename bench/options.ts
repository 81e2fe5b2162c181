/**
 * Command-line options of `npm run bench`: which scenarios run, for how long, with how many
 * connections. Pure parsing; nothing here starts a server or touches the network.
 */
import { parseArgs } from 'node:util';
import { BENCH_CACHE_TYPES, type BenchCacheType } from './config.js';

/** What loads timed runs: wrk (a separate process) or autocannon (inside the bench process). */
export type LoadGenerator = 'wrk' | 'autocannon';

/** How the mapproxy-ts server under test is started: built `dist` (bin/run.js) or TypeScript through tsx (bin/dev.js). */
export type ServerMode = 'auto' | 'dist' | 'dev';

export interface BenchOptions {
  /** Names from the scenario registry (bench/scenarios/index.ts), in registry order. */
  readonly scenarios: readonly string[];
  /** Length of each timed run (cache hits, WMS GetMap). */
  readonly durationSeconds: number;
  /** Connections of a timed run. */
  readonly connections: number;
  /**
   * Unmeasured load before each cache-hit and WMS run, in seconds. Ours' CPU per hit falls for its
   * first ~10 s of load (0.59, 0.27, 0.22 ms in three 3 s runs, the same after 12 s idle: it is the
   * load, not the time since the tiles were created), and per map over its first ~130 maps
   * (`serve -w 2`, batches of 64 EPSG:25832 maps: 12.3, 10.2, then 8.4-10.5 ms; EPSG:3857: 8.3,
   * 6.3, then 5.5-5.9 ms), a cost a short run of slow maps shares among few. Before WMS runs the
   * load is the bench's own fetch clients, every answer awaited: when wrk stops, each connection
   * leaves a map the server still renders (a sync worker cannot tell the client left), seconds of
   * backlog that would open the measured run.
   */
  readonly warmUpSeconds: number;
  /** What generates the load of timed runs (wrk by default with --deploy, else autocannon). */
  readonly load: LoadGenerator;
  /**
   * Also run nginx on ours' cache files after each cache-hit run on ours, as the reference row
   * (default with --deploy and the file cache).
   */
  readonly nginx: boolean;
  /** Grid levels whose tiles a cache-hit run rotates over (created before the run). */
  readonly hitLevels: readonly [number, number];
  /** Grid levels (GLOBAL_WEBMERCATOR) every tile of which a cold run requests once. */
  readonly coldLevels: readonly [number, number];
  /** Concurrent clients of a cold run. */
  readonly coldConcurrency: number;
  /** Delay the bench upstream adds before each answer. */
  readonly upstreamLatencyMs: number;
  readonly server: ServerMode;
  /** Also run every scenario against MapProxy 1.15 (`mapproxy-util serve-develop`). */
  readonly compareMapProxy: boolean;
  /**
   * Deploy mode: ours as `serve -w workers` against MapProxy under `gunicorn -w workers`, paired
   * runs (ours then MapProxy) repeated `runs` times, medians and ratios; upstream MapServer.
   */
  readonly deploy: boolean;
  readonly workers: number;
  readonly runs: number;
  /** `mapserver` (CGI mapserv, real rendering cost) or the in-process gradient WMS. */
  readonly upstream: 'mapserver' | 'builtin';
  /** Where the JSON summary goes; null for nowhere. */
  /** `--cache`: the backend the tiles are stored in. */
  readonly cache: BenchCacheType;
  readonly output: string | null;
  readonly help: boolean;
}

/** The `--help` text; `scenarios` lists the registry as `name  description` lines. */
export const usage = (scenarios: readonly string[]): string => `Usage: npm run bench -- [options]

  --scenario NAME        run only NAME (repeatable or comma-separated; default all)
  --duration SECONDS     length of each timed run (default 10; 3 with --quick)
  --connections N        connections of timed runs (default 50; 64 with --deploy)
  --warm-up SECONDS      unmeasured load before each cache-hit and WMS run (default 5; 1 with
                         --quick)
  --load wrk|autocannon  what loads timed runs: wrk, a separate process (apt-get install wrk), or
                         autocannon inside the bench process (default wrk with --deploy, else
                         autocannon); cold runs always use the bench's own fetch clients
  --nginx, --no-nginx    nginx serving ours' cache files as the reference row of the cache-hit
                         scenarios (apt-get install nginx; default with --deploy and --cache file)
  --hit-levels N-M       levels pre-created and requested by cache-hit runs (default 0-4)
  --cold-levels N-M      levels requested once each by cold runs (default 2-5; 2-4 with --quick)
  --cold-concurrency N   concurrent clients of cold runs (default 32)
  --upstream-latency MS  artificial delay of every upstream answer (default 0)
  --server auto|dist|dev mapproxy-ts child process from dist/ (bin/run.js) or src/ through tsx
                         (bin/dev.js); auto picks dist when it is built (default auto)
  --compare-mapproxy     also run every scenario against MapProxy 1.15 serve-develop
  --deploy               as users deploy: our \`serve -w N\` against MapProxy under \`gunicorn -w N\`,
                         upstream MapServer, 64 connections, paired runs, medians and ratios
  --workers N            worker processes of both servers with --deploy (default 2)
  --runs N               paired runs per scenario, medians reported (default 3 with --deploy, else 1)
  --upstream mapserver|builtin  the upstream WMS (default mapserver with --deploy, else builtin)
  --cache TYPE           the cache backend: file (default), mbtiles, sqlite, geopackage, s3 (an
                         in-process S3-compatible store), compact (version 2) or redis (a
                         throwaway redis-server on a free port, stopped with the target)
  --output FILE          JSON summary (default bench/results/latest.json; "-" for none)
  --quick                a few seconds per scenario, for a smoke check
  -h, --help             this text

Scenarios:
${scenarios.map((line) => `  ${line}`).join('\n')}`;

/** A usage error: the message says which option and why. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

function positiveInteger(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) {
    throw new BenchUsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  }
  return parsed;
}

function levelRange(name: string, value: string | undefined, fallback: readonly [number, number]) {
  if (value === undefined) return fallback;
  const match = /^(\d+)(?:-(\d+))?$/.exec(value);
  const from = Number(match?.[1]);
  const to = Number(match?.[2] ?? match?.[1]);
  if (match === null || from > to || to > 12) {
    throw new BenchUsageError(`--${name} must be LEVEL or FROM-TO with FROM <= TO <= 12, got "${value}"`);
  }
  return [from, to] as const;
}

function scenarioList(values: readonly string[] | undefined, known: readonly string[]): readonly string[] {
  if (values === undefined || values.length === 0) return known;
  const wanted = new Set(
    values
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  );
  for (const name of wanted) {
    if (!known.includes(name)) {
      throw new BenchUsageError(`unknown scenario "${name}" (known: ${known.join(', ')})`);
    }
  }
  // keep the canonical order whatever order they were given in
  return known.filter((name) => wanted.has(name));
}

/**
 * Parses `process.argv.slice(2)` against the `known` scenario names; throws `BenchUsageError`
 * on anything it does not understand.
 */
export function parseBenchOptions(argv: readonly string[], known: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      allowNegative: true,
      options: {
        scenario: { type: 'string', multiple: true },
        duration: { type: 'string' },
        connections: { type: 'string' },
        load: { type: 'string' },
        'warm-up': { type: 'string' },
        nginx: { type: 'boolean' },
        'hit-levels': { type: 'string' },
        'cold-levels': { type: 'string' },
        'cold-concurrency': { type: 'string' },
        'upstream-latency': { type: 'string' },
        server: { type: 'string' },
        'compare-mapproxy': { type: 'boolean' },
        deploy: { type: 'boolean' },
        workers: { type: 'string' },
        runs: { type: 'string' },
        upstream: { type: 'string' },
        output: { type: 'string' },
        cache: { type: 'string' },
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  const quick = values.quick === true;
  const server = values.server ?? 'auto';
  if (server !== 'auto' && server !== 'dist' && server !== 'dev') {
    throw new BenchUsageError(`--server must be auto, dist or dev, got "${server}"`);
  }
  const output = values.output ?? 'bench/results/latest.json';
  const deploy = values.deploy === true;
  const upstream = values.upstream ?? (deploy ? 'mapserver' : 'builtin');
  if (upstream !== 'mapserver' && upstream !== 'builtin') {
    throw new BenchUsageError(`--upstream must be mapserver or builtin, got "${upstream}"`);
  }
  const cache = values.cache ?? 'file';
  if (!(BENCH_CACHE_TYPES as readonly string[]).includes(cache)) {
    throw new BenchUsageError(`--cache must be one of ${BENCH_CACHE_TYPES.join(', ')}, got "${cache}"`);
  }
  const load = values.load ?? (deploy ? 'wrk' : 'autocannon');
  if (load !== 'wrk' && load !== 'autocannon') {
    throw new BenchUsageError(`--load must be wrk or autocannon, got "${load}"`);
  }
  if (values.nginx === true && cache !== 'file') {
    throw new BenchUsageError(`--nginx serves the file cache's tiles; --cache ${cache} stores none`);
  }
  return {
    cache: cache as BenchCacheType,
    load,
    nginx: values.nginx ?? (deploy && cache === 'file'),
    scenarios: scenarioList(values.scenario, known),
    durationSeconds: positiveInteger('duration', values.duration, quick ? 3 : 10),
    connections: positiveInteger('connections', values.connections, deploy ? 64 : 50),
    warmUpSeconds: positiveInteger('warm-up', values['warm-up'], quick ? 1 : 5, 0),
    hitLevels: levelRange('hit-levels', values['hit-levels'], [0, 4]),
    coldLevels: levelRange('cold-levels', values['cold-levels'], quick ? [2, 4] : [2, 5]),
    coldConcurrency: positiveInteger('cold-concurrency', values['cold-concurrency'], 32),
    upstreamLatencyMs: positiveInteger('upstream-latency', values['upstream-latency'], 0, 0),
    server,
    compareMapProxy: deploy || values['compare-mapproxy'] === true,
    deploy,
    workers: positiveInteger('workers', values.workers, 2),
    runs: positiveInteger('runs', values.runs, deploy ? 3 : 1),
    upstream,
    output: output === '-' ? null : output,
    help: values.help === true,
  };
}
