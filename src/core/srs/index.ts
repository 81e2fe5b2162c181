/**
 * Spatial reference systems: lookup by code, axis order, point and bbox transformation.
 * The only module that touches proj4.
 */
export { SrsError, type SrsErrorCode } from './errors.js';
export { Srs, getSrs, preloadSrsDefinitions, useProjDataDir } from './srs.js';
export { type Point } from './envelope.js';
export { preferredSource, type SrsOptions } from './preferred-source.js';
