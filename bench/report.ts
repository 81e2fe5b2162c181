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
  /** perSecond over nginx's serving the same tile files (medians; cache-hit scenarios). */
  readonly nginxShare?: number;
  /** perSecond of every run, when several were folded into medians. */
  readonly runs?: readonly number[];
}

/** A latency cell; '-' where the scenario times no single requests (seeding). */
const millis = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '-');

/** A cell for an optional figure; '-' where it was not measured. */
const figure = (value: number | undefined, format: (value: number) => string): string =>
  value === undefined || !Number.isFinite(value) ? '-' : format(value);

/** Title, cell, and whether the column is numeric (right-aligned). */
const COLUMNS: readonly [string, (row: BenchRow) => string, boolean][] = [
  ['scenario', (r) => r.scenario, false],
  ['server', (r) => r.server, false],
  // tiles, maps or seeded tiles per second, by scenario
  ['per s', (r) => r.perSecond.toFixed(0), true],
  ['p50 ms', (r) => millis(r.p50Ms), true],
  ['p99 ms', (r) => millis(r.p99Ms), true],
  // the server's CPU (its process group, /proc) per response: steadier than per s on a shared machine
  ['CPU ms/req', (r) => figure(r.cpuMsPerRequest, (v) => v.toFixed(3)), true],
  ['requests', (r) => String(r.requests), true],
  ['non-2xx', (r) => String(r.non2xx), true],
  ['sock err', (r) => String(r.errors), true],
  ['upstream', (r) => String(r.upstreamRequests), true],
  ['rss MB', (r) => figure(r.peakRssMb, (v) => v.toFixed(0)), true],
  ['x MapProxy', (r) => figure(r.ratio, (v) => `${v.toFixed(2)}x`), true],
  ['of nginx', (r) => figure(r.nginxShare, (v) => `${(v * 100).toFixed(0)}%`), true],
  ['load', (r) => r.load ?? '-', false],
  ['note', (r) => r.note, false],
];

/** The rows as an aligned text table with a header line. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = [COLUMNS.map(([title]) => title), ...rows.map((row) => COLUMNS.map(([, cell]) => cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  const render = (line: readonly string[]) =>
    line
      .map((cell, i) =>
        COLUMNS[i]?.[2] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
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
