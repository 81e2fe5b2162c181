/**
 * CPU time of a process group from /proc (user + system, every process and thread): what a server
 * spent, independent of the other load on a shared machine.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** User + system CPU in ms of every process in group `pgid` (all their threads). */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended between the listing and the read
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
