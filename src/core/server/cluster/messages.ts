/** The messages between the serve primary and its workers over the cluster IPC channel. */

/** Primary → worker: stop accepting, finish the requests in flight, then exit. */
export const DRAIN = { mapproxy: 'drain' } as const;

/** True for a `DRAIN` message. */
export function isDrain(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { mapproxy?: unknown }).mapproxy === 'drain';
}

/** Worker → primary: the worker could not start (broken configuration, unusable script) and exits. */
export function startFailed(reason: string): { readonly mapproxy: 'start-failed'; readonly reason: string } {
  return { mapproxy: 'start-failed', reason };
}

/** The reason of a `startFailed` message; null for any other message. */
export function startFailureReason(message: unknown): string | null {
  if (typeof message !== 'object' || message === null) return null;
  const { mapproxy, reason } = message as { mapproxy?: unknown; reason?: unknown };
  return mapproxy === 'start-failed' && typeof reason === 'string' ? reason : null;
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
