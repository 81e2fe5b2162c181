/**
 * This process's share of the machine's cores. `mapproxy-util serve -w N` starts N processes on
 * one machine; each sizing its thread pools for every core would put N times too many threads on
 * them. The primary tells its workers how many they are (`MAPPROXY_TS_PROCESSES`).
 */
import { availableParallelism } from 'node:os';

/** The environment variable through which `serve` tells its workers how many processes share the machine. */
export const PROCESSES_ENV = 'MAPPROXY_TS_PROCESSES';

/** Cores for this process: all of them, divided among the `serve` workers; at least 1. */
export function processCores(env: NodeJS.ProcessEnv = process.env): number {
  const processes = Number(env[PROCESSES_ENV] ?? 1);
  const share = Number.isFinite(processes) && processes >= 1 ? Math.floor(processes) : 1;
  return Math.max(1, Math.floor(availableParallelism() / share));
}
