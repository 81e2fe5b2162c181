/**
 * `mapproxy-util seed` (also `mapproxy-seed`): MapProxy's seed script flags over `runSeed`;
 * an ora line per task on a terminal, plain periodic lines otherwise.
 */
import { createInterface } from 'node:readline/promises';
import { Args, Command, Flags } from '@oclif/core';
import type { default as OraFactory, Ora } from 'ora';
import {
  configureLogging,
  CliError,
  exitCodeFor,
  formatSeedPlan,
  parseBind,
  planSeedRun,
  presentFailure,
  runSeed,
  type SeedEvent,
  type SeedTaskInfo,
} from '../core/index.js';

const DURATION = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** MapProxy's `--duration`/`--reseed-interval` values: `120s`, `15m`, `4h`, `0.5d`. */
function parseDuration(flag: string, text: string): number {
  const m = DURATION.exec(text.trim());
  // MapProxy check_duration's optparse message
  if (m === null)
    throw new Error(`option ${flag}: invalid duration value: '${text}', expected (10s, 15m, 0.5h, 3d, etc)`);
  return Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 1);
}

/** `-q` repeats (MapProxy: optparse `action="count"`); oclif booleans do not count, so argv is. */
function quietLevel(argv: readonly string[]): number {
  let level = 0;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--quiet') level += 1;
    else if (/^-[a-zA-Z]+$/.test(arg)) level += arg.split('q').length - 1;
  }
  return level;
}

/** `--seed`/`--cleanup` values, each comma-separated (MapProxy's split_comma_seperated_option). */
const names = (values: readonly string[] | undefined): string[] | undefined =>
  values === undefined
    ? undefined
    : values
        .flatMap((value) => value.split(','))
        .map((n) => n.trim())
        .filter((n) => n !== '');

function describe(task: SeedTaskInfo): string {
  return `${task.kind} ${task.name}: ${task.cacheName} / ${task.gridName}`;
}

