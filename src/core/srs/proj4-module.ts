/**
 * proj4, loaded with require: imported from ESM, Node first scans its ~150 kB CommonJS bundle for
 * named exports (cjs-module-lexer), ~50 ms of CPU in every process that loads the srs module.
 */
import { createRequire } from 'node:module';
import type Proj4 from 'proj4';

/** The proj4 function (the package's `module.exports`, as a default import of it gives). */
export const proj4 = createRequire(import.meta.url)('proj4') as typeof Proj4;
