/**
 * undici's HTTP/1 response parser (llhttp, WebAssembly) brought to its optimised code at start-up
 * instead of on a worker's first upstream responses (issue 13, the cold burst on fresh workers).
 * V8 runs a WebAssembly function in its baseline code first and recompiles it in the background
 * once it is hot; llhttp's state machine (one function of 34 kB) is hot within a few responses,
 * and its recompilation (--trace-wasm-compilation-times: 0.3-0.9 s on a V8 platform thread, a
 * 29 MB compiler zone) came in the middle of each fresh worker's first burst of cold tiles. V8
 * shares a module's compiled code with every later compile of the same bytes in the process while
 * the first module is alive, so parsing a few responses with a module of our own, kept alive, has
 * that done before the first request. The bench's cold burst on fresh `serve -w 2` workers
 * (MapServer, 5 alternating pairs, loaded machine): server CPU 740 (490-940) -> 520 (450-570) ms,
 * all answered 2485 (1338-2977) -> 1644 (1248-2299) ms, a worker's peak RSS over its life
 * (VmHWM) 132 (128-138) -> 121 MB (the zone now comes at start, not on top of the burst's
 * buffers); the CPU moves to start-up (the group's until ready +260 ms, ready ~0.25 s later on 8
 * pairs), and a worker idles at 85-92 MB instead of 84-85.
 *
 * That compile's zone was the whole of a fresh worker's peak before any load: VmHWM of every
 * worker 120 MB after 3 s idle (6 fresh `serve -w 2`, 119.7-120.8), 84 MB without the warm-up
 * (6 starts, 83.7-84.8; the compile then lands in the burst: burst peak 102-132 MB, burst CPU
 * 580-800 ms against 380-590). Hence {@link COMPILE_FLAGS} below.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

const require = createRequire(import.meta.url);

/** The part of the WebAssembly JS API used here (the ES2023 lib does not declare it). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const { WebAssembly: wasmApi } = globalThis as unknown as { readonly WebAssembly: WasmApi };

interface ParserExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  malloc(size: number): number;
  llhttp_alloc(type: number): number;
  llhttp_execute(parser: number, at: number, length: number): number;
}

/** llhttp's `TYPE.RESPONSE` (undici/lib/llhttp/constants.js). */
const RESPONSE = 2;
/** Parses of the response below: V8 marks the state machine hot within about five. */
const PARSES = 64;
const RESPONSE_BYTES = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 4\r\n' +
    'Date: Mon, 07 Dec 2026 00:00:00 GMT\r\nConnection: keep-alive\r\n\r\n\x89PNG',
  'latin1',
);

/**
 * V8 flags set only while the warm-up runs, and V8's defaults put back after it. Without Liftoff
 * the warm-up's first call compiles the state machine with TurboFan at once, on this thread, so
 * the flags are still set when it compiles; the mid-tier register allocator (which V8 itself
 * takes for huge functions) needs a 4 MB zone there instead of the linear-scan allocator's
 * 29 MB (--trace-wasm-compilation-times; V8 11.3). Fresh `serve -w 2` workers, MapServer, 16
 * alternating pairs on a loaded machine: VmHWM after 3 s idle 120.1 (119.5-121.9) -> 94.2
 * (93.7-95.5) MB, after the cold burst 120.1 -> 95.1 (93.7-101.7) MB; the burst's server CPU 475
 * (380-720) -> 495 (330-800) ms and its time 1155 -> 1385 ms, both within the noise (pair
 * differences +35 (-200..+370) and +108 (-915..+1218) ms); readiness the same (26 pairs: +25 ms,
 * -1329..+1650). The warm-up now takes ~55 ms of this thread and nothing after, against ~100 ms,
 * mostly in the background. The code is as fast: a response's headers 740 -> 738 ns (medians of
 * 5). Also without loop unrolling: 2.4 MB and 15 ms less, headers 838 ns; left out. The flags
 * are the process's: JavaScript that V8 optimises in the background meanwhile (start-up code)
 * gets the mid-tier allocator too; the image kernels compile later, on first use.
 */
