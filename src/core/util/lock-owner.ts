/**
 * Who holds a lock directory, for waiters on the same host: the owner record beside it and whether
 * the process it names is still running. Deciding what to do about a dead owner is file-lock.ts's.
 *
 * The record is a symlink `<lock>.owner` whose target is the text (never followed). Beside the lock
 * directory, not in it: proper-lockfile releases and takes over stale locks with `rmdir`, which a
 * file inside would make fail (ENOTEMPTY), for older versions of ours too. Not in the lock's name:
 * proper-lockfile, older versions and MapProxy's naming all need the fixed `<id>-<x>-<y>-<z>.lck`.
 * A symlink is written whole in one syscall (a reader never sees half a record) and read in one.
 *
 * The record names the lock directory it belongs to (inode and birth time), because it can outlive
 * it: a holder ended by a signal has proper-lockfile's exit hook remove its lock directory but not
 * the record, and older versions take over stale locks without knowing of records. A record whose
 * directory is not the one there now describes an earlier holder, and is ignored.
 */
import { readFile, readlink, stat, symlink, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isErrno } from './errors.js';

const FORMAT = 'mapproxy-ts-lock/1';

/** `<lockPath>.owner` */
export function ownerRecordPath(lockPath: string): string {
  return `${lockPath}.owner`;
}

/**
 * `[state, starttime]` of `/proc/<pid>/stat` (fields 3 and 22; the name in field 2 may hold spaces
 * and parentheses, so fields count from its last `)`), or null when there is no such process.
 */
async function processState(pid: number | 'self'): Promise<readonly [string, string] | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${String(pid)}/stat`, 'latin1');
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ESRCH')) return null;
    throw error;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, start] = [fields[0], fields[19]];
  if (state === undefined || start === undefined) throw new Error(`unexpected /proc/${String(pid)}/stat`);
  return [state, start];
}

/**
 * Where a pid means the same process: one boot of one kernel (boot id) and one pid namespace
 * (containers on one kernel share the boot id, not the pid namespace). Hostnames are not enough:
 * containers can share one, and a host can change its own.
 */
interface Host {
  readonly bootId: string;
  readonly pidNamespace: string;
}

/** This process's identity once read (`<bootId> <pid namespace> <pid> <start>`), or null off Linux. */
let self: Promise<{ readonly host: Host; readonly text: string } | null> | undefined;
function selfIdentity(): Promise<{ readonly host: Host; readonly text: string } | null> {
  self ??= (async () => {
    try {
      const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'latin1')).trim();
      const pidNamespace = await readlink('/proc/self/ns/pid');
      const state = await processState('self');
      if (state === null || /\s/.test(bootId + pidNamespace)) return null;
      return {
        host: { bootId, pidNamespace },
        text: `${bootId} ${pidNamespace} ${String(process.pid)} ${state[1]}`,
      };
    } catch {
      return null;
    }
  })();
  return self;
}

/**
 * Writes the owner record of the lock directory `lockPath` this process has just taken, replacing a
 * leftover one. Resolves false when no record could be written (not Linux, no birth times on this
 * file system, the directory already gone): waiters then know no owner and wait for staleness.
 */
export async function writeOwnerRecord(lockPath: string): Promise<boolean> {
  const me = await selfIdentity();
  if (me === null) return false;
  const dir = await stat(lockPath, { bigint: true });
  if (dir.birthtimeNs === 0n) return false;
  // the hostname only for people reading the lock dir; it takes no part in any check
  const record = `${FORMAT} ${me.text} ${String(dir.ino)} ${String(dir.birthtimeNs)} ${hostname()}`;
  const path = ownerRecordPath(lockPath);
  try {
    await symlink(record, path);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    // an earlier holder's (see the file comment): only the holder of the lock writes here
    await unlink(path).catch(() => undefined);
    await symlink(record, path);
  }
  return true;
}

/** Removes the owner record of `lockPath`; never rejects. */
export async function removeOwnerRecord(lockPath: string): Promise<void> {
  await unlink(ownerRecordPath(lockPath)).catch(() => undefined);
}

/** The owner record of a lock whose holder died, and the lock directory's mtime (ms) when read. */
export interface DeadOwner {
  readonly record: string;
  readonly pid: number;
  readonly lockMtimeMs: number;
}

/**
 * Records whose holder was found running with the recorded start time: a waiter polls its lock up to
 * every 0.5 s, and from then on `kill(pid, 0)` (no file read) tells whether that holder is still
 * there. A pid taken by another process after the holder's death then looks alive: the stale rule.
 */
const seenRunning = new Set<string>();
const SEEN_RUNNING_MAX = 1000;

/** Whether the process `pid` of this host runs (EPERM: another user's, running). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrno(error, 'ESRCH');
  }
}

/**
 * The owner record of the lock directory `lockPath` when it names a process of this host (same boot,
 * same pid namespace) that has ended (no such pid, a zombie, or a pid reused by a process started
 * later) and belongs to the directory there now. Null otherwise: no record, another host, a
 * running holder, a record of an earlier holder or in an unknown format, anything unreadable.
 */
export async function findDeadOwner(lockPath: string): Promise<DeadOwner | null> {
  try {
    const record = await readlink(ownerRecordPath(lockPath));
    const [format, bootId, pidNamespace, pidText, start, ino, birthtimeNs] = record.split(' ');
    if (format !== FORMAT || pidText === undefined || birthtimeNs === undefined) return null;
    const me = await selfIdentity();
    if (me === null || bootId !== me.host.bootId || pidNamespace !== me.host.pidNamespace) return null;
    const pid = Number(pidText);
    if (!Number.isSafeInteger(pid) || pid <= 0) return null;
    if (isRunning(pid)) {
      if (seenRunning.has(record)) return null;
      const state = await processState(pid);
      // Z: killed but not yet reaped by its parent; X: being removed
      if (state !== null && state[1] === start && state[0] !== 'Z' && state[0] !== 'X') {
        if (seenRunning.size >= SEEN_RUNNING_MAX) seenRunning.clear();
        seenRunning.add(record);
        return null;
      }
    }
    const dir = await stat(lockPath, { bigint: true });
    if (String(dir.ino) !== ino || String(dir.birthtimeNs) !== birthtimeNs) return null;
    return { record, pid, lockMtimeMs: Number(dir.mtimeNs / 1_000_000n) };
  } catch {
    return null;
  }
}
