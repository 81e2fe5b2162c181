/**
 * Process-wide operational metrics in Prometheus form; with seed-metrics.ts (a seed run's own
 * gauges) the only user of prom-client, which it loads on first use.
 * Hot-path updates are O(1): labels are bounded (service, status, cache, source names, never a
 * request path) and each label set's child is looked up once and kept.
 */
import { requireOnFirstUse } from './require-on-first-use.js';

type PromClient = typeof import('prom-client');

/**
 * prom-client, loaded when the metrics are first read (`/metrics`, a serve worker joining the
 * cluster, a seed's metrics output): counting needs none of it, so a plain seed never loads it. A
 * CJS package, so it can be required synchronously.
 */
export const promClient = requireOnFirstUse<PromClient>('prom-client');

/** Content type of `metricsText()` and `clusterMetricsText()`: Prometheus text format 0.0.4, prom-client's `register.contentType`. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds; tile hits answer in about a millisecond, WMS renders and upstreams take up to a minute. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Tiles served, missing, created; requests answered; upstream requests and errors; lock waits. */
const requestTallies = tallies();
const hitTallies = tallies();
const missTallies = tallies();
const createdTallies = tallies();
const upstreamRequestTallies = tallies();
const upstreamErrorTallies = tallies();
const lockWaitTallies = tallies();

/**
 * Histogram observations (seconds) made before prom-client was loaded, by histogram and label:
 * a seed without a metrics output never reads them, and loading prom-client (with its
 * @opentelemetry/api) cost each seed ~40 ms of CPU and ~8 MB of RSS at start (issue 13). Bounded:
 * past `EARLY_OBSERVATIONS` prom-client is loaded and takes them.
 */
const early = {
  request: new Map<string, number[]>(),
  upstream: new Map<string, number[]>(),
  lockWait: new Map<string, number[]>(),
};
const EARLY_OBSERVATIONS = 4096;
let earlyCount = 0;

/** Observes `seconds` in histogram `kind` under `label`, in prom-client or kept until it loads. */
function observe(kind: keyof typeof early, label: string, seconds: number): void {
  if (instrumentsMade !== undefined) {
    instrumentsMade[kind](label).observe(seconds);
    return;
  }
  const values = early[kind].get(label);
  if (values === undefined) early[kind].set(label, [seconds]);
  else values.push(seconds);
  if (++earlyCount >= EARLY_OBSERVATIONS) instruments();
}

/** The process's counters and histograms in prom-client's global registry, made on first read. */
function createInstruments() {
  const { Histogram } = promClient();
  talliedCounter(
    {
      name: 'mapproxy_http_requests_total',
      help: 'HTTP requests answered, by service (first path segment) and status code',
      labelNames: ['service', 'status'],
    },
    requestTallies,
    // the tally's label is `<service> <status>`
    (key) => key.split(' '),
  );
  const requestSeconds = new Histogram({
    name: 'mapproxy_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by service',
    labelNames: ['service'] as const,
    buckets: LATENCY_BUCKETS,
  });
  talliedCounter(
    {
      name: 'mapproxy_cache_hits_total',
      help: 'Tiles served from the cache, by cache (<cache>_<grid>)',
      labelNames: ['cache'],
    },
    hitTallies,
    (cache) => [cache],
  );
  talliedCounter(
    {
      name: 'mapproxy_cache_misses_total',
      help: 'Tiles not in the cache (or stale) when asked for, by cache (<cache>_<grid>)',
      labelNames: ['cache'],
    },
    missTallies,
    (cache) => [cache],
  );
  talliedCounter(
    {
      name: 'mapproxy_tiles_created_total',
      help: 'Tiles created from the sources, by cache (<cache>_<grid>)',
      labelNames: ['cache'],
    },
    createdTallies,
    (cache) => [cache],
  );
  talliedCounter(
    {
      name: 'mapproxy_upstream_requests_total',
      help: 'Requests sent to upstream servers, by source',
      labelNames: ['source'],
    },
    upstreamRequestTallies,
    (source) => [source],
  );
  talliedCounter(
    {
      name: 'mapproxy_upstream_errors_total',
      help: 'Upstream requests that failed (HTTP status >= 400, timeout, connection error), by source',
      labelNames: ['source'],
    },
    upstreamErrorTallies,
    (source) => [source],
  );
  const upstreamSeconds = new Histogram({
    name: 'mapproxy_upstream_request_duration_seconds',
    help: 'Time until an upstream answered (or failed), by source',
    labelNames: ['source'] as const,
    buckets: LATENCY_BUCKETS,
  });
  talliedCounter(
    {
      name: 'mapproxy_tile_lock_waits_total',
      help: 'Tile creations that had to wait for a lock held by another request or process',
      labelNames: [],
    },
    lockWaitTallies,
    () => [],
  );
  const lockWaitSeconds = new Histogram({
    name: 'mapproxy_tile_lock_wait_seconds',
    help: 'Time spent waiting for a tile lock held by someone else',
    buckets: LATENCY_BUCKETS,
  });
  const made = {
    request: childrenOf((service) => requestSeconds.labels(service)),
    upstream: childrenOf((source) => upstreamSeconds.labels(source)),
    lockWait: (): { observe(value: number): void } => lockWaitSeconds,
  };
  for (const kind of ['request', 'upstream', 'lockWait'] as const) {
    for (const [label, values] of early[kind]) for (const value of values) made[kind](label).observe(value);
    early[kind].clear();
  }
  earlyCount = 0;
  return made;
}

