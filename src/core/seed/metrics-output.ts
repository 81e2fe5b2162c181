/**
 * A seed run watched from Prometheus: its `SeedRunMetrics` fed from the progress events, written
 * atomically to a textfile-collector file every few seconds and at the end, and/or served at
 * `http://HOST:PORT/metrics` while the run works.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getLogger, SeedRunMetrics, writeFileAtomic, type SeedTaskLabels } from '../util/index.js';
import { SeedError } from './errors.js';
import type { SeedEvent, SeedTaskInfo } from './types.js';

const log = getLogger('mapproxy.seed');

export interface SeedMetricsOptions {
  /** Prometheus text file, rewritten (temp file + rename) every `intervalMs` and at the end. */
  readonly file?: string | undefined;
  /** Listen here and answer `GET /metrics` until the run ends; port 0 picks a free one. */
  readonly bind?: { readonly host: string; readonly port: number; readonly displayHost?: string } | undefined;
  /** Default 5000 ms. */
  readonly intervalMs?: number | undefined;
}

/** `[0, 1, 2, 5]` → `0-2,5`: a bounded, readable label for a task's levels. */
export function levelsLabel(levels: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < levels.length) {
    let j = i;
    while (j + 1 < levels.length && levels[j + 1] === (levels[j] ?? 0) + 1) j += 1;
    parts.push(j === i ? String(levels[i]) : `${String(levels[i])}-${String(levels[j])}`);
    i = j + 1;
  }
  return parts.join(',');
}

function labelsOf(task: SeedTaskInfo): SeedTaskLabels {
  return {
    task: task.name,
    kind: task.kind,
    cache: task.cacheName,
    grid: task.gridName,
    levels: levelsLabel(task.levels),
  };
}

/** The metrics of one run and where they go; `close()` writes the last file and stops the endpoint. */
export class SeedMetricsOutput {
  readonly #metrics: SeedRunMetrics;
  readonly #file: string | undefined;
  readonly #now: () => number;
  #server: Server | null = null;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  #isWriting = false;
  /** The endpoint's URL, when serving. */
  url: string | null = null;

  private constructor(options: SeedMetricsOptions, now: () => number, dryRun: boolean) {
    this.#metrics = new SeedRunMetrics({ startMs: now(), dryRun });
    this.#file = options.file;
    this.#now = now;
  }

  /**
   * Starts serving (when `bind` is set), writes the first file and the periodic ones. Rejects
   * when the address cannot be bound or the file cannot be written, before any tile is seeded.
   */
  static async start(
    options: SeedMetricsOptions,
    now: () => number,
    dryRun: boolean,
  ): Promise<SeedMetricsOutput> {
    const output = new SeedMetricsOutput(options, now, dryRun);
    try {
      if (options.bind !== undefined) await output.#listen(options.bind);
      await output.#write().catch((error: unknown) => {
        throw new SeedError(
          `cannot write --metrics-file ${String(options.file)}: ${(error as Error).message}`,
          'SEED_METRICS_FILE',
          {
            cause: error,
          },
        );
      });
    } catch (error) {
      await output.#stopServer();
      throw error;
    }
    if (output.#file !== undefined) {
      output.#timer = setInterval(() => {
        // a slow disk skips a tick rather than queueing writes
        if (output.#isWriting) return;
        void output.#write().catch((error: unknown) => {
          log.error(`cannot write seed metrics to ${String(output.#file)}: ${String(error)}`);
        });
      }, options.intervalMs ?? 5000);
      // the run, not this timer, decides when the process is done
      output.#timer.unref();
    }
    return output;
  }

  /** Follows the run's progress events. */
  observe(event: SeedEvent): void {
    switch (event.type) {
      case 'progress': {
        this.#metrics.taskProgress(labelsOf(event.task), {
          progressRatio: event.fraction,
          level: event.level,
          tilesDone: event.task.kind === 'seed' ? event.tiles : event.removed,
          metaTilesDone: event.metaTiles,
          elapsedSeconds: event.elapsedSeconds,
          etaSeconds: event.etaSeconds,
        });
        return;
      }
      case 'failure':
        this.#metrics.taskFailure(labelsOf(event.task));
        return;
      case 'task-end': {
        const labels = labelsOf(event.task);
        const { stats } = event;
        this.#metrics.taskProgress(labels, {
          progressRatio: stats.complete ? 1 : 0,
          level: event.task.levels.at(-1) ?? 0,
          tilesDone: event.task.kind === 'seed' ? stats.tiles : stats.removed,
          metaTilesDone: stats.metaTiles,
          elapsedSeconds: stats.seconds,
          etaSeconds: null,
        });
        this.#metrics.taskEnded(labels, stats.complete);
        return;
      }
      case 'task-start': {
        const labels = labelsOf(event.task);
        this.#metrics.planned(event.count);
        this.#metrics.taskStarted(labels, event.tilesPlanned);
        this.#metrics.taskProgress(labels, {
          progressRatio: 0,
          level: event.task.levels[0] ?? 0,
          tilesDone: 0,
          metaTilesDone: 0,
          elapsedSeconds: 0,
          etaSeconds: null,
        });
        return;
      }
      case 'retry':
      case 'note':
        return;
    }
  }

  /** The run ended: the last file is written (awaited) and the endpoint closes. */
  async close(status: string, success: boolean): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#metrics.ended(status, success, this.#now());
    try {
      await this.#write();
    } finally {
      await this.#stopServer();
    }
  }

  /** One write at a time, each a complete file (MapProxy write_atomic: temp file, rename). */
  #write(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return Promise.resolve();
    this.#isWriting = true;
    const next: Promise<void> = this.#writing
      .catch(() => undefined)
      .then(async () => {
        this.#metrics.tick(this.#now());
        await writeFileAtomic(file, Buffer.from(await this.#metrics.text()));
      })
      .finally(() => {
        if (this.#writing === next) this.#isWriting = false;
      });
    this.#writing = next;
    return next;
  }

  async #listen(bind: NonNullable<SeedMetricsOptions['bind']>): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      this.#metrics.tick(this.#now());
      this.#metrics.text().then(
        (text) => {
          res
            .writeHead(200, { 'Content-Type': this.#metrics.contentType, 'Cache-Control': 'no-store' })
            .end(text);
        },
        (error: unknown) => {
          res.writeHead(503, { 'Content-Type': 'text/plain' }).end(`metrics unavailable: ${String(error)}\n`);
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(bind.port, bind.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    const host = bind.displayHost ?? bind.host;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${String(port)}/metrics`;
  }

  async #stopServer(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }
}
