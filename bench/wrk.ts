/**
 * wrk (Debian's package) as the bench's load generator: a separate, light process rotating over a
 * list of paths through a generated Lua script; its text report parsed into a `Measurement`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Measurement } from './measure.js';

/** True when `wrk` is on the PATH. */
export const hasWrk = (): boolean => spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;

/** wrk's socket errors by kind, as its report lists them. */
export interface WrkSocketErrors {
  readonly connect: number;
  readonly read: number;
  readonly write: number;
  readonly timeout: number;
}

/** What one wrk report says. Latencies in ms; NaN when wrk printed no figure (no response). */
export interface WrkReport {
  /** Completed responses, any status (wrk's "N requests in"). */
  readonly requests: number;
  readonly seconds: number;
  /** Responses with a status of 400 or more (wrk's "Non-2xx or 3xx responses"). */
  readonly non2xx: number;
  readonly socketErrors: WrkSocketErrors;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** An output of wrk this module does not understand: the message quotes it. */
export class WrkOutputError extends Error {
  override readonly name = 'WrkOutputError';
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** wrk's duration text (`812.00us`, `3.21ms`, `1.02s`, `2.00m`) in ms; NaN for anything else. */
function durationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (match === null) return NaN;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Parses the report `wrk --latency` prints; throws `WrkOutputError` when it has no totals line. */
export function parseWrkOutput(text: string): WrkReport {
  const totals = /(\d+) requests in ([\d.]+\w+),/.exec(text);
  if (totals === null) throw new WrkOutputError(`no "N requests in" line in wrk's output:\n${text}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const percentile = (p: number) => durationMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(text)?.[1] ?? '');
  return {
    requests: Number(totals[1]),
    seconds: durationMs(totals[2] ?? '') / 1000,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    // wrk prints the line only when there was an error
    socketErrors: {
      connect: Number(errors?.[1] ?? 0),
      read: Number(errors?.[2] ?? 0),
      write: Number(errors?.[3] ?? 0),
      timeout: Number(errors?.[4] ?? 0),
    },
    p50Ms: percentile(50),
    p99Ms: percentile(99),
  };
}

/** `text` as a Lua string literal; bench paths are printable ASCII (URLs are percent-encoded). */
function luaString(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`not a printable ASCII path: ${JSON.stringify(text)}`);
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The Lua script: every thread rotates over all of `paths`, each from its own offset (wrk gives
 * each thread its own Lua state, whose math.random would start all of them at the same place).
 */
function rotationScript(paths: readonly string[], threads: number): string {
  return [
    `local paths = {\n${paths.map((p) => `  ${luaString(p)},`).join('\n')}\n}`,
    'local started = 0',
    'function setup(thread) thread:set("offset", started); started = started + 1 end',
    `function init(args) i = math.floor(offset * #paths / ${threads}) end`,
    'function request() i = i % #paths + 1; return wrk.format(nil, paths[i]) end',
    '',
  ].join('\n');
}

export interface WrkRunOptions {
  readonly durationSeconds: number;
  readonly connections: number;
  /** wrk threads (default 2, never more than connections). */
  readonly threads?: number;
}

/** The load's description for reports, e.g. `wrk -t 2 -c 64`. */
export function wrkLabel(options: WrkRunOptions): string {
  return `wrk -t ${wrkThreads(options)} -c ${options.connections}`;
}

const wrkThreads = (options: WrkRunOptions): number => Math.min(options.threads ?? 2, options.connections);

/** Runs wrk against `baseUrl` rotating over `paths`, and reads its report. */
export async function wrkRun(
  baseUrl: string,
  paths: readonly string[],
  options: WrkRunOptions,
): Promise<Measurement> {
  if (paths.length === 0) throw new Error('a load run needs at least one path');
  const threads = wrkThreads(options);
  const dir = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
  try {
    const script = join(dir, 'paths.lua');
    await writeFile(script, rotationScript(paths, threads));
    // a 60 s timeout as autocannon had: wrk's default of 2 s would drop slow WMS answers as errors
    const args = [
      '-t',
      String(threads),
      '-c',
      String(options.connections),
      '-d',
      `${options.durationSeconds}s`,
    ];
    const output = await runWrk([...args, '--timeout', '60s', '--latency', '-s', script, baseUrl]);
    const report = parseWrkOutput(output);
    const { connect, read, write, timeout } = report.socketErrors;
    return {
      requests: report.requests,
      non2xx: report.non2xx,
      errors: connect + read + write + timeout,
      seconds: report.seconds,
      perSecond: (report.requests - report.non2xx) / report.seconds,
      p50Ms: report.p50Ms,
      p99Ms: report.p99Ms,
      load: wrkLabel(options),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** wrk's stdout; rejects with it (and stderr) when wrk fails. */
function runWrk(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`wrk ${args.join(' ')} exited with ${String(code)}:\n${output}${errors}`));
    });
  });
}