let instrumentsMade: ReturnType<typeof createInstruments> | undefined;
const instruments = (): ReturnType<typeof createInstruments> => (instrumentsMade ??= createInstruments());

/** Memoized children: one prom-client label lookup per label value, then a plain call. */
function childrenOf<C>(make: (label: string) => C): (label: string) => C {
  const children = new Map<string, C>();
  return (label) => {
    let child = children.get(label);
    if (child === undefined) {
      child = make(label);
      children.set(label, child);
    }
    return child;
  };
}

/** A count that waits as a plain number until prom-client reads its counter. */
interface Tally {
  pending: number;
  child?: { inc(value: number): void };
}

/**
 * A labelled counter's increments by label value, kept as plain numbers and handed to prom-client
 * by `flush` (the counter's `collect`, run whenever it is read). prom-client hashes and checks the
 * labels on each `inc` (0.3 us and 200 B); a cached tile hit counts twice (issue 13). Counting
 * needs no prom-client: a seed that never reads its counters does not load it.
 */
function tallies() {
  const byLabel = new Map<string, Tally>();
  return {
    add(label: string, count: number): void {
      let tally = byLabel.get(label);
      if (tally === undefined) {
        tally = { pending: 0 };
        byLabel.set(label, tally);
      }
      tally.pending += count;
    },
    flush(make: (label: string) => { inc(value: number): void }): void {
      for (const [label, tally] of byLabel) {
        if (tally.pending === 0) continue;
        tally.child ??= make(label);
        tally.child.inc(tally.pending);
        tally.pending = 0;
      }
    },
  };
}

/**
 * A labelled counter in prom-client fed from `counted`, which it receives whenever it reads the
 * counter. `labelValues` turns a tally's label into the counter's label values.
 */
function talliedCounter(
  config: { readonly name: string; readonly help: string; readonly labelNames: readonly string[] },
  counted: ReturnType<typeof tallies>,
  labelValues: (label: string) => string[],
): void {
  const counter = new (promClient().Counter)({
    ...config,
    collect: () => {
      counted.flush((label) => counter.labels(...labelValues(label)));
    },
  });
}

/** The counters core code updates. Each call is a map lookup and an increment. */
export const metrics = {
  /** One answered HTTP request; `service` is a route name (or `other`), never a path. */
  request(service: string, status: number, durationMs: number): void {
    requestTallies.add(`${service} ${String(status)}`, 1);
    observe('request', service, durationMs / 1000);
  },
  /** `count` tiles found (fresh) in cache `cache`. */
  cacheHits(cache: string, count: number): void {
    if (count > 0) hitTallies.add(cache, count);
  },
  /** `count` tiles missing (or stale) in cache `cache`. */
  cacheMisses(cache: string, count: number): void {
    if (count > 0) missTallies.add(cache, count);
  },
  /** `count` tiles created from the sources and handed out (and stored unless disabled). */
  tilesCreated(cache: string, count: number): void {
    if (count > 0) createdTallies.add(cache, count);
  },
  /** One upstream request of source `source` (`unknown` when no source name was given). */
  upstreamRequest(source: string, durationMs: number, failed: boolean): void {
    upstreamRequestTallies.add(source, 1);
    observe('upstream', source, durationMs / 1000);
    if (failed) upstreamErrorTallies.add(source, 1);
  },
  /** A tile creation waited `waitedMs` for a lock someone else held. */
  lockWait(waitedMs: number): void {
    lockWaitTallies.add('', 1);
    observe('lockWait', '', waitedMs / 1000);
  },
};

/** This process's metrics in the Prometheus text format. */
export function metricsText(): Promise<string> {
  return processRegistry().metrics();
}

/** prom-client's global registry with this module's counters in it (zeroes until counted). */
export function processRegistry(): PromClient['register'] {
  instruments();
  return promClient().register;
}

let aggregator: InstanceType<PromClient['AggregatorRegistry']> | null = null;

/**
 * Makes this process take part in node:cluster aggregation: in a worker, it answers the
 * primary's requests for its metrics; in the primary, `clusterMetricsText` can ask. Idempotent.
 */
export function joinMetricsCluster(): void {
  // registered now, so a worker that has not counted anything yet still reports its zeroes
  instruments();
  aggregator ??= new (promClient().AggregatorRegistry)();
}

/**
 * In a node:cluster primary: the metrics of every connected worker, summed (histogram buckets
 * too), in the Prometheus text format. Rejects when a worker does not answer within 5 s.
 */
export function clusterMetricsText(): Promise<string> {
  joinMetricsCluster();
  return (aggregator ?? new (promClient().AggregatorRegistry)()).clusterMetrics();
}
