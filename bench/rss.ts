/**
 * Peak resident memory of a server's worker processes, sampled from /proc while a scenario runs
 * (Linux only; elsewhere the figure is NaN).
 */
import { readdirSync, readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;

/** RSS in bytes of every process in group `pgid`, the group leader (primary, gunicorn master) apart. */
function workerRss(pgid: number): number[] {
  const sizes: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return sizes;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === pgid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      sizes.push(Number(readFileSync(`/proc/${entry}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return sizes;
}

/** Samples every `intervalMs` until `stop()`, which returns the largest worker RSS seen in MB. */
export function sampleWorkerRss(pgid: number, intervalMs = 250): { stop(): number } {
  let peak = 0;
  const sample = () => {
    for (const rss of workerRss(pgid)) peak = Math.max(peak, rss);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak > 0 ? peak / 1024 / 1024 : NaN;
    },
  };
}
