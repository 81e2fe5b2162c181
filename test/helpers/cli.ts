/**
 * Runs the real `mapproxy-util` CLI and captures stdout, stderr and the exit code: in-process
 * through oclif (`runCommand`, fast), or as a child process (`runCli`, `CLI_ARGV`) for what needs
 * its own process (signals, exit by the process itself, a terminal, concurrent runs, servers that
 * keep running, process-wide logging setup).
 */
import { spawn } from 'node:child_process';
import { Console } from 'node:console';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Config, run } from '@oclif/core';
import { Exit, handle } from '@oclif/core/handle';
import { fileURLToPath } from 'node:url';
import { DIST_IS_CURRENT } from './dist.js';

export { isDistCurrent } from './dist.js';

export const DEV_BIN = fileURLToPath(new URL('../../bin/dev.js', import.meta.url));
/** tsx's loader as an absolute URL, so the CLI also runs with a cwd outside the repository. */
const TSX_LOADER = import.meta.resolve('tsx');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Node arguments that start `mapproxy-util` in a child process: the built bin/run.js when dist/
 * is current (about half the start-up CPU of compiling src/ through tsx), otherwise bin/dev.js
 * through tsx, so a test never runs stale code.
 */
export const CLI_ARGV: readonly string[] = DIST_IS_CURRENT
  ? [join(ROOT, 'bin/run.js')]
  : ['--import', TSX_LOADER, '--no-warnings', DEV_BIN];

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
    const child = spawn(process.execPath, [...CLI_ARGV, ...args], {
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

let config: Promise<Config> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * `node --import tsx --test` gives this process a bare `--import tsx`, which image worker threads
 * inherit and resolve against the cwd: a command run with its cwd outside the repository would
 * get workers that never start. The loader is named by its absolute URL instead.
 */
function absoluteTsxImport(): void {
  process.execArgv = process.execArgv.map((arg, i, all) =>
    arg === 'tsx' && all[i - 1] === '--import'
      ? TSX_LOADER
      : arg.replace(/^--import=tsx$/, `--import=${TSX_LOADER}`),
  );
}

/** oclif's configuration as bin/dev.js loads it: the commands from src/, run through tsx. */
function loadOclifConfig(): Promise<Config> {
  config ??= (async () => {
    const pjson = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { oclif: { commands: string } };
    pjson.oclif.commands = './src/commands';
    return Config.load({ root: ROOT, pjson } as unknown as Parameters<typeof Config.load>[0]);
  })();
  return config;
}

export interface CommandOptions extends Omit<CliOptions, 'timeoutMs'> {
  /** What the command reads from standard input (default: an empty input). */
  readonly input?: string;
}

/**
 * Runs `mapproxy-util ARGS...` in this process, as bin/run.js would (an error is printed the way
 * oclif's `handle` prints it, and its exit code is returned instead of exiting). `cwd` and `env`
 * apply while the command runs; calls are serialised, since both and the captured streams are
 * process-wide. Never rejects on a non-zero exit.
 */
export function runCommand(args: readonly string[], options: CommandOptions = {}): Promise<CliResult> {
  const result = queue.then(() => runCommandNow(args, options));
  queue = result.catch(() => undefined);
  return result;
}

async function runCommandNow(args: readonly string[], options: CommandOptions): Promise<CliResult> {
  const oclif = await loadOclifConfig();
  absoluteTsxImport();
  const cwd = process.cwd();
  const env = { NO_COLOR: '1', ...options.env };
  const savedEnv = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const { argv, exitCode } = process;
  const exit = Exit.exit.bind(Exit);
  const saved = {
    console: globalThis.console,
    stdout: describeStream('stdout'),
    stderr: describeStream('stderr'),
    stdin: describeStream('stdin'),
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
    const stdin = Readable.from([options.input ?? ''].filter((text) => text !== ''));
    Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => stdin });
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
    Object.defineProperty(process, 'stdin', saved.stdin);
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

function describeStream(name: 'stdout' | 'stderr' | 'stdin'): PropertyDescriptor {
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
