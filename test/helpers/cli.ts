/**
 * Runs the real `mapproxy-util` CLI and captures stdout, stderr and the exit code: in-process
 * through oclif (`runCommand`, fast), or as a child process of bin/dev.js (`runCli`) for what needs
 * its own process (stdin, signals, servers that keep running, process-wide logging setup).
 */
import { spawn } from 'node:child_process';
import { Console } from 'node:console';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Config, run } from '@oclif/core';
import { Exit, handle } from '@oclif/core/handle';
import { fileURLToPath } from 'node:url';

export const DEV_BIN = fileURLToPath(new URL('../../bin/dev.js', import.meta.url));
/** tsx's loader as an absolute URL, so the CLI also runs with a cwd outside the repository. */
const TSX_LOADER = import.meta.resolve('tsx');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs `mapproxy-util ARGS...` and resolves when it exits; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, '--no-warnings', DEV_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let config: Promise<Config> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** oclif's configuration as bin/dev.js loads it: the commands from src/, run through tsx. */
function loadOclifConfig(): Promise<Config> {
  config ??= (async () => {
    const pjson = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { oclif: { commands: string } };
    pjson.oclif.commands = './src/commands';
    return Config.load({ root: ROOT, pjson } as unknown as Parameters<typeof Config.load>[0]);
  })();
  return config;
}

/**
 * Runs `mapproxy-util ARGS...` in this process, as bin/run.js would (an error is printed the way
 * oclif's `handle` prints it, and its exit code is returned instead of exiting). `cwd` and `env`
 * apply while the command runs; calls are serialised, since both and the captured streams are
 * process-wide. Never rejects on a non-zero exit.
 */
export function runCommand(
  args: readonly string[],
  options: Omit<CliOptions, 'timeoutMs'> = {},
): Promise<CliResult> {
  const result = queue.then(() => runCommandNow(args, options));
  queue = result.catch(() => undefined);
  return result;
}

async function runCommandNow(
  args: readonly string[],
  options: Omit<CliOptions, 'timeoutMs'>,
): Promise<CliResult> {
  const oclif = await loadOclifConfig();
  const cwd = process.cwd();
  const env = { NO_COLOR: '1', ...options.env };
  const savedEnv = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const { argv, exitCode } = process;
  const exit = Exit.exit.bind(Exit);
  const saved = {
    console: globalThis.console,
    stdout: describeStream('stdout'),
    stderr: describeStream('stderr'),
  };
  const stdout = new CapturedStream();
  const stderr = new CapturedStream();
  let code = 0;
  // oclif's handle() ends with Exit.exit(code): record the code instead of ending the test process
  Exit.exit = ((status = 0) => {
    code = status;
  }) as typeof Exit.exit;
  try {
    if (options.cwd !== undefined) process.chdir(options.cwd);
    Object.assign(process.env, env);
    // oclif's help on a usage error reads the arguments from process.argv
    process.argv = [process.execPath, fileURLToPath(new URL('../../bin/run.js', import.meta.url)), ...args];
    // The command gets its own process.stdout/stderr and console; the test runner keeps writing
    // its report to the real stdout, which it holds on to.
    Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get: () => stdout });
    Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => stderr });
    globalThis.console = new Console(stdout, stderr);
    try {
      await run([...args], oclif);
    } catch (error) {
      await handle(error as Error);
    }
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    globalThis.console = saved.console;
    Object.defineProperty(process, 'stdout', saved.stdout);
    Object.defineProperty(process, 'stderr', saved.stderr);
    Exit.exit = exit;
    process.argv = argv;
    // a failing oclif command also sets process.exitCode, which would fail the whole test file
    process.exitCode = exitCode;
    process.chdir(cwd);
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

function describeStream(name: 'stdout' | 'stderr'): PropertyDescriptor {
  const descriptor = Object.getOwnPropertyDescriptor(process, name);
  if (descriptor === undefined) throw new Error(`process.${name} has no property descriptor`);
  return descriptor;
}

/** A non-TTY output stream that keeps what is written, synchronously. */
class CapturedStream extends Writable {
  text = '';
  readonly isTTY = false;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += String(chunk);
    callback();
  }
}
