import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { closePaletteWorkers, paletteThreadCount } from './palette-pool.js';
import { encodePalettePngAsync } from './palette-pool.js';
import { limitImageThreads } from './thread-pool.js';

// its own file: the limit holds for the rest of the process
test(
  'under limitImageThreads(1) encodes queued behind one thread start no second one',
  { skip: availableParallelism() < 2 ? 'one core: the pool never grows past one thread anyway' : false },
  async (t) => {
    t.after(() => closePaletteWorkers());
    limitImageThreads(1);
    // 128x128: large enough for a thread (smaller ones are encoded inline)
    const job = () => ({
      data: new Uint8Array(128 * 128 * 4).fill(90),
      width: 128,
      height: 128,
      colors: 256,
      withAlpha: false,
    });
    // six at once: without the limit the queue (4 waiting behind 1 running) grows the pool to 2
    const pngs = await Promise.all(Array.from({ length: 6 }, () => encodePalettePngAsync(job())));
    assert.equal(pngs.length, 6);
    assert.equal(paletteThreadCount(), 1);
  },
);
