/**
 * Load runs in the bench process: a timed autocannon run rotating over a set of paths (cache hits;
 * bench/wrk.ts is the separate-process one), and a run that asks each of a set of paths exactly
 * once (cold tiles, own clients), both reduced to one `Measurement`.
 */
import autocannon from 'autocannon';

/** What one load run measured. Latencies are per request, in milliseconds. */
export interface Measurement {
  /** Responses received (any status). */
  readonly requests: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly seconds: number;
  /** 2xx responses per second of wall time. */
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The server's CPU (user + system of its process group) per response, ms; absent where not measured. */
  readonly cpuMsPerRequest?: number;
  /** What generated the load, for the report (`wrk -t 2 -c 64`, `32 fetch clients in the bench process`). */
  readonly load?: string;
}

/** Hands out `paths` in order, wrapping around; the same function serves every connection. */
function rotation(paths: readonly string[]): () => string {
  if (paths.length === 0) throw new Error('a load run needs at least one path');
  let next = 0;
  return () => {
    const path = paths[next % paths.length] ?? '/';
    next += 1;
    return path;
  };
}

async function run(options: autocannon.Options, paths: readonly string[]): Promise<Measurement> {
  const nextPath = rotation(paths);
  // setupRequest runs once per request sent, so connections share one sequence of paths
  const result = await autocannon({
    ...options,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: nextPath() }) }],
  });
  const ok = result['2xx'];
  return {
    requests: ok + result.non2xx,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
    perSecond: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/**
 * `concurrency` clients rotating over `paths` for `seconds`, each awaiting its answer before the
 * next request: when it returns, no request is in flight (unlike a stopped wrk run, whose
 * connections each leave a map the server still renders). Fails on a non-200 answer.
 */
export async function loadFor(
  baseUrl: string,
  paths: readonly string[],
  seconds: number,
  concurrency: number,
): Promise<void> {
  const end = performance.now() + seconds * 1000;
  await fetchWhile(baseUrl, paths, concurrency, () => performance.now() < end);
}

/**
 * `concurrency` clients rotating over `paths`, each taking a next request while `more()` says so
 * and awaiting its answer; throws on the first non-200.
 */
async function fetchWhile(
  baseUrl: string,
  paths: readonly string[],
  concurrency: number,
  more: () => boolean,
): Promise<void> {
  const nextPath = rotation(paths);
  const worker = async (): Promise<void> => {
    while (more()) {
      const path = nextPath();
      const res = await fetch(`${baseUrl}${path}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** `connections` clients for `durationSeconds`, rotating over `paths`. */
export function timedRun(
  baseUrl: string,
  paths: readonly string[],
  durationSeconds: number,
  connections: number,
): Promise<Measurement> {
  return run({ url: baseUrl, connections, duration: durationSeconds, timeout: 60 }, paths);
}

/** The `q` quantile (0..1) of sorted `values`, nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/**
 * Each of `paths` exactly once, `concurrency` clients at a time, each timed. Not autocannon: its
 * `amount` is not exact per path when a server closes connections (MapProxy's HTTP/1.0 server does).
 */
export async function onceEachRun(
  baseUrl: string,
  paths: readonly string[],
  concurrency: number,
): Promise<Measurement> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++] ?? '/';
      const started = performance.now();
      try {
        const res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(120_000) });
        await res.arrayBuffer();
        if (res.status < 200 || res.status > 299) non2xx += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length - errors,
    non2xx,
    errors,
    seconds,
    perSecond: (latencies.length - errors - non2xx) / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    load: `${concurrency} fetch clients in the bench process`,
  };
}

/** Fetches every path, `concurrency` at a time; throws on the first non-200 (used to pre-create tiles). */
export async function fetchAll(
  baseUrl: string,
  paths: readonly string[],
  concurrency: number,
): Promise<void> {
  let remaining = paths.length;
  await fetchWhile(baseUrl, paths, concurrency, () => remaining-- > 0);
}
