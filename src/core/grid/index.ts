/**
 * Tile grid geometry: resolutions, origin, tile <-> bbox, affected tiles and metatiles.
 * Pure and synchronous; knows nothing about caches or HTTP.
 */
export { GridError, type GridErrorCode } from './errors.js';
export {
  createTileGrid,
  parseOrigin,
  MERCATOR_EXTENT,
  type GridOptions,
  type TileGrid,
  type Origin,
  type OriginName,
} from './tile-grid.js';
export { type ResFactor } from './resolutions.js';
export { GLOBAL_GEODETIC, GLOBAL_MERCATOR, GLOBAL_WEBMERCATOR, DEFAULT_GRIDS } from './default-grids.js';
export { buildGridRegistry, type GridSpec, type GridDefaults } from './grid-registry.js';
export {
  scaleToResolution,
  resolutionToScale,
  OGC_DPI,
  OGC_PIXEL_SIZE_M,
  METERS_PER_DEGREE,
  type ResolutionUnit,
} from './scales.js';
export {
  resolution,
  levelGridSize,
  tileCount,
  tileCoordAt,
  tileBBox,
  tilesBBox,
  limitTile,
  flipTileCoord,
  supportsAccessWithOrigin,
  originTile,
  type TileCoord,
} from './tile-math.js';
export { closestLevel, levelOfResolution } from './level-selection.js';
export { isGridSubsetOf } from './grid-subset.js';
export {
  affectedLevel,
  affectedLevelTiles,
  affectedTiles,
  MAX_LISTED_TILES,
  type AffectedLevel,
  type AffectedTiles,
} from './affected-tiles.js';
export {
  createMetaGrid,
  levelMetaSize,
  mainTile,
  metaTileCoords,
  metaTile,
  minimalMetaTile,
  affectedMetaTiles,
  type MetaGrid,
  type MetaTile,
  type TilePattern,
} from './meta-grid.js';
export { tmsGridInfo, type TmsGridInfo, type TmsProfile } from './tms-profile.js';
export {
  createBBoxCoverage,
  parseBBox,
  type Coverage,
  type CoverageKind,
  type BBoxCoverageOptions,
} from './coverage.js';
export {
  createPolygonCoverage,
  createMultiCoverage,
  combineCoverages,
  transformCoverage,
  type PolygonCoverage,
  type MultiCoverage,
  type CoverageOperation,
} from './polygon-coverage.js';
export { parseExpireTiles, type ExpireTileLine, type ParsedExpireTiles } from './expire-tiles.js';
