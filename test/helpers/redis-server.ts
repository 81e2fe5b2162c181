/**
 * A real, throwaway `redis-server` for one test: on a free port picked here (never `--port 0`),
 * without persistence, stopped in `t.after` (or by its caller: `spawnRedis`, used by the bench).
 * Tests gate on `needs('redis-server')`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { atTestEnd } from './test-end.js';

export interface RunningRedis {
  readonly host: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Sends one inline command (`PING`, `KEYS *`) and returns the raw RESP reply. */
  command(line: string): Promise<string>;
  /** Stops the server (also done in `t.after`); resolves once it has exited. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago: bound on port 0 by a throwaway server, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/** One inline command over a fresh socket; resolves with the reply's first chunk(s) up to a newline. */
export async function redisCommand(port: number, line: string, host = '127.0.0.1'): Promise<string> {
  const socket = createConnection({ host, port });
  try {
    await once(socket, 'connect');
    socket.write(`${line}\r\n`);
    let reply = '';
    for await (const chunk of socket) {
      reply += (chunk as Buffer).toString('latin1');
      if (isComplete(reply)) break;
    }
    return reply;
  } finally {
    socket.destroy();
  }
}

/** True when `reply` holds one whole RESP value (simple, error, integer, bulk or a flat array). */
function isComplete(reply: string): boolean {
  let at = 0;
  const value = (): boolean => {
    const end = reply.indexOf('\r\n', at);
    if (end < 0) return false;
    const head = reply.slice(at, end);
    at = end + 2;
    const type = head[0];
    if (type === '$') {
      const size = Number(head.slice(1));
      if (size < 0) return true;
      if (reply.length < at + size + 2) return false;
      at += size + 2;
      return true;
    }
    if (type === '*') {
      const count = Number(head.slice(1));
      for (let i = 0; i < count; i++) if (!value()) return false;
      return true;
    }
    return true;
  };
  return value();
}

/**
 * Starts `redis-server` on a free port (or `options.port`, to restart one) with `options.args`
 * added, waits until it answers PING and stops it in `t.after`.
 */
export async function startRedis(
  t: TestContext,
  options: { readonly port?: number; readonly args?: readonly string[] } = {},
): Promise<RunningRedis> {
  const redis = await spawnRedis(options);
  atTestEnd(t, () => redis.stop());
  return redis;
}

/**
 * `startRedis` without a test: the caller stops the server (the bench runs one per target).
 * Stopped here already when it never answers.
 */
export async function spawnRedis(
  options: { readonly port?: number; readonly args?: readonly string[] } = {},
): Promise<RunningRedis> {
  const port = options.port ?? (await freePort());
  const extraArgs = options.args ?? [];
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  try {
    // PING until it answers (the server needs a few ms to listen); give up when it exits. With
    // --requirepass the answer is NOAUTH, which says as much
    for (let attempt = 0; ; attempt++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      const reply = await redisCommand(port, 'PING').catch((error: unknown) => String(error));
      if (reply.startsWith('+PONG') || reply.startsWith('-NOAUTH')) break;
      if (attempt > 200)
        throw new Error(`redis-server did not answer on ${String(port)}: ${reply}\n${output}`);
      await delay(25);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: '127.0.0.1', port, process: child, command: (line) => redisCommand(port, line), stop };
}
