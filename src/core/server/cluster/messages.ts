/** The messages between the serve primary and its workers over the cluster IPC channel. */

/** Primary → worker: stop accepting, finish the requests in flight, then exit. */
export const DRAIN = { mapproxy: 'drain' } as const;

/** True for a `DRAIN` message. */
export function isDrain(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { mapproxy?: unknown }).mapproxy === 'drain';
}

/** How a worker failed to start: its address could not be listened on, or anything else. */
export type StartFailureCode = 'SERVER_LISTEN' | 'SERVER_WORKER_FAILED';

/**
 * Worker → primary: the worker could not start (broken configuration, unusable script, an
 * address in use) and exits.
 */
export function startFailed(
  reason: string,
  code: StartFailureCode = 'SERVER_WORKER_FAILED',
): { readonly mapproxy: 'start-failed'; readonly reason: string; readonly code: StartFailureCode } {
  return { mapproxy: 'start-failed', reason, code };
}

/** The reason and code of a `startFailed` message; null for any other message. */
export function startFailure(message: unknown): { reason: string; code: StartFailureCode } | null {
  if (typeof message !== 'object' || message === null) return null;
  const { mapproxy, reason, code } = message as { mapproxy?: unknown; reason?: unknown; code?: unknown };
  if (mapproxy !== 'start-failed' || typeof reason !== 'string') return null;
  return { reason, code: code === 'SERVER_LISTEN' ? code : 'SERVER_WORKER_FAILED' };
}

/** Worker → primary: a `/metrics` request landed here; send every worker's metrics, summed. */
export function metricsRequest(id: number): { readonly mapproxy: 'metrics-request'; readonly id: number } {
  return { mapproxy: 'metrics-request', id };
}

/** The id of a `metricsRequest` message; null for any other message. */
export function metricsRequestId(message: unknown): number | null {
  if (typeof message !== 'object' || message === null) return null;
  const { mapproxy, id } = message as { mapproxy?: unknown; id?: unknown };
  return mapproxy === 'metrics-request' && typeof id === 'number' ? id : null;
}

/** Primary → worker: the answer to `metricsRequest` `id`: the text, or why there is none. */
export interface MetricsReply {
  readonly mapproxy: 'metrics';
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

/** The `MetricsReply` in `message`; null for any other message. */
export function asMetricsReply(message: unknown): MetricsReply | null {
  if (typeof message !== 'object' || message === null) return null;
  const reply = message as Partial<MetricsReply>;
  return reply.mapproxy === 'metrics' && typeof reply.id === 'number' ? (reply as MetricsReply) : null;
}
