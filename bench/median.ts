/** Folds the repeated runs of one scenario on one server into a row of medians. */
import type { BenchRow } from './report.js';

/** The median of `values`, NaN values left out; NaN when none is left. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/**
 * The median of every figure of `rows` (one scenario, one server); counts of failures are summed.
 * The free-form fields (the note with its per-run timings) come from the median run by rate, not
 * from the first run, so that the note agrees with the figures beside it.
 */
export function medianRow(rows: readonly BenchRow[]): BenchRow {
  const byRate = [...rows].sort((a, b) => a.perSecond - b.perSecond);
  const middle = byRate[(byRate.length - 1) >> 1];
  if (middle === undefined) throw new Error('medianRow needs at least one run');
  const of = (pick: (row: BenchRow) => number) => median(rows.map(pick));
  return {
    ...middle,
    requests: of((r) => r.requests),
    seconds: of((r) => r.seconds),
    perSecond: of((r) => r.perSecond),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    upstreamRequests: of((r) => r.upstreamRequests),
    peakRssMb: of((r) => r.peakRssMb ?? NaN),
    cpuMsPerRequest: of((r) => r.cpuMsPerRequest ?? NaN),
    non2xx: rows.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rows.reduce((sum, r) => sum + r.errors, 0),
    runs: rows.map((r) => r.perSecond),
  };
}
