/**
 * Cross-process locks as proper-lockfile directories: one non-blocking attempt (`tryLockFile`) and
 * a polling wait (`pollFor`). A lock whose holder died goes stale and is taken over.
 */
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { ensureDirectory } from './make-directory.js';

export interface FileLockOptions {
  /**
   * A lock whose holder stopped refreshing it for this long is taken over (a killed process).
   * Holders refresh every `staleMs / 2`; proper-lockfile needs at least 2000.
   */
  readonly staleMs: number;
  /** Called when a held lock was lost (refresh failed, taken over). Default: ignored. */
  readonly onCompromised?: ((error: Error) => void) | undefined;
  /** Creates the missing parent directory of the lock. Default: `mkdir -p`. */
  readonly createParent?: ((dir: string) => Promise<void>) | undefined;
}

/** Gives a held lock back; never rejects. */
export type FileLockRelease = () => Promise<void>;

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/**
 * One attempt to take the lock `path` (a directory; its parent directory is created when missing).
 * Resolves with the release function, or `null` while someone else holds a lock that is not stale.
 * Rejects with the file system error (or `createParent`'s) when the lock directory cannot be created.
 */
export async function tryLockFile(path: string, options: FileLockOptions): Promise<FileLockRelease | null> {
  const lockOptions = {
    realpath: false,
    lockfilePath: path,
    stale: Math.max(options.staleMs, 2000),
    retries: 0,
    // proper-lockfile's default throws from a timer and would crash the process
    onCompromised: options.onCompromised ?? (() => undefined),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const release = await lockfile.lock(path, lockOptions);
      return () => release().catch(() => undefined);
    } catch (error) {
      if (isErrno(error, 'ELOCKED')) return null;
      if (!isErrno(error, 'ENOENT') || attempt >= 2) throw error;
      await (options.createParent ?? ensureDirectory)(dirname(path));
    }
  }
}

const FIRST_POLL_MS = 10; // MapProxy polls every 10 ms; we back off from there
const MAX_POLL_MS = 100;

/**
 * Calls `attempt` until it resolves with something other than `null`, waiting 10 ms at first and
 * up to 100 ms between attempts. Resolves `null` once `timeoutMs` has passed (default: never).
 * Rejects with the signal's reason when `signal` aborts, and with `attempt`'s errors.
 */
export async function pollFor<T>(
  attempt: () => Promise<T | null>,
  options: { readonly timeoutMs?: number | undefined; readonly signal?: AbortSignal | undefined } = {},
): Promise<T | null> {
  const { signal } = options;
  const deadline = Date.now() + (options.timeoutMs ?? Infinity);
  for (let pollMs = FIRST_POLL_MS; ; pollMs = Math.min(pollMs * 2, MAX_POLL_MS)) {
    signal?.throwIfAborted();
    const result = await attempt();
    if (result !== null) return result;
    const left = deadline - Date.now();
    if (left <= 0) return null;
    try {
      await delay(Math.min(pollMs, left), undefined, { signal });
    } catch (error) {
      signal?.throwIfAborted(); // the signal's reason rather than the timer's AbortError
      throw error;
    }
  }
}
