/** Piscina worker entry: quantises RGBA pixels and writes the paletted PNG, off the main thread. */
import { Piscina } from 'piscina';
import { encodePalettePng, type PaletteJob } from './palette-png.js';

/** Encodes `job` and transfers the PNG bytes to the caller without copying. */
export function runPalettePng(job: PaletteJob): unknown {
  // a small Buffer is a slice of Node's shared pool, which must not be transferred: copy it out
  return Piscina.move(new Uint8Array(encodePalettePng(job)));
}
