/**
 * One `serve` worker process: a node:http server on the shared listening socket in front of the
 * loaded app. Draining stops accepting and lets keep-alive clients go on their own terms, so
 * no request in flight or about to be sent on an idle connection is cut off.
 */
import { createServer, type Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { ConfigError, ConfigErrors } from '../../config/index.js';
import { configureServerLogging, getLogger, joinMetricsCluster, LogConfigError } from '../../util/index.js';
import { hostAndPort } from '../bind.js';
import { answerClientError } from '../build-server.js';
import { applyClientLimits } from '../client-limits.js';
import { ServerError } from '../errors.js';
import { useMetricsSource } from '../handle-request.js';
import { leaveWorkingDirectory } from '../working-directory.js';
import { loadTarget, type LoadedApplication } from './load-target.js';
import { asMetricsReply, isDrain, metricsRequest, startFailed } from './messages.js';
import type { WorkerOptions } from './worker-options.js';

const log = getLogger('mapproxy.server');

/**
 * How long a draining worker leaves its idle keep-alive connections open: a request already on
 * its way on one is still answered. 5 s, the Keep-Alive timeout the workers had until it became
 * 72 s (KEEP_ALIVE_TIMEOUT_MS), so a drain takes as long as it took then.
 */
const DRAIN_IDLE_GRACE_MS = 5000;

/** One line for the primary's log: the configuration errors (with file:line), or the error's message. */
function startFailureText(error: unknown): string {
  if (error instanceof ConfigErrors) return error.errors.map((problem) => problem.format()).join('; ');
  if (error instanceof ConfigError) return error.format();
  if (error instanceof LogConfigError || error instanceof ServerError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** How long a `/metrics` request waits for the primary's sum of every worker. */
const METRICS_TIMEOUT_MS = 10_000;

/**
 * `/metrics` in a worker: the requests land on whichever worker accepted the connection, so it
 * asks the primary, which collects and sums every worker's metrics (prom-client's aggregation).
 */
function clusterMetricsSource(): () => Promise<string> {
  let nextId = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  process.on('message', (message: unknown) => {
    const reply = asMetricsReply(message);
    const waiter = reply === null ? undefined : waiting.get(reply.id);
    if (reply === null || waiter === undefined) return;
    waiting.delete(reply.id);
    if (reply.text !== undefined) waiter.resolve(reply.text);
    else waiter.reject(new Error(reply.error ?? 'no metrics from the primary'));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not send the metrics in time'));
      }, METRICS_TIMEOUT_MS);
      const settle = {
        resolve: (text: string) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      waiting.set(id, settle);
      if (process.send === undefined) settle.reject(new Error('not a cluster worker'));
      else process.send(metricsRequest(id));
    });
}

/** Makes `dir` the working directory when it still exists (else the primary's, `/`, stays). */
function enterStartDirectory(dir: string | undefined): void {
  if (dir === undefined) return;
  try {
    process.chdir(dir);
  } catch (error) {
    log.debug(
      `worker ${String(process.pid)} cannot enter ${dir}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Serves until drained; resolves when the worker's server has closed. A worker that cannot load
 * its target or listen tells the primary why (which logs it once) and resolves without serving.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  let draining = false;
  let application: LoadedApplication | undefined;
  let server: Server;
  if (process.send !== undefined) {
    joinMetricsCluster();
    useMetricsSource(clusterMetricsSource());
  }
  try {
    enterStartDirectory(options.cwd);
    // as the primary's: the `serve` command configured it there from the same flags
    await configureServerLogging(options);
    const loaded = await loadTarget(options.target, { debug: options.debug === true });
    application = loaded;
    server = createServer((req, res) => {
      // a request on a kept-alive connection during a drain is the last on that connection
      if (draining) res.setHeader('Connection', 'close');
      loaded(req, res);
    });
    // oversized headers and the like: plain text, as the development server answers them
    server.on('clientError', answerClientError);
    applyClientLimits(server);
    await new Promise<void>((resolve, reject) => {
      const refused = (error: Error): void => {
        // the cluster's words are "bind EADDRINUSE 127.0.0.1:8080"; serve-develop's listenOn's these
        reject(
          new ServerError(
            `cannot listen on ${hostAndPort(options.bind.host, options.bind.port)}: ${error.message}`,
            'SERVER_LISTEN',
            {
              cause: error,
            },
          ),
        );
      };
      server.once('error', refused);
      server.listen(options.bind.port, options.bind.host, () => {
        server.off('error', refused);
        resolve();
      });
    });
    leaveWorkingDirectory();
  } catch (error) {
    log.debug(
      `worker ${process.pid} could not start: ${error instanceof Error ? String(error.stack) : String(error)}`,
    );
    await application?.close?.();
    const code = error instanceof ServerError && error.code === 'SERVER_LISTEN' ? error.code : undefined;
    await new Promise<void>((resolve) => {
      if (process.send === undefined) resolve();
      else
        process.send(startFailed(startFailureText(error), code), undefined, {}, () => {
          resolve();
        });
    });
    if (process.connected) process.disconnect();
    return;
  }
  const app = application;

  const closed = new Promise<void>((resolve) => {
    const drain = (): void => {
      if (draining) return;
      draining = true;
      log.info(`worker ${process.pid} draining`);
      // net.Server's close stops accepting without http's closeIdleConnections(): a client may be
      // sending on an idle keep-alive connection right now. The idle ones close a moment later,
      // not after the Keep-Alive timeout (72 s: a front server's pooled connections held every
      // drain to drainTimeoutMs); those busy now get `Connection: close` with their answer
      NetServer.prototype.close.call(server, () => {
        void (app.close?.() ?? Promise.resolve()).finally(resolve);
      });
      setTimeout(() => {
        server.closeIdleConnections();
      }, DRAIN_IDLE_GRACE_MS).unref();
      setTimeout(() => {
        server.closeAllConnections();
      }, options.drainTimeoutMs ?? 30_000).unref();
    };
    process.on('message', (message) => {
      if (isDrain(message)) drain();
    });
    process.on('SIGTERM', drain);
    process.on('SIGINT', drain);
    // the primary reloads on SIGHUP; a worker that gets one too (terminal hang-up) keeps serving
    process.on('SIGHUP', () => undefined);
  });
  await closed;
  if (process.connected) process.disconnect();
}