export default class Seed extends Command {
  static override summary = 'Seed or clean caches as a seed.yaml describes (MapProxy mapproxy-seed).';
  static override examples = [
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml --summary',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml -n',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml -c 4 --seed osm_world --progress-file seed.progress',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml --continue --progress-file seed.progress',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml --cleanup ALL',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml --metrics-file /var/lib/node_exporter/textfile/mapproxy_seed.prom',
    '<%= config.bin %> <%= command.id %> -f mapproxy.yaml -s seed.yaml --metrics-bind 127.0.0.1:9101',
  ];
  // ignoreStdin: oclif would otherwise read a missing positional from stdin, eating the -i answers
  static override args = {
    seed_conf: Args.file({ description: 'seed configuration (or -s)', ignoreStdin: true }),
  };
  static override flags = {
    'proxy-conf': Flags.file({ char: 'f', summary: 'proxy configuration', required: true }),
    'seed-conf': Flags.file({ char: 's', summary: 'seed configuration' }),
    concurrency: Flags.integer({
      char: 'c',
      summary: 'number of meta tiles created at once',
      default: 2,
      min: 1,
    }),
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
    // repeatable, as MapProxy's (optparse action append): --seed a --seed b is --seed a,b; not
    // greedy, so a seed.yaml given as the last argument stays the argument
    seed: Flags.string({
      summary: 'seed only the named tasks (task1,task2,... or ALL; repeatable)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    cleanup: Flags.string({
      summary: 'cleanup only the named tasks (task1,task2,... or ALL; repeatable)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'use-cache-lock': Flags.boolean({ summary: 'prevent multiple seed runs on the same cache' }),
    continue: Flags.boolean({ summary: 'continue an aborted seed run' }),
    'progress-file': Flags.string({ summary: 'file for storing the seed progress (for --continue)' }),
    duration: Flags.string({ summary: 'stop seeding after (120s, 15m, 4h, 0.5d)' }),
    'reseed-file': Flags.string({ summary: 'start of last re-seed' }),
    'reseed-interval': Flags.string({ summary: 'only seed if --reseed-file is older than this' }),
    quiet: Flags.boolean({
      char: 'q',
      summary: 'reduce messages to stdout, repeat (-qq) to disable progress output',
    }),
    'log-config': Flags.file({ summary: 'logging configuration (Python logging ini)' }),
    'metrics-file': Flags.string({
      summary: 'write Prometheus metrics of the run to this file every few seconds and at the end (not in MapProxy)',
      helpValue: 'PATH',
    }),
    'metrics-bind': Flags.string({
      summary: 'serve Prometheus metrics of the run at http://HOST:PORT/metrics while it runs (not in MapProxy)',
      helpValue: 'HOST:PORT',
    }),
    'metrics-interval': Flags.integer({
      summary: 'ms between two writes of --metrics-file',
      default: 5000,
      min: 10,
      hidden: true,
    }),
    retries: Flags.integer({
      summary: 'retries of a failed meta tile, with backoff (not in MapProxy)',
      default: 5,
      min: 0,
    }),
    'retry-delay': Flags.integer({
      summary: 'first retry backoff in ms, doubling (not in MapProxy)',
      default: 1000,
      min: 0,
      hidden: true,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Seed);
    const seedConfigFile = flags['seed-conf'] ?? args.seed_conf;
    if (seedConfigFile === undefined)
      this.fail(new CliError('missing seed_conf file as last argument or --seed-conf option', 'CLI_USAGE'));
    let durationSeconds: number | undefined;
    let reseedIntervalSeconds: number | undefined;
    let metricsBind: ReturnType<typeof parseBind> | undefined;
    try {
      metricsBind = flags['metrics-bind'] === undefined ? undefined : parseBind(flags['metrics-bind'], '--metrics-bind');
      durationSeconds =
        flags.duration === undefined ? undefined : parseDuration('--duration', flags.duration);
      reseedIntervalSeconds =
        flags['reseed-interval'] === undefined
          ? undefined
          : parseDuration('--reseed-interval', flags['reseed-interval']);
    } catch (error) {
      // a malformed option value is a usage error, whichever parser found it
      this.fail(error instanceof Error ? new CliError(error.message, 'CLI_USAGE', { cause: error }) : error);
    }
    // MapProxy setup_logging: the `mapproxy` loggers at WARN to stdout (no request lines) unless
    // --log-config says otherwise
    if (flags['log-config'] === undefined) configureLogging({ level: 'warning' });
    const common = {
      proxyConfigFile: flags['proxy-conf'],
      seedConfigFile,
      seeds: names(flags.seed),
      cleanups: names(flags.cleanup),
    };
    try {
      if (flags.summary) {
        this.log(await formatSeedPlan(await planSeedRun(common)));
        return;
      }
      // MapProxy: a stdout that is no terminal counts as -q; so does one the spinner cannot draw on
      const quiet = Math.max(quietLevel(this.argv), canAnimate(process.stdout) ? 0 : 1);
      // ora (and its terminal helpers) only when a spinner will be drawn
      const ora = quiet === 0 ? (await import('ora')).default : undefined;
      const reporter = new ProgressReporter(
        (line) => {
          this.log(line);
        },
        (line) => {
          this.logToStderr(line);
        },
        { quiet, dryRun: flags['dry-run'], ora },
      );
      if (flags['dry-run']) this.log('dry run: tiles are counted, nothing is fetched or written');
      const onResize = (): void => {
        if (!canAnimate(process.stdout)) reporter.plain();
      };
      process.stdout.on('resize', onResize);
      const stop = new StopSignals();
      const questions = flags.interactive ? new Questions() : null;
      const result = await runSeed({
        ...common,
        concurrency: flags.concurrency,
        retries: flags.retries,
        retryDelayMs: flags['retry-delay'],
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
        metrics: {
          file: flags['metrics-file'],
          bind: metricsBind,
          intervalMs: flags['metrics-interval'],
        },
        confirmTask: questions === null ? undefined : (task) => questions.confirm(task),
        onEvent: (event) => {
          reporter.handle(event);
        },
        signal: stop.controller.signal,
      }).finally(() => {
        stop.dispose();
        process.stdout.removeListener('resize', onResize);
        questions?.close();
      });
      reporter.stop();
      if (result.status === 'failed') {
        this.logToStderr(`error: ${result.failureCount} meta tile(s) could not be created:`);
        for (const { task, stats } of result.tasks) {
          for (const f of stats.failures) {
            this.logToStderr(
              `  ${describe(task)} tile (${f.coord.x}, ${f.coord.y}, ${f.coord.z}): ${f.message}`,
            );
          }
        }
        this.exit(exitCodeFor('failed', 'seed'));
      }
      if (result.status === 'interrupted' && stop.received === null) {
        // --duration ran out: MapProxy's wrapper stops its child with SIGINT (which prints
        // "exiting...") and then exits 0
        this.log('exiting... (--duration reached; continue with --continue)');
        return;
      }
      if (result.status === 'interrupted') {
        this.logToStderr(`interrupted by ${stop.received ?? 'a signal'}... (continue with --continue)`);
        this.exit(stop.exitCode);
      }
      // MapProxy: "no need for re-seeding", exit 1
      if (result.status === 'not-needed') this.exit(exitCodeFor('refused', 'seed'));
    } catch (error) {
      this.fail(error);
    }
  }

  /** Configuration problems exit 2 with every message; unknown tasks exit 1 (as MapProxy). */
  private fail(error: unknown): never {
    return this.exit(presentFailure(error, 'seed', this));
  }
}

/**
 * ora redraws by the terminal's width: with 0 columns (`script`, `docker -t`, `ssh -t`, some CI
 * runners) its line count is infinite and it clears lines forever, synchronously; a dumb terminal
 * cannot move the cursor at all. Both get the plain progress lines.
 */
function canAnimate(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY && stream.columns > 0 && process.env.TERM !== 'dumb';
}

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * SIGINT and SIGTERM stop the seed (the engine finishes or abandons the meta tiles in flight and
 * writes the progress file); the exit code is then the shell's 128 + signal number (MapProxy has
 * no SIGTERM handler and dies with 143). A second signal exits at once.
 */
class StopSignals {
  readonly controller = new AbortController();
  received: keyof typeof SIGNAL_NUMBERS | null = null;
  readonly #handlers = (Object.keys(SIGNAL_NUMBERS) as (keyof typeof SIGNAL_NUMBERS)[]).map((name) => {
    const handler = (): void => {
      if (this.received !== null) process.exit(128 + SIGNAL_NUMBERS[name]);
      this.received = name;
      this.controller.abort(new Error(`received ${name}`));
    };
    process.on(name, handler);
    return { name, handler };
  });

