/**
 * A timed load run on one server by the generator the options name (wrk: a separate process;
 * autocannon: inside the bench process), with the server's CPU per response read from /proc.
 */
import { groupCpuMs } from './group-cpu.js';
import { timedRun, type Measurement } from './measure.js';
import type { BenchOptions } from './options.js';
import { wrkRun } from './wrk.js';

/** Where load goes: the server's URL and its process group, whose CPU is counted. */
export interface LoadTarget {
  readonly url: string;
  readonly pid: number;
}

/**
 * `run` with the CPU that process group `pid` spent meanwhile, per response: unlike req/s it
 * hardly moves with the other load of a shared machine.
 */
export async function withServerCpu(pid: number, run: () => Promise<Measurement>): Promise<Measurement> {
  const before = groupCpuMs(pid);
  const measurement = await run();
  return { ...measurement, cpuMsPerRequest: (groupCpuMs(pid) - before) / measurement.requests };
}

/**
 * `options.connections` clients for `options.durationSeconds` rotating over `paths` of `server`,
 * after `warmUpSeconds` of the same load that is not measured (see `BenchOptions.warmUpSeconds`).
 */
export async function timedLoad(
  server: LoadTarget,
  paths: readonly string[],
  options: Pick<BenchOptions, 'load' | 'durationSeconds' | 'connections'>,
  warmUpSeconds = 0,
): Promise<Measurement> {
  const { connections } = options;
  const run = async (durationSeconds: number): Promise<Measurement> =>
    options.load === 'wrk'
      ? wrkRun(server.url, paths, { durationSeconds, connections })
      : {
          ...(await timedRun(server.url, paths, durationSeconds, connections)),
          load: `autocannon -c ${connections} in the bench process`,
        };
  if (warmUpSeconds > 0) await run(warmUpSeconds);
  return withServerCpu(server.pid, () => run(options.durationSeconds));
}
