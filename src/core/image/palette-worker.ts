/** Piscina worker entry: quantises RGBA pixels and writes the paletted PNG, off the main thread. */
import { Piscina } from 'piscina';
import { encodePalettePng, type PaletteJob } from './palette-png.js';

/** Encodes `job` and transfers the PNG bytes to the caller without copying. */
export function runPalettePng(job: PaletteJob): unknown {
  // a small Buffer is a slice of Node's shared pool, which must not be transferred: copy it out
  return Piscina.move(new Uint8Array(encodePalettePng(job)));
}

/**
 * `warmPaletteWorkers`' task: a 1x1 encode through the real path, so whatever the quantiser and
 * the PNG writer set up on first use (WebAssembly instances, tables) is ready for the first tile.
 */
export function warmUp(): null {
  encodePalettePng({ data: new Uint8Array(4), width: 1, height: 1, colors: 256, withAlpha: false });
  return null;
}