  get exitCode(): number {
    return this.received === null ? 1 : 128 + SIGNAL_NUMBERS[this.received];
  }

  dispose(): void {
    for (const { name, handler } of this.#handlers) process.removeListener(name, handler);
  }
}

/**
 * `-i`: MapProxy's questions, one readline for all of them (a piped stdin is read ahead, so a
 * readline per question would lose the later answers). Asks again until y/yes/n/no.
 */
class Questions {
  readonly #rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  readonly #lines = this.#rl[Symbol.asyncIterator]();
  #kind: SeedTaskInfo['kind'] | null = null;

  async confirm(task: SeedTaskInfo): Promise<boolean> {
    if (task.kind !== this.#kind) {
      this.#kind = task.kind;
      process.stdout.write(
        `========== Select ${task.kind === 'seed' ? 'seeding' : 'cleanup'} tasks ==========\n`,
      );
    }
    process.stdout.write(`${describe(task)}, levels ${task.levels.join(', ')}\n`);
    for (;;) {
      process.stdout.write(`    ${task.kind === 'seed' ? 'Seed' : 'Cleanup'} this task (y/n)? `);
      const line = await this.#lines.next();
      // MapProxy's raw_input fails at the end of input; here the task is not run
      if (line.done === true) throw new CliError('no answer: standard input ended', 'CLI_INPUT_ENDED');
      const answer = line.value.toLowerCase();
      if (answer === 'y' || answer === 'yes') return true;
      if (answer === 'n' || answer === 'no') return false;
    }
  }

