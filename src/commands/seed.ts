/**
 * `mapproxy-util seed` (also `mapproxy-seed`): MapProxy's seed script flags over `runSeed`;
 * an ora line per task on a terminal, plain periodic lines otherwise.
 */
import { createInterface } from 'node:readline/promises';
import { Args, Command, Flags } from '@oclif/core';
import ora, { type Ora } from 'ora';
import {
  failureReport,
  formatSeedPlan,
  planSeedRun,
  runSeed,
  SeedError,
  type SeedEvent,
  type SeedTaskInfo,
} from '../core/index.js';

const DURATION = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** MapProxy's `--duration`/`--reseed-interval` values: `120s`, `15m`, `4h`, `0.5d`. */
function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (m === null) throw new Error(`invalid duration "${text}" (e.g. 120s, 15m, 4h, 0.5d)`);
  return Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 1);
}

const names = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((n) => n.trim()).filter((n) => n !== '');

function describe(task: SeedTaskInfo): string {
  return `${task.kind} ${task.name}: ${task.cacheName} / ${task.gridName}`;
}

export default class Seed extends Command {
  static override summary = 'Seed or clean caches as a seed.yaml describes (MapProxy mapproxy-seed).';
  static override args = { seed_conf: Args.file({ description: 'seed configuration (or -s)' }) };
  static override flags = {
    'proxy-conf': Flags.file({ char: 'f', summary: 'proxy configuration', required: true }),
    'seed-conf': Flags.file({ char: 's', summary: 'seed configuration' }),
    concurrency: Flags.integer({ char: 'c', summary: 'number of meta tiles created at once', default: 2, min: 1 }),
    'dry-run': Flags.boolean({ char: 'n', summary: 'do not seed, just print output' }),
    'skip-geoms-for-last-levels': Flags.integer({
      char: 'l',
      summary: 'do not check for intersections between tiles and seed geometries on the last N levels',
      helpValue: 'N',
      default: 0,
    }),
    'skip-uncached': Flags.boolean({ summary: 'only treat tiles which are already present in the cache' }),
    summary: Flags.boolean({ summary: 'print summary with all seeding tasks and exit' }),
    interactive: Flags.boolean({ char: 'i', summary: 'ask before each task' }),
    seed: Flags.string({ summary: 'seed only the named tasks (task1,task2,... or ALL)' }),
    cleanup: Flags.string({ summary: 'cleanup only the named tasks (task1,task2,... or ALL)' }),
    'use-cache-lock': Flags.boolean({ summary: 'prevent multiple seed runs on the same cache' }),
    continue: Flags.boolean({ summary: 'continue an aborted seed run' }),
    'progress-file': Flags.string({ summary: 'file for storing the seed progress (for --continue)' }),
    duration: Flags.string({ summary: 'stop seeding after (120s, 15m, 4h, 0.5d)' }),
    'reseed-file': Flags.string({ summary: 'start of last re-seed' }),
    'reseed-interval': Flags.string({ summary: 'only seed if --reseed-file is older than this' }),
    quiet: Flags.boolean({ char: 'q', summary: 'reduce messages: no progress output' }),
    'log-config': Flags.file({ summary: 'logging configuration (Python logging ini)' }),
    retries: Flags.integer({ summary: 'retries of a failed meta tile, with backoff (not in MapProxy)', default: 5, min: 0 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Seed);
    const seedConfigFile = flags['seed-conf'] ?? args.seed_conf;
    if (seedConfigFile === undefined) this.error('missing seed_conf file as last argument or --seed-conf option', { exit: 2 });
    let durationSeconds: number | undefined;
    let reseedIntervalSeconds: number | undefined;
    try {
      durationSeconds = flags.duration === undefined ? undefined : parseDuration(flags.duration);
      reseedIntervalSeconds = flags['reseed-interval'] === undefined ? undefined : parseDuration(flags['reseed-interval']);
    } catch (error) {
      this.error(error instanceof Error ? error.message : String(error), { exit: 2 });
    }
    const common = {
      proxyConfigFile: flags['proxy-conf'],
      seedConfigFile,
      seeds: names(flags.seed),
      cleanups: names(flags.cleanup),
    };
    try {
      if (flags.summary) {
        this.log(formatSeedPlan(await planSeedRun(common)));
        return;
      }
      const controller = new AbortController();
      const onSigint = (): void => {
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      const reporter = new ProgressReporter((line) => { this.log(line); }, flags.quiet);
      const result = await runSeed({
        ...common,
        concurrency: flags.concurrency,
        retries: flags.retries,
        dryRun: flags['dry-run'],
        skipUncached: flags['skip-uncached'],
        skipGeomsForLastLevels: flags['skip-geoms-for-last-levels'],
        progressFile: flags['progress-file'],
        resume: flags.continue,
        useCacheLock: flags['use-cache-lock'],
        reseedFile: flags['reseed-file'],
        reseedIntervalSeconds,
        durationSeconds,
        logConfigFile: flags['log-config'],
        confirmTask: flags.interactive ? (task) => this.confirm(task) : undefined,
        onEvent: (event) => { reporter.handle(event); },
        signal: controller.signal,
      }).finally(() => process.removeListener('SIGINT', onSigint));
      reporter.stop();
      if (result.status === 'failed') {
        this.logToStderr(`error: ${result.failureCount} meta tile(s) could not be created:`);
        for (const { task, stats } of result.tasks) {
          for (const f of stats.failures) {
            this.logToStderr(`  ${describe(task)} tile (${f.coord.x}, ${f.coord.y}, ${f.coord.z}): ${f.message}`);
          }
        }
        this.exit(1);
      }
      if (result.status === 'interrupted') {
        this.logToStderr('interrupted... (continue with --continue)');
        this.exit(1);
      }
      if (result.status === 'not-needed') this.exit(1);
    } catch (error) {
      this.fail(error);
    }
  }

  private async confirm(task: SeedTaskInfo): Promise<boolean> {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const answer = await rl.question(`${describe(task)}, levels ${task.levels.join(', ')}\n  ${task.kind} this task (y/n)? `);
      return answer.trim().toLowerCase().startsWith('y');
    } finally {
      rl.close();
    }
  }

  /** Configuration problems exit 2 with every message; unknown tasks exit 1 (as MapProxy). */
  private fail(error: unknown): never {
    if (error instanceof SeedError) {
      this.logToStderr(`error: ${error.message}`);
      return this.exit(error.code === 'SEED_UNKNOWN_TASK' ? 1 : 2);
    }
    const report = failureReport(error);
    if (report === null) throw error;
    for (const line of report.lines) this.logToStderr(line);
    return this.exit(report.exitCode);
  }
}

/** Renders progress events: ora on a terminal, a plain line at most every 5 s otherwise. */
class ProgressReporter {
  readonly #log: (line: string) => void;
  readonly #quiet: boolean;
  readonly #tty = process.stdout.isTTY;
  #spinner: Ora | null = null;
  #lastLine = 0;

