/** The messages the serve primary sends to its workers over the cluster IPC channel. */

/** Stop accepting, finish the requests in flight, then exit. */
export const DRAIN = { mapproxy: 'drain' } as const;

/** True for a `DRAIN` message. */
export function isDrain(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { mapproxy?: unknown }).mapproxy === 'drain';
}