  close(): void {
    this.#rl.close();
  }
}

/**
 * Renders progress events by MapProxy's `-q` levels: 0 (a terminal) an ora line per task; 1 (-q,
 * no terminal, or one without width or cursor control) a plain line at most every 5 s; 2 (-qq) no
 * progress lines at all.
 */
class ProgressReporter {
  readonly #log: (line: string) => void;
  readonly #logError: (line: string) => void;
  readonly #dryRun: boolean;
  #quiet: number;
  #spinner: Ora | null = null;
  readonly #ora: typeof OraFactory | undefined;
  #lastLine = 0;

  constructor(
    log: (line: string) => void,
    logError: (line: string) => void,
    options: { quiet: number; dryRun: boolean; ora?: typeof OraFactory | undefined },
  ) {
    this.#log = log;
    this.#logError = logError;
    this.#quiet = options.quiet;
    this.#dryRun = options.dryRun;
    this.#ora = options.ora;
  }

  handle(event: SeedEvent): void {
    switch (event.type) {
      case 'task-start':
        this.stop();
        this.#log(
          `[${event.index + 1}/${event.count}] ${describe(event.task)} levels ${event.task.levels.join(', ')}`,
        );
        this.#log(event.summary);
        // NO_COLOR (no-color.org): ora's symbols honour it, but its spinner frame is coloured by chalk,
        // which does not look at NO_COLOR. The terminal's input is left alone: ora's stdin discarder
        // puts it in raw mode, and a seed in a background process group (`&`, or under `timeout`)
        // is then stopped by SIGTTOU for good
        if (this.#quiet === 0 && this.#ora !== undefined)
          this.#spinner = this.#ora({
            text: 'starting',
            color: (process.env.NO_COLOR ?? '') === '' ? 'cyan' : false,
            discardStdin: false,
          }).start();
        return;
      case 'progress': {
        if (this.#quiet >= 2) return;
        const eta = event.etaSeconds === null ? '' : ` ETA ${Math.round(event.etaSeconds)}s`;
        const count = event.task.kind === 'seed' ? `${event.tiles} tiles` : `${event.removed} removed`;
        // a dry run writes nothing, so a rate or an ETA would only mislead
        const rate = this.#dryRun ? ' (dry run)' : ` ${event.tilesPerSecond.toFixed(1)} tiles/s${eta}`;
        const text = `level ${event.level} ${(event.fraction * 100).toFixed(1)}% ${count}${rate}`;
        if (this.#spinner !== null) this.#spinner.text = text;
        else if (Date.now() - this.#lastLine >= 5000) {
          this.#lastLine = Date.now();
          this.#log(`  ${text}`);
        }
        return;
      }
      case 'task-end': {
        const s = event.stats;
        const done = this.#dryRun
          ? 'would be written (dry run, nothing written)'
          : `in ${s.seconds.toFixed(1)}s`;
        const text = `${describe(event.task)}: ${s.metaTiles} meta tiles, ${s.tiles} tiles, ${s.removed} removed, ${s.failures.length} failed ${done}`;
        if (this.#spinner !== null) {
          if (s.failures.length > 0) this.#spinner.fail(text);
          else this.#spinner.succeed(text);
          this.#spinner = null;
        } else this.#log(`  ${text}`);
        return;
      }
      case 'failure':
        if (this.#spinner !== null)
          this.#spinner.warn(`tile (${event.coord.x}, ${event.coord.y}, ${event.coord.z}): ${event.message}`);
        else
          this.#log(
            `  failed: tile (${event.coord.x}, ${event.coord.y}, ${event.coord.z}): ${event.message}`,
          );
        return;
      case 'retry': {
        // MapProxy exp_backoff: "An error occured. Retry in 2 seconds: <error>. Retries left: 10"
        const text = `tile (${event.coord.x}, ${event.coord.y}, ${event.coord.z}): retry in ${event.delaySeconds}s, ${event.retriesLeft} retries left: ${event.message}`;
        // above the spinner, which keeps running
        this.#spinner?.clear();
        this.#logError(`  ${text}`);
        this.#spinner?.render();
        return;
      }
      case 'note':
        this.#log(event.message);
        return;
    }
  }

  /** From now on plain lines (the terminal lost its width): the running spinner ends. */
  plain(): void {
    this.stop();
    this.#quiet = Math.max(this.#quiet, 1);
  }

  stop(): void {
    this.#spinner?.stop();
    this.#spinner = null;
  }
}
