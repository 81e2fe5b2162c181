/**
 * Process-wide operational metrics in Prometheus form; with seed-metrics.ts (a seed run's own
 * gauges) the only user of prom-client, which it loads on first use.
 * Hot-path updates are O(1): labels are bounded (service, status, cache, source names, never a
 * request path) and each label set's child is looked up once and kept.
 */
import { requireOnFirstUse } from './require-on-first-use.js';

type PromClient = typeof import('prom-client');

/**
 * prom-client, loaded when a metric is first touched: commands that never count anything
 * (`scales`, `create`, `--help`) skip its start-up cost. A CJS package, so it can be required synchronously.
 */
export const promClient = requireOnFirstUse<PromClient>('prom-client');

/** Content type of `metricsText()` and `clusterMetricsText()`: Prometheus text format 0.0.4, prom-client's `register.contentType`. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds; tile hits answer in about a millisecond, WMS renders and upstreams take up to a minute. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The process's counters and histograms, registered on first use. */
function createInstruments() {
  const { Counter, Histogram } = promClient();
  const requestTallies = talliedCounter(
    {
      name: 'mapproxy_http_requests_total',
      help: 'HTTP requests answered, by service (first path segment) and status code',
      labelNames: ['service', 'status'],
    },
    // the tally's label is `<service> <status>`
    (key) => key.split(' '),
  );
  const requestSeconds = new Histogram({
    name: 'mapproxy_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by service',
    labelNames: ['service'] as const,
    buckets: LATENCY_BUCKETS,
  });
  const hitTallies = talliedCounter(
    {
      name: 'mapproxy_cache_hits_total',
      help: 'Tiles served from the cache, by cache (<cache>_<grid>)',
      labelNames: ['cache'],
    },
    (cache) => [cache],
  );
  const missTallies = talliedCounter(
    {
      name: 'mapproxy_cache_misses_total',
      help: 'Tiles not in the cache (or stale) when asked for, by cache (<cache>_<grid>)',
      labelNames: ['cache'],
    },
    (cache) => [cache],
  );
  const createdTallies = talliedCounter(
    {
      name: 'mapproxy_tiles_created_total',
      help: 'Tiles created from the sources, by cache (<cache>_<grid>)',
      labelNames: ['cache'],
    },
    (cache) => [cache],
  );
  const upstreamRequests = new Counter({
    name: 'mapproxy_upstream_requests_total',
    help: 'Requests sent to upstream servers, by source',
    labelNames: ['source'] as const,
  });
  const upstreamErrors = new Counter({
    name: 'mapproxy_upstream_errors_total',
    help: 'Upstream requests that failed (HTTP status >= 400, timeout, connection error), by source',
    labelNames: ['source'] as const,
  });
  const upstreamSeconds = new Histogram({
    name: 'mapproxy_upstream_request_duration_seconds',
    help: 'Time until an upstream answered (or failed), by source',
    labelNames: ['source'] as const,
    buckets: LATENCY_BUCKETS,
  });
  const lockWaits = new Counter({
    name: 'mapproxy_tile_lock_waits_total',
    help: 'Tile creations that had to wait for a lock held by another request or process',
  });
  const lockWaitSeconds = new Histogram({
    name: 'mapproxy_tile_lock_wait_seconds',
    help: 'Time spent waiting for a tile lock held by someone else',
    buckets: LATENCY_BUCKETS,
  });

  const requestSecondsChild = childrenOf((service) => requestSeconds.labels(service));
  const upstreamChild = childrenOf((source) => ({
    requests: upstreamRequests.labels(source),
    errors: upstreamErrors.labels(source),
    seconds: upstreamSeconds.labels(source),
  }));
  return {
    requestTallies,
    requestSecondsChild,
    hitTallies,
    missTallies,
    createdTallies,
    upstreamChild,
    lockWaits,
    lockWaitSeconds,
  };
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
  readonly child: { inc(value: number): void };
}

/**
 * A labelled counter's increments by label value, kept as plain numbers and handed to prom-client
 * by `flush` (the counter's `collect`, run whenever it is read). prom-client hashes and checks the
 * labels on each `inc` (0.3 us and 200 B); a cached tile hit counts twice (issue 13).
 */
function tallies(make: (label: string) => { inc(value: number): void }) {
  const byLabel = new Map<string, Tally>();
  return {
    add(label: string, count: number): void {
      let tally = byLabel.get(label);
      if (tally === undefined) {
        tally = { pending: 0, child: make(label) };
        byLabel.set(label, tally);
      }
      tally.pending += count;
    },
    flush(): void {
      for (const tally of byLabel.values()) {
        if (tally.pending === 0) continue;
        tally.child.inc(tally.pending);
        tally.pending = 0;
      }
    },
  };
}

/**
 * A labelled counter counted through `tallies`, which prom-client receives whenever it reads the
 * counter. `labelValues` turns a tally's label into the counter's label values.
 */
function talliedCounter(
  config: { readonly name: string; readonly help: string; readonly labelNames: readonly string[] },
  labelValues: (label: string) => string[],
) {
  const counted = tallies((label) => counter.labels(...labelValues(label)));
  const counter = new (promClient().Counter)({
    ...config,
    collect: () => {
      counted.flush();
    },
  });
  return counted;
}

/** The counters core code updates. Each call is a map lookup and an increment. */
export const metrics = {
  /** One answered HTTP request; `service` is a route name (or `other`), never a path. */
  request(service: string, status: number, durationMs: number): void {
    instruments().requestTallies.add(`${service} ${String(status)}`, 1);
    instruments()
      .requestSecondsChild(service)
      .observe(durationMs / 1000);
  },
  /** `count` tiles found (fresh) in cache `cache`. */
  cacheHits(cache: string, count: number): void {
    if (count > 0) instruments().hitTallies.add(cache, count);
  },
  /** `count` tiles missing (or stale) in cache `cache`. */
  cacheMisses(cache: string, count: number): void {
    if (count > 0) instruments().missTallies.add(cache, count);
  },
  /** `count` tiles created from the sources and handed out (and stored unless disabled). */
  tilesCreated(cache: string, count: number): void {
    if (count > 0) instruments().createdTallies.add(cache, count);
  },
  /** One upstream request of source `source` (`unknown` when no source name was given). */
  upstreamRequest(source: string, durationMs: number, failed: boolean): void {
    const child = instruments().upstreamChild(source);
    child.requests.inc();
    child.seconds.observe(durationMs / 1000);
    if (failed) child.errors.inc();
  },
  /** A tile creation waited `waitedMs` for a lock someone else held. */
  lockWait(waitedMs: number): void {
    instruments().lockWaits.inc();
    instruments().lockWaitSeconds.observe(waitedMs / 1000);
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
