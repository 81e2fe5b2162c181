/**
 * Cross-process locks as proper-lockfile directories: one non-blocking attempt (`tryLockFile`) and
 * a polling wait (`pollFor`, cut short by change notices). A lock whose holder died on this host is
 * taken over at once (its owner record, lock-owner.ts); any other goes stale and is taken over then.
 */
import { rmdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { watchDirectory } from './directory-watch.js';
import { findDeadOwner, removeOwnerRecord, writeOwnerRecord, type DeadOwner } from './lock-owner.js';
import { getLogger } from './log.js';
import { ensureDirectory } from './make-directory.js';
import { isErrno } from './errors.js';

const log = getLogger('mapproxy.lock');

/**
 * proper-lockfile (and the graceful-fs it patches in) is loaded with the first lock: every command
 * imports this module through util/, and most (grids, scales, check, create) never lock.
 */
let loaded: Promise<typeof import('proper-lockfile')> | undefined;
function properLockfile(): Promise<typeof import('proper-lockfile')> {
  loaded ??= import('proper-lockfile');
  return loaded;
}

/** Loads proper-lockfile now (a `serve` worker before it listens), not with the first lock. */
export async function preloadFileLocks(): Promise<void> {
  await properLockfile();
}

export interface FileLockOptions {
  /**
   * A lock whose holder stopped refreshing it for this long is taken over (a killed process of
   * another host, or of no known owner). Holders refresh every `staleMs / 2`; proper-lockfile needs
   * at least 2000.
   */
  readonly staleMs: number;
  /** Called when a held lock was lost (refresh failed, taken over). Default: ignored. */
  readonly onCompromised?: ((error: Error) => void) | undefined;
  /** Creates the missing parent directory of the lock. Default: `mkdir -p`. */
  readonly createParent?: ((dir: string) => Promise<void>) | undefined;
}

/** Gives a held lock back; never rejects. */
export type FileLockRelease = () => Promise<void>;

/**
 * One attempt to take the lock `path` (a directory; its parent directory is created when missing).
 * Resolves with the release function, or `null` while someone else holds a lock that is not stale.
 * A lock whose owner record names a process of this host that has ended (`kill -9`, the OOM killer)
 * is taken over at once, by one waiter of those finding it together; other locks (other hosts,
 * older versions, no record) only once stale. Rejects with the file system error (or
 * `createParent`'s) when the lock directory cannot be created.
 */
export async function tryLockFile(path: string, options: FileLockOptions): Promise<FileLockRelease | null> {
  const release = await lockOnce(path, options);
  if (release !== null) return release;
  const dead = await findDeadOwner(path);
  return dead === null ? null : takeOverFromDead(path, dead, options);
}

async function lockOnce(path: string, options: FileLockOptions): Promise<FileLockRelease | null> {
  let compromised = false;
  const lockOptions = {
    realpath: false,
    lockfilePath: path,
    stale: Math.max(options.staleMs, 2000),
    retries: 0,
    // proper-lockfile's default throws from a timer and would crash the process
    onCompromised: (error: Error) => {
      compromised = true;
      options.onCompromised?.(error);
    },
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const release = await (await properLockfile()).lock(path, lockOptions);
      const taken = await lockDirectoryId(path);
      const recorded = await writeOwnerRecord(path).catch(() => false);
      return async () => {
        // proper-lockfile releases whatever lock of this process is known under `path` now: when
        // ours was removed under us (a cleanup removing the level that holds a compact bundle's
        // lock) and another task here took the name again, ours would remove that one's directory,
        // and two writers would share the bundle. A lock that is no longer ours stays.
        if (compromised || taken === null || (await lockDirectoryId(path)) !== taken) return;
        // the record before the directory: a holder killed in between leaves a lock without a
        // record (stale rule), never a record a later holder of that name could be judged by.
        // A lost lock's record is its new holder's
        if (recorded) await removeOwnerRecord(path);
        await release().catch(() => undefined);
      };
    } catch (error) {
      if (isErrno(error, 'ELOCKED')) return null;
      if (!isErrno(error, 'ENOENT') || attempt >= 2) throw error;
      await (options.createParent ?? ensureDirectory)(dirname(path));
    }
  }
}

/**
 * The lock directory's inode and birth time (0 where the file system has none), which a directory
 * made again at `path` does not share; null when gone. Not its change time: the holder's refresh
 * (utimes) changes that.
 */
async function lockDirectoryId(path: string): Promise<string | null> {
  const dir = await stat(path, { bigint: true }).catch(() => null);
  return dir === null ? null : `${String(dir.ino)} ${String(dir.birthtimeNs)}`;
}

/**
 * No takeover of a dead holder's lock this close (ms) to its going stale: proper-lockfile's own
 * takeover (ours, or an older version's) may then be under way, and the two would not see each other.
 */
const STALE_MARGIN_MS = 1000;

/**
 * Takes over the lock `path` of the dead holder `dead` when no other waiter does so at the same
 * time: the waiters claim the takeover with the lock `<path>.takeover`, and the winner checks again
 * under it that the same record is there before it removes the lock; the others resolve null and
 * wait on for the lock (then the winner's). Resolves as `lockOnce`.
 */
