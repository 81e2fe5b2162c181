/**
 * TMS 1.0.0 documents (MapProxy `tms_root_resource.xml`, `tms_capabilities.xml`,
 * `tms_tilemap_capabilities.xml`): the root resource, the TileMapService and one TileMap.
 */
import { tmsGridInfo } from '../../grid/index.js';
import { pyFloatRepr, xml } from '../../util/index.js';
import type { ServiceMetadata } from '../metadata.js';
import type { TileLayerEntry } from '../tile-layer-index.js';

/** `<Services>` listing the one TileMapService at `<url>/1.0.0/`; `url` is the requested URL. */
export function renderTmsRootResource(metadata: ServiceMetadata, url: string): string {
  const href = `${url.endsWith('/') ? url : `${url}/`}1.0.0/`;
  return xml`<?xml version="1.0"?>
<Services>
  <TileMapService title="${metadata.title ?? ''}" version="1.0.0" href="${href}" />
</Services>
`.markup;
}

/** The TileMapService with one TileMap per layer; hrefs are `<url without trailing />/<name path>`. */
export function renderTileMapService(
  metadata: ServiceMetadata,
  entries: readonly TileLayerEntry[],
  url: string,
): string {
  const base = url.replace(/\/+$/, '');
  const tileMaps = entries.map(({ layer, namePath }) => {
    const info = tmsGridInfo(layer.grid);
    return xml`
    <TileMap title="${layer.title}" srs="${info.srsName}" profile="${info.profile}" href="${base}/${namePath.join('/')}" />`;
  });
  return xml`<?xml version="1.0"?>
<TileMapService version="1.0.0">
  <Title>${metadata.title ?? ''}</Title>
  <Abstract>${metadata.abstract ?? ''}</Abstract>
  <TileMaps>${tileMaps}
  </TileMaps>
</TileMapService>
`.markup;
}

/**
 * One TileMap: the grid bbox (MapProxy shows the grid bbox, not the first level's tiles), origin at
 * its lower left, and the public tile sets with `<url>/<order>` hrefs (`url` = the TileMap URL).
 */
export function renderTileMap(entry: TileLayerEntry, url: string): string {
  const { layer } = entry;
  const info = tmsGridInfo(layer.grid);
  const [minx, miny, maxx, maxy] = layer.grid.bbox.map(pyFloatRepr);
  const tileSets = info.tileSets.map(
    ([order, res]) => xml`
    <TileSet href="${url}/${order}" units-per-pixel="${pyFloatRepr(res)}" order="${order}" />`,
  );
  return xml`<?xml version="1.0"?>
<TileMap version="1.0.0">
  <Title>${layer.title}</Title>
  <Abstract></Abstract>
  <SRS>${info.srsName}</SRS>
  <BoundingBox minx="${minx}" miny="${miny}" maxx="${maxx}" maxy="${maxy}" />
  <Origin x="${minx}" y="${miny}" />
  <TileFormat width="${layer.grid.tileSize[0]}" height="${layer.grid.tileSize[1]}" mime-type="${layer.format}" extension="${layer.extension}" />
  <TileSets profile="${info.profile}">${tileSets}
  </TileSets>
</TileMap>
`.markup;
}
