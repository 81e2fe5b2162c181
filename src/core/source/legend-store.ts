/**
 * The legend cache of MapProxy 1.15 (`cache/legend.py`): one PNG a legend source and scale in
 * `<globals.cache.base_dir>/legends/<md5(identifier + str(scale))>.png`, shared with MapProxy.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pyFloatRepr, writeFileAtomic } from '../util/index.js';

/** Stored legends by identifier and scale. */
export interface LegendStore {
  /** The stored PNG, or null when there is none. */
  load(identifier: string, scale: number | null): Promise<Buffer | null>;
  /** Stores `png`; rejects with the file system's error. */
  store(identifier: string, scale: number | null, png: Buffer): Promise<void>;
}

/** MapProxy `legend_hash`: md5 of the identifier and Python's `str()` of the scale (`None`, `5000.0`). */
export function legendFileName(identifier: string, scale: number | null): string {
  const md5 = createHash('md5').update(identifier, 'utf8');
  md5.update(scale === null ? 'None' : pyFloatRepr(scale));
  return `${md5.digest('hex')}.png`;
}

/** A legend store in directory `dir` (created on the first store). */
export function createLegendFileStore(dir: string): LegendStore {
  return {
    async load(identifier, scale) {
      try {
        return await readFile(join(dir, legendFileName(identifier, scale)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async store(identifier, scale, png) {
      // as MapProxy's write_atomic: readers never see half a legend
      await writeFileAtomic(join(dir, legendFileName(identifier, scale)), png);
    },
  };
}
