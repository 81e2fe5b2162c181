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
