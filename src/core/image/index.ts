/** Images: encode/decode, merge, split, reproject. The only importer of sharp. */
export type { ResamplingMethod, ImageFormatOptions, RawImage, ImageResult } from './types.js';
