/**
 * Change notices for the entries of a directory (inotify through fs.watch): one watcher per
 * directory shared by every subscriber in the process, closed with the last one. Lock waiters use
 * it to retry the moment another process removes its lock instead of on their next poll.
 */
import { watch, type FSWatcher } from 'node:fs';

type Listener = (name: string | null) => void;

interface Watched {
  readonly watcher: FSWatcher;
  readonly listeners: Set<Listener>;
}

const watched = new Map<string, Watched>();

/**
 * Calls `listener` with the entry's name (null where the platform does not say) whenever an entry
 * of `dir` is created, removed or changed, until the returned function is called. Returns null when
 * `dir` cannot be watched (missing, out of inotify watches, a file system without notices): callers
 * then keep polling. A notice is a hint to look again, never proof of a change.
 */
export function watchDirectory(dir: string, listener: Listener): (() => void) | null {
  let entry = watched.get(dir);
  if (entry === undefined) {
    let watcher: FSWatcher;
    try {
      // inotify_add_watch: registers the directory with the kernel, no disk I/O to wait on;
      // not persistent, so a waiting lock never keeps the process alive
      watcher = watch(dir, { persistent: false });
    } catch {
      return null;
    }
    const listeners = new Set<Listener>();
    const created: Watched = { watcher, listeners };
    watcher.on('change', (_kind, name: string | Buffer | null) => {
      // null on platforms that do not name the entry
      const entryName = name === null ? null : name.toString();
      for (const notify of [...listeners]) notify(entryName);
    });
    // the directory went away (or the watch broke): subscribers fall back to their timers
    watcher.on('error', () => {
      watcher.close();
      if (watched.get(dir) === created) watched.delete(dir);
    });
    watched.set(dir, created);
    entry = created;
  }
  const current = entry;
  current.listeners.add(listener);
  return () => {
    if (!current.listeners.delete(listener) || current.listeners.size > 0) return;
    current.watcher.close();
    if (watched.get(dir) === current) watched.delete(dir);
  };
}

/** Directories watched right now in this process (tests: every watch is closed again). */
export function watchedDirectoryCount(): number {
  return watched.size;
}
