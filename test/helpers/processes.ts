/** What the tests read from /proc about the processes they start. */
import { readdir, readFile } from 'node:fs/promises';

/** Pids of the `serve` processes whose parent is `pid` (the primary's workers, not tsx's esbuild), from /proc. */
export async function childPids(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (ppid === pid && argv.includes('serve')) children.push(Number(entry));
  }
  return children.sort((a, b) => a - b);
}

/** Whether process `pid` still exists (a zombie counts as gone). */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}