async function takeOverFromDead(
  path: string,
  dead: DeadOwner,
  options: FileLockOptions,
): Promise<FileLockRelease | null> {
  const staleMs = Math.max(options.staleMs, 2000);
  const claimPath = `${path}.takeover`;
  let claim: () => Promise<void>;
  try {
    // locked under its own name: proper-lockfile keeps its held locks by that name, and would
    // give this claim's release the lock of `path` that someone here may take meanwhile
    claim = await (
      await properLockfile()
    ).lock(claimPath, {
      realpath: false,
      lockfilePath: claimPath,
      stale: staleMs,
      retries: 0,
      onCompromised: () => undefined,
    });
  } catch {
    // ELOCKED: another waiter is at it; anything else: the stale rule stays
    return null;
  }
  try {
    const now = await findDeadOwner(path);
    if (now?.record !== dead.record || Date.now() - now.lockMtimeMs > staleMs - STALE_MARGIN_MS) return null;
    await removeOwnerRecord(path);
    await rmdir(path).catch((error: unknown) => {
      if (!isErrno(error, 'ENOENT')) throw error;
    });
  } catch {
    return null;
  } finally {
    await claim().catch(() => undefined);
  }
  log.info(`took over lock ${path} of process ${String(dead.pid)}, which has ended`);
  return lockOnce(path, options);
}

const FIRST_POLL_MS = 10; // MapProxy polls every 10 ms; we back off from there
const MAX_POLL_MS = 100;
/**
 * The longest wait between attempts while `wakeOn` delivers notices: a release on this host ends
 * the wait at once, so the timer only serves holders that send none (another host on NFS, a
 * crashed holder going stale), which are then seen up to this late. A serve worker waiting 1-2 s
 * for another's meta tile made ~18 failed attempts (mkdir and stat each) at 100 ms; at 500 ms
 * about 8 (issue 13).
 */
const MAX_WATCHED_POLL_MS = 500;

export interface PollOptions {
  /** Give up (resolve null) after this long; default never. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * Subscribes to hints that another attempt may now succeed (a lock file removed): `notify` cuts
   * the current wait short. Returns the unsubscribe function, or null when no hints can be had
   * (then only the timer wakes). Subscribed after the first failed attempt, unsubscribed at the end.
   */
  readonly wakeOn?: ((notify: () => void) => (() => void) | null) | undefined;
  /**
   * `[first, max]` ms between attempts without a notice, doubling; default `[10, 100]`. While
   * `wakeOn`'s subscription stands the doubling goes on up to 500 ms (never below max).
   */
  readonly pollMs?: readonly [first: number, max: number] | undefined;
}

/**
 * A `wakeOn` for `pollFor` that watches `dir` and notifies when an entry `matches` goes or comes
 * (the lock or slot a holder on this host just removed), or when the platform does not name the
 * entry. Subscribing answers null (the timer alone then) when `dir` cannot be watched.
 */
export function wakeOnEntry(
  dir: string,
  matches: (entry: string) => boolean,
): NonNullable<PollOptions['wakeOn']> {
  return (notify) =>
    watchDirectory(dir, (entry) => {
      if (entry === null || matches(entry)) notify();
    });
}

/**
 * Calls `attempt` until it resolves with something other than `null`, waiting 10 ms at first and
 * up to 100 ms between attempts (500 ms while subscribed through `wakeOn`), or less when `wakeOn`
 * notifies. Resolves `null` once `timeoutMs` has passed (default: never). Rejects with the
 * signal's reason when `signal` aborts, and with `attempt`'s errors.
 */
export async function pollFor<T>(
  attempt: () => Promise<T | null>,
  options: PollOptions = {},
): Promise<T | null> {
  const { signal } = options;
  const deadline = Date.now() + (options.timeoutMs ?? Infinity);
  const wake = new Wake();
  let unsubscribe: (() => void) | null | undefined;
  const [firstMs, maxMs] = options.pollMs ?? [FIRST_POLL_MS, MAX_POLL_MS];
  const watchedMaxMs = Math.max(maxMs, MAX_WATCHED_POLL_MS);
  try {
    for (let pollMs = firstMs; ; pollMs = Math.min(pollMs * 2, unsubscribe ? watchedMaxMs : maxMs)) {
      signal?.throwIfAborted();
      // a notice that arrives while the attempt runs is kept: the next wait is then skipped
      wake.reset();
      const result = await attempt();
      if (result !== null) return result;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      if (unsubscribe === undefined && options.wakeOn !== undefined) {
        unsubscribe = options.wakeOn(wake.notify);
        // what changed between the failed attempt and the subscription sent no notice: look again
        if (unsubscribe !== null) continue;
      }
      await wake.wait(Math.min(pollMs, left), signal);
    }
  } finally {
    unsubscribe?.();
  }
}

/** The wait between attempts, cut short by `notify`; a notice while not waiting skips the next wait. */
class Wake {
  #noticed = false;
  #cut: (() => void) | null = null;

  readonly notify = (): void => {
    this.#noticed = true;
    this.#cut?.();
  };

  reset(): void {
    this.#noticed = false;
  }

  /** Resolves after `ms`, at a notice or an abort, or at once when a notice came since `reset`. */
  wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#noticed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // the timer, a notice or an abort ends the wait; after an abort the loop throws the
      // signal's reason (throwIfAborted)
      const done = (): void => {
        clearTimeout(timer);
        this.#cut = null;
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#cut = done;
      if (signal?.aborted === true) done();
      else signal?.addEventListener('abort', done, { once: true });
    });
  }
}