const COMPILE_FLAGS = ['--no-liftoff', '--turbo-force-mid-tier-regalloc'];
/** V8's defaults; `--no-liftoff` also turns dynamic tiering off, which `--liftoff` leaves off. */
const DEFAULT_FLAGS = ['--liftoff', '--wasm-dynamic-tiering', '--no-turbo-force-mid-tier-regalloc'];
/** The user's own flags about what these set: the warm-up then leaves V8's flags alone. */
const USER_SETS_FLAGS = /liftoff|dynamic[-_]tiering|mid[-_]tier[-_]regalloc|single[-_]threaded/;
/**
 * The V8 these flags were measured on (Node 20's); a later V8 may lack the mid-tier allocator
 * (an unknown flag prints an error line) or compile otherwise: there the warm-up stays as before.
 */
const FLAGS_V8 = /^11\.3\./;

/** Whether the warm-up sets {@link COMPILE_FLAGS}: on {@link FLAGS_V8}, unless the user set such flags. */
export function setsCompileFlags(): boolean {
  if (!FLAGS_V8.test(process.versions.v8)) return false;
  return ![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((flag) => USER_SETS_FLAGS.test(flag));
}

/** The module whose code undici's parsers share; kept so that they do. */
let warmed: object | null = null;

/**
 * The parser files undici compiles, in its order (client-h1.js `lazyllhttp`): the SIMD build
 * unless `UNDICI_NO_WASM_SIMD=1` or on ppc64 before Node 24.12; the plain build if that fails.
 */
function parserFiles(): string[] {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const brokenSimd = process.arch === 'ppc64' && (major < 24 || (major === 24 && minor < 12));
  const setting = process.env.UNDICI_NO_WASM_SIMD;
  const simd = setting === '1' ? false : setting === '0' ? true : !brokenSimd;
  const plain = 'undici/lib/llhttp/llhttp-wasm.js';
  return simd ? ['undici/lib/llhttp/llhttp_simd-wasm.js', plain] : [plain];
}

function compileParser(): object | null {
  for (const file of parserFiles()) {
    try {
      return new wasmApi.Module(require(file) as Uint8Array);
    } catch {
      // as undici: the next build; none at all (another undici layout) warms nothing
    }
  }
  return null;
}

/**
 * Compiles undici's parser module and parses a small response with it {@link PARSES} times, so
 * that V8 has its state machine optimised now: at once under {@link COMPILE_FLAGS} (~0.1 s of
 * this thread), in the background when the user's own flags say how V8 compiles WebAssembly.
 * Once per process.
 */
export function warmHttpParser(): void {
  if (warmed !== null) return;
  const flags = setsCompileFlags();
  if (flags) setFlagsFromString(COMPILE_FLAGS.join(' '));
  try {
    warmUp();
  } finally {
    if (flags) setFlagsFromString(DEFAULT_FLAGS.join(' '));
  }
}

function warmUp(): void {
  const module = compileParser();
  if (module === null) return;
  warmed = module;
  const ok = (): number => 0;
  const callbacks = [
    'wasm_on_url',
    'wasm_on_status',
    'wasm_on_message_begin',
    'wasm_on_header_field',
    'wasm_on_header_value',
    'wasm_on_headers_complete',
    'wasm_on_body',
    'wasm_on_message_complete',
  ];
  try {
    const parser = new wasmApi.Instance(module, {
      env: Object.fromEntries(callbacks.map((name) => [name, ok])),
    }).exports as ParserExports;
    const state = parser.llhttp_alloc(RESPONSE);
    const at = parser.malloc(RESPONSE_BYTES.length);
    for (let i = 0; i < PARSES; i++) {
      new Uint8Array(parser.memory.buffer, at, RESPONSE_BYTES.length).set(RESPONSE_BYTES);
      if (parser.llhttp_execute(state, at, RESPONSE_BYTES.length) !== 0) break;
    }
  } catch {
    // a parser with other exports: the module stays compiled, nothing more is warmed
  }
}
