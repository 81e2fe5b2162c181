/**
 * The cross-process half of `concurrent_requests`: slot lock files `<lock_dir>/<md5(host:port)>.lck<i>`,
 * i < limit, as MapProxy's `util/lock.py` SemLock (there `fcntl.flock` files, here lock directories).
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { getLogger, pollFor, tryLockFile, wakeOnEntry, type FileLockRelease } from '../util/index.js';

const log = getLogger('mapproxy.client.lock');

/**
 * A slot whose process died is taken over after this long (MapProxy's flock is freed by the OS at
 * once); holders refresh their slot every 5 s. One whose holder died on this host is taken over at
 * once (its owner record, util's tryLockFile).
 */
export const SLOT_STALE_MS = 10_000;

/** Slot indices this process holds (or is trying), per slot file prefix; one small set per host. */
const heldHere = new Map<string, Set<number>>();

/** `<lockDir>/<md5 of hostKey>.lck`, the prefix of the slot files (MapProxy hashes the URL's netloc). */
export function slotFilePrefix(lockDir: string, hostKey: string): string {
  return join(lockDir, `${createHash('md5').update(hostKey).digest('hex')}.lck`);
}

/**
 * Waits for one of the slot files `0 … limit-1` of `hostKey` that no process holds, polling while
 * all are taken and trying again at once when a holder on this host removes its slot. `pollMs` is
 * pollFor's `[first, max]` wait between attempts. Rejects with the signal's reason when `signal`
 * aborts, or with the file system error when `lockDir` cannot be created.
 */
export async function acquireSlotFile(
  lockDir: string,
  hostKey: string,
  limit: number,
  signal?: AbortSignal,
  pollMs?: readonly [first: number, max: number],
): Promise<FileLockRelease> {
  const prefix = slotFilePrefix(lockDir, hostKey);
  const slotNames = basename(prefix);
  const release = await pollFor(() => tryFreeSlot(prefix, limit), {
    signal,
    pollMs,
    // a slot freed by another worker is taken now, not up to a poll interval later (10-100 ms: at
    // concurrent_requests 1 the upstream sat idle that long between two workers' requests);
    // polling stays for holders that die (stale slots) and where the directory cannot be watched
    wakeOn: wakeOnEntry(lockDir, (entry) => isSlotEntry(entry, slotNames)),
  });
  // pollFor without a timeout only ends with a slot or a rejection
  if (release === null) throw new Error('unreachable: slot poll without timeout');
  return release;
}

/** A slot `<prefix><i>` itself, not the owner record `<prefix><i>.owner` its holder writes beside it. */
function isSlotEntry(entry: string, slotNames: string): boolean {
  return entry.startsWith(slotNames) && /^\d+$/.test(entry.slice(slotNames.length));
}

async function tryFreeSlot(prefix: string, limit: number): Promise<FileLockRelease | null> {
  let held = heldHere.get(prefix);
  if (held === undefined) {
    held = new Set();
    heldHere.set(prefix, held);
  }
  // MapProxy starts at a random slot, so processes do not all contend for slot 0
  const start = Math.floor(Math.random() * limit);
  for (let n = 0; n < limit; n++) {
    const index = (start + n) % limit;
    if (held.has(index)) continue;
    held.add(index);
    let release: FileLockRelease | null = null;
    try {
      release = await tryLockFile(`${prefix}${index}`, {
        staleMs: SLOT_STALE_MS,
        onCompromised: (error) => {
          log.warn(`concurrent_requests slot ${prefix}${index} lost: ${error.message}`);
        },
      });
    } finally {
      if (release === null) held.delete(index);
    }
    if (release !== null) {
      const unlock = release;
      return async () => {
        await unlock();
        held.delete(index);
      };
    }
  }
  return null;
}
