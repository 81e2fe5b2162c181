/**
 * `concurrent_requests`: an in-process counting semaphore per upstream `host:port`.
 * MapProxy also limits across processes with lock files in `globals.cache.lock_dir`
 * (`<md5(host:port)>.lck<i>`); we do not yet, so N server processes may send N times the limit.
 */

interface Waiter {
  readonly limit: number;
  readonly resolve: () => void;
}

class Semaphore {
  inFlight = 0;
  readonly waiters: Waiter[] = [];
}

const semaphores = new Map<string, Semaphore>();

/**
 * Waits until fewer than `limit` requests to `hostKey` are in flight, then takes a slot. Resolves
 * with the release function (call it exactly once). Each caller brings its own limit, as
 * MapProxy's lock files are shared by all sources of a host. Rejects with the signal's reason
 * when `signal` aborts while waiting.
 */
export async function acquireHostSlot(
  hostKey: string,
  limit: number,
  signal?: AbortSignal,
): Promise<() => void> {
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

/** Requests holding a slot for `hostKey` and requests waiting for one (diagnostics, tests). */
export function hostSlotUsage(hostKey: string): { inFlight: number; waiting: number } {
  const sem = semaphores.get(hostKey);
  return { inFlight: sem?.inFlight ?? 0, waiting: sem?.waiters.length ?? 0 };
}
