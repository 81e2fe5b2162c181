import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';

/**
 * A process that warms the parser (as a `serve` worker does before it listens), waits for a line
 * on stdin, then gets a PNG from a server of its own 16 times through `httpGet` and prints DONE.
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

/** V8's lines for llhttp's state machine, the one function of the parser of over 10 kB. */
const PARSER_COMPILE = /^Compiled function \S+ using (Liftoff|TurboFan),.* bodysize (\d+)/;

test("warmHttpParser has V8 optimise undici's response parser before any request, and undici's parsers use that code", async (t) => {
  const dir = await makeTempDir(t, 'parser-warm-up-');
  const script = join(dir, 'child.mts');
  await writeFile(script, childScript(import.meta.resolve('./index.ts')));
  const child = spawn(process.execPath, ['--trace-wasm-compilation-times', '--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.after(() => child.kill());
  const compiles: string[] = [];
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
      const compile = PARSER_COMPILE.exec(line);
      if (compile !== null && Number(compile[2]) > 10_000)
        compiles.push(`${compile[1] ?? ''} ${asked ? 'after' : 'before'}`);
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
  // one baseline compile (the warm-up's module) and one optimised: undici's parsers shared both
  assert.deepEqual(compiles, ['Liftoff before', 'TurboFan before']);
});
