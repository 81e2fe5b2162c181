import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { setsCompileFlags } from './http-parser-warm-up.js';

/** The body size of the child's own WebAssembly function (no llhttp function has it). */
const PROBE_BODY_BYTES = 704;

/**
 * A process that warms the parser (as a `serve` worker does before it listens), then calls a
 * WebAssembly function of its own ({@link PROBE_BODY_BYTES} of body), waits for a line on stdin,
 * then gets a PNG from a server of its own 16 times through `httpGet` and prints DONE.
 */
const childScript = (clientIndex: string): string => `
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { closeHttpClients, httpGet, preloadHttpClient, warmHttpParser } from ${JSON.stringify(clientIndex)};
const body = Buffer.alloc(200_000, 7);
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
  res.end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
warmHttpParser();
// after the warm-up V8 compiles WebAssembly as by default again: Liftoff first
const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n !== 0) b |= 0x80; out.push(b); } while (n !== 0); return out; };
const probeBody = [0x00, ...new Array(${String(PROBE_BODY_BYTES - 4)}).fill(0x01), 0x41, 0x2a, 0x0b];
const probeCode = [0x01, ...leb(probeBody.length), ...probeBody];
const probe = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
  0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, 0x0a, ...leb(probeCode.length), ...probeCode]);
if (new WebAssembly.Instance(new WebAssembly.Module(probe), {}).exports.run() !== 42) throw new Error('probe');
await preloadHttpClient();
console.log('PRELOADED');
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
for (let i = 0; i < 16; i++) {
  const response = await httpGet('http://127.0.0.1:' + server.address().port + '/tile.png');
  if (response.body.length !== body.length) throw new Error('short body');
}
console.log('DONE');
await closeHttpClients();
server.close();
`;

/**
 * V8's lines for llhttp's state machine, the one function of the parser of over 10 kB, and for
 * the probe: the compiler, the peak of its zones (TurboFan only) and the body size.
 */
const COMPILE =
  /^Compiled function \S+ using (Liftoff|TurboFan),(?:.* and (\d+) \/ \d+ max\/total bytes;)?.* bodysize (\d+)/;

test("warmHttpParser has V8 optimise undici's response parser before any request, and undici's parsers use that code", async (t) => {
  const dir = await makeTempDir(t, 'parser-warm-up-');
  const script = join(dir, 'child.mts');
  await writeFile(script, childScript(import.meta.resolve('./index.ts')));
  const child = spawn(process.execPath, ['--trace-wasm-compilation-times', '--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.after(() => child.kill());
  const compiles: string[] = [];
  const zoneBytes: number[] = [];
  const probeCompiles: string[] = [];
  const seen: string[] = [];
  let pending = '';
  let preloaded = false;
  let asked = false;
  const done = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`child exited with ${String(code)}:\n${seen.join('\n')}`));
    });
  });
  // without the optimised compile the requests go anyway, and the assertions below say what came
  const fallback = setTimeout(() => {
    asked = true;
    child.stdin.end('go\n');
  }, 30_000);
  t.after(() => {
    clearTimeout(fallback);
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const compile = COMPILE.exec(line);
      const bodyBytes = Number(compile?.[3]);
      if (compile !== null && bodyBytes > 10_000) {
        compiles.push(`${compile[1] ?? ''} ${asked ? 'after' : 'before'}`);
        if (compile[2] !== undefined) zoneBytes.push(Number(compile[2]));
      } else if (compile !== null && bodyBytes === PROBE_BODY_BYTES) probeCompiles.push(compile[1] ?? '');
      else if (line === 'PRELOADED' || line === 'DONE') seen.push(line);
      if (line === 'PRELOADED') preloaded = true;
      // the requests start once the optimised code is there (the warm-up only starts its compile)
      if (preloaded && !asked && compiles.includes('TurboFan before')) {
        asked = true;
        clearTimeout(fallback);
        child.stdin.end('go\n');
      }
    }
  });
  await done;
  assert.deepEqual(seen, ['PRELOADED', 'DONE']);
  // and V8's defaults after the warm-up
  assert.deepEqual(probeCompiles, ['Liftoff']);
  if (!setsCompileFlags()) {
    // another V8: one baseline compile (the warm-up's module) and one optimised, both shared
    assert.deepEqual(compiles, ['Liftoff before', 'TurboFan before']);
    return;
  }
  // one compile, optimised at once by the warm-up: undici's parsers shared it
  assert.deepEqual(compiles, ['TurboFan before']);
  // with the mid-tier register allocator: ~4 MB of compiler zones, not the 29 MB of the default
  assert.equal(zoneBytes.length, 1);
  assert.ok((zoneBytes[0] ?? Infinity) < 10_000_000, `zones of ${String(zoneBytes[0])} bytes`);
});
