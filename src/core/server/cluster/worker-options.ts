/**
 * What a `serve` worker runs, handed from the primary to each worker process in its environment:
 * the worker starts from its own entry (worker-entry.ts), not from the command line.
 */
import type { BindAddress } from '../bind.js';
import { ServerError } from '../errors.js';

/** The environment variable that carries a worker's options (JSON). */
export const WORKER_OPTIONS_ENV = 'MAPPROXY_TS_SERVE_WORKER';

export interface WorkerOptions {
  /** A mapproxy.yaml, or a server script (`.js`/`.mjs`) exporting `application`. */
  readonly target: string;
  readonly bind: BindAddress;
  readonly debug?: boolean;
  /** Python logging ini file (`--log-config`); without it, the log level follows `debug`. */
  readonly logConfig?: string;
  /**
   * The directory `serve` was started in: the worker loads its target and logging there, while it
   * exists, so that names relative to it (a log handler's file, a server script's own) mean what
   * they meant to the first workers; then it leaves it (working-directory.ts).
   */
  readonly cwd?: string;
  /** Longest a drain may take before the remaining connections are closed. */
  readonly drainTimeoutMs?: number;
}

/** The environment entry that gives a worker `options`. */
export function workerOptionsEnv(options: WorkerOptions): Record<string, string> {
  return { [WORKER_OPTIONS_ENV]: JSON.stringify(options) };
}

/**
 * The options the primary put in `env`. Throws `ServerError` (`SERVER_WORKER_FAILED`) when they
 * are missing or not a worker's options: the process was not started by a `serve` primary.
 */
export function workerOptionsFromEnv(env: NodeJS.ProcessEnv): WorkerOptions {
  const text = env[WORKER_OPTIONS_ENV];
  let options: unknown;
  try {
    options = text === undefined ? undefined : JSON.parse(text);
  } catch {
    options = undefined;
  }
  if (!isWorkerOptions(options)) {
    throw new ServerError(
      `${WORKER_OPTIONS_ENV} does not hold a serve worker's options`,
      'SERVER_WORKER_FAILED',
    );
  }
  return options;
}

function isWorkerOptions(value: unknown): value is WorkerOptions {
  if (typeof value !== 'object' || value === null) return false;
  const { target, bind } = value as {
    target?: unknown;
    bind?: Partial<Record<keyof BindAddress, unknown>> | null;
  };
  return (
    typeof target === 'string' &&
    typeof bind === 'object' &&
    bind !== null &&
    typeof bind.host === 'string' &&
    typeof bind.port === 'number' &&
    typeof bind.displayHost === 'string'
  );
}
