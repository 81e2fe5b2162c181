/** Layers: what services serve, built from caches and sources. */
export type { TileLayer, TileResponse } from './types.js';
