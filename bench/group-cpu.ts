/**
 * CPU time of a process group from /proc (user + system, every process and thread): what a server
 * spent, independent of the other load on a shared machine.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** The fields of a /proc stat file after the command name: [0] is the state, [2] the group. */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The pids of group `pgid`'s processes. */
function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(`/proc/${entry}/stat`)[2]) === pgid) pids.push(Number(entry));
    } catch {
      // ended between the listing and the read
    }
  }
  return pids;
}

/** User + system CPU in ms of every process in group `pgid` (all their threads). */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const pid of groupPids(pgid)) {
    try {
      const fields = statFields(`/proc/${String(pid)}/stat`);
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended between the listing and the read
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** What one thread has spent so far: CPU in ms (all, and in the kernel) and minor page faults. */
export interface ThreadStat {
  readonly pid: number;
  readonly tid: number;
  readonly cpuMs: number;
  readonly systemMs: number;
  readonly minorFaults: number;
}

/** Every thread of every process in group `pgid`, by `pid/tid`. A thread that ended is not listed. */
export function groupThreadStats(pgid: number): Map<string, ThreadStat> {
  const stats = new Map<string, ThreadStat>();
  for (const pid of groupPids(pgid)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${String(pid)}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const fields = statFields(`/proc/${String(pid)}/task/${tid}/stat`);
        const [user, system] = [Number(fields[11]), Number(fields[12])];
        stats.set(`${String(pid)}/${tid}`, {
          pid,
          tid: Number(tid),
          cpuMs: ((user + system) * 1000) / TICKS_PER_SECOND,
          systemMs: (system * 1000) / TICKS_PER_SECOND,
          minorFaults: Number(fields[7]),
        });
      } catch {
        // ended between the listing and the read
      }
    }
  }
  return stats;
}
