/**
 * `concurrent_requests`: a counting semaphore per upstream `host:port`. An in-process queue (FIFO,
 * no file work while waiting) in front of slot lock files that hold the limit across processes.
 */
import { acquireSlotFile } from './host-slot-files.js';

interface Waiter {
  readonly limit: number;
  readonly resolve: () => void;
}

class Semaphore {
  inFlight = 0;
  readonly waiters: Waiter[] = [];
}

const semaphores = new Map<string, Semaphore>();

export interface HostSlotOptions {
  /**
   * `globals.cache.lock_dir`: also take one of the slot files `<md5(hostKey)>.lck<i>` (i < limit)
   * there, so that all processes sharing the directory stay within the limit together.
   * Without it the limit holds in this process only.
   */
  readonly lockDir?: string | undefined;
  /** Gives up waiting (MapProxy waits `http.client_timeout` for a slot). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Waits until fewer than `limit` requests to `hostKey` are in flight (in this process and, with
 * `lockDir`, in every process using that directory), then takes a slot. Resolves with the release
 * function (call it once; it never rejects). Each caller brings its own limit, as MapProxy's slot
 * files are shared by all sources of a host. Rejects with the signal's reason when `signal` aborts
 * while waiting, or with the file system error when `lockDir` is unusable.
 */
export async function acquireHostSlot(
  hostKey: string,
  limit: number,
  options: HostSlotOptions = {},
): Promise<() => Promise<void>> {
  const { lockDir, signal } = options;
  // 1. queue in this process first: waiting here costs no file system polling
  const releaseLocal = await acquireLocalSlot(hostKey, limit, signal);
  if (lockDir === undefined) {
    return () => {
      releaseLocal();
      return Promise.resolve();
    };
  }
  // 2. then a slot file; it is free at once unless other processes hold slots of this host
  let releaseFile: () => Promise<void>;
  try {
    releaseFile = await acquireSlotFile(lockDir, hostKey, limit, signal);
  } catch (error) {
    releaseLocal();
    throw error;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // 3. the file first, so the next local waiter finds a free slot file
    await releaseFile();
    releaseLocal();
  };
}

async function acquireLocalSlot(hostKey: string, limit: number, signal?: AbortSignal): Promise<() => void> {
  let semaphore = semaphores.get(hostKey);
  if (semaphore === undefined) {
    semaphore = new Semaphore();
    semaphores.set(hostKey, semaphore);
  }
  const sem = semaphore;
  signal?.throwIfAborted();
  if (sem.inFlight < limit) {
    sem.inFlight += 1;
  } else {
    // the slot is counted by `wakeWaiters` when it hands it over
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        limit,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = sem.waiters.indexOf(waiter);
        if (index >= 0) sem.waiters.splice(index, 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      sem.waiters.push(waiter);
    });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    sem.inFlight -= 1;
    wakeWaiters(hostKey, sem);
  };
}

function wakeWaiters(hostKey: string, sem: Semaphore): void {
  // hand free slots to waiters in arrival order, counting each slot before the waiter resumes
  for (let i = 0; i < sem.waiters.length;) {
    const waiter = sem.waiters[i];
    if (waiter !== undefined && sem.inFlight < waiter.limit) {
      sem.waiters.splice(i, 1);
      sem.inFlight += 1;
      waiter.resolve();
    } else {
      i += 1;
    }
  }
  if (sem.inFlight === 0 && sem.waiters.length === 0) semaphores.delete(hostKey);
}

/** Requests of this process holding a slot for `hostKey` or waiting for one (diagnostics, tests). */
export function hostSlotUsage(hostKey: string): { inFlight: number; waiting: number } {
  const sem = semaphores.get(hostKey);
  return { inFlight: sem?.inFlight ?? 0, waiting: sem?.waiters.length ?? 0 };
}
