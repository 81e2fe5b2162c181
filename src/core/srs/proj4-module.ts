/**
 * proj4, loaded with require: imported from ESM, Node first scans its ~150 kB CommonJS bundle for
 * named exports (cjs-module-lexer), ~50 ms of CPU in every process that loads the srs module. Its
 * minified build (the same UMD bundle as the package's main, dist/proj4-src.js, minified by
 * proj4's own build; the demo serves it too): V8 keeps a script's source on the heap for good, and
 * proj4-src.js (317 kB, with non-Latin-1 characters) is held as a 634 kB two-byte string in every
 * isolate that loads it, proj4.js as 130 kB (issue 13, a serve worker's heap).
 */
import { createRequire } from 'node:module';
import type Proj4 from 'proj4';

/** The proj4 function (the package's `module.exports`, as a default import of it gives). */
export const proj4 = createRequire(import.meta.url)('proj4/dist/proj4.js') as typeof Proj4;
