/**
 * Presents bench results: a plain-text table for the terminal and a JSON document for
 * bench/results/ (gitignored), so later runs and issues can compare figures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import type { BenchOptions } from './options.js';
import type { ScenarioResult } from './scenarios/index.js';

/** One scenario run against one target. */
export interface BenchRow extends ScenarioResult {
  readonly scenario: string;
  readonly server: string;
  /** Largest RSS of one worker process during the run, MB (deploy mode). */
  readonly peakRssMb?: number;
  /** perSecond over MapProxy's in the same scenario (medians). */
  readonly ratio?: number;
  /** perSecond of every run, when several were folded into medians. */
  readonly runs?: readonly number[];
}

/** A latency cell; '-' where the scenario times no single requests (seeding). */
const millis = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '-');

const COLUMNS: readonly [string, (row: BenchRow) => string][] = [
  ['scenario', (r) => r.scenario],
  ['server', (r) => r.server],
  // tiles, maps or seeded tiles per second, by scenario
  ['per s', (r) => r.perSecond.toFixed(0)],
  ['p50 ms', (r) => millis(r.p50Ms)],
  ['p99 ms', (r) => millis(r.p99Ms)],
  ['requests', (r) => String(r.requests)],
  ['non-2xx', (r) => String(r.non2xx + r.errors)],
  ['upstream', (r) => String(r.upstreamRequests)],
  ['rss MB', (r) => (r.peakRssMb === undefined || Number.isNaN(r.peakRssMb) ? '-' : r.peakRssMb.toFixed(0))],
  ['x MapProxy', (r) => (r.ratio === undefined || Number.isNaN(r.ratio) ? '-' : `${r.ratio.toFixed(2)}x`)],
  ['note', (r) => r.note],
];

/** The rows as an aligned text table with a header line. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = [COLUMNS.map(([title]) => title), ...rows.map((row) => COLUMNS.map(([, cell]) => cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  const render = (line: readonly string[]) =>
    line
      .map((cell, i) => (i >= 2 && i <= 9 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ');
  return [
    render(cells[0] ?? []),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(render),
  ].join('\n');
}

/** Writes the JSON summary to `file` (its directory is created). */
export async function writeJson(
  file: string,
  options: BenchOptions,
  rows: readonly BenchRow[],
): Promise<void> {
  const document = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    options,
    results: rows,
  };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
}