  constructor(log: (line: string) => void, quiet: boolean) {
    this.#log = log;
    this.#quiet = quiet;
  }

  handle(event: SeedEvent): void {
    switch (event.type) {
      case 'task-start':
        this.stop();
        this.#log(`[${event.index + 1}/${event.count}] ${describe(event.task)} levels ${event.task.levels.join(', ')}`);
        if (this.#tty && !this.#quiet) this.#spinner = ora({ text: 'starting' }).start();
        return;
      case 'progress': {
        if (this.#quiet) return;
        const eta = event.etaSeconds === null ? '' : ` ETA ${Math.round(event.etaSeconds)}s`;
        const count = event.task.kind === 'seed' ? `${event.tiles} tiles` : `${event.removed} removed`;
        const text = `level ${event.level} ${(event.fraction * 100).toFixed(1)}% ${count} ${event.tilesPerSecond.toFixed(1)} tiles/s${eta}`;
        if (this.#spinner !== null) this.#spinner.text = text;
        else if (Date.now() - this.#lastLine >= 5000) {
          this.#lastLine = Date.now();
          this.#log(`  ${text}`);
        }
        return;
      }
      case 'task-end': {
        const s = event.stats;
        const text = `${describe(event.task)}: ${s.metaTiles} meta tiles, ${s.tiles} tiles, ${s.removed} removed, ${s.failures.length} failed in ${s.seconds.toFixed(1)}s`;
        if (this.#spinner !== null) {
          if (s.failures.length > 0) this.#spinner.fail(text);
          else this.#spinner.succeed(text);
          this.#spinner = null;
        } else this.#log(`  ${text}`);
        return;
      }
      case 'failure':
        if (this.#spinner !== null) this.#spinner.warn(`tile (${event.coord.x}, ${event.coord.y}, ${event.coord.z}): ${event.message}`);
        else this.#log(`  failed: tile (${event.coord.x}, ${event.coord.y}, ${event.coord.z}): ${event.message}`);
        return;
      case 'note':
        this.#log(event.message);
        return;
    }
  }

  stop(): void {
    this.#spinner?.stop();
    this.#spinner = null;
  }
}
