/**
 * The KML 2.2 super-overlay document of one tile (MapProxy `KMLRenderer`): the tile's region, then a
 * NetworkLink and a GroundOverlay per sub tile. Coordinates are `%f` (6 decimals) like MapProxy.
 */
import type { TileCoord } from '../../grid/index.js';
import { pyFixed, type RawXml, xml } from '../../util/index.js';
import type { BBox } from '../../util/index.js';

/** A tile in public KML coordinates (sw origin) with its EPSG:4326 bbox. */
export interface KmlTile {
  readonly coord: TileCoord;
  readonly wgs84BBox: BBox;
}

export interface KmlDocumentInput {
  /** The layer name as requested; the document and link names. */
  readonly name: string;
  readonly tile: KmlTile;
  readonly subtiles: readonly KmlTile[];
  /** `<script url>/kml/<name path>`: sub tile URLs continue with `/<z>/<x>/<y>.<ext>`. */
  readonly baseHref: string;
  /** The image extension of the layer (`png`). */
  readonly extension: string;
  /** Tile width in pixels: `minLodPixels` is half of it, `maxLodPixels` three times it. */
  readonly tileWidth: number;
}

export function renderKmlDocument(input: KmlDocumentInput): string {
  const minLod = Math.trunc(input.tileWidth / 2);
  const maxLod = input.tileWidth * 3;
  const href = ({ coord }: KmlTile, ext: string): string =>
    `${input.baseHref}/${coord.z}/${coord.x}/${coord.y}.${ext}`;
  const links = input.subtiles.map(
    (subtile) => xml`<NetworkLink>
      <name>${input.name} - ${coordRepr(subtile.coord)}</name>
      <Region>
        <LatLonAltBox>
          ${edges(subtile.wgs84BBox, '          ')}
        </LatLonAltBox>
        <Lod>
          <minLodPixels>${minLod}</minLodPixels>
          <maxLodPixels>-1</maxLodPixels>
        </Lod>
      </Region>
      <Link>
        <href>${href(subtile, 'kml')}</href>
        <viewRefreshMode>onRegion</viewRefreshMode>
        <viewFormat/>
      </Link>
    </NetworkLink>
    `,
  );
  const overlays = input.subtiles.map(
    (subtile) => xml`<GroundOverlay>
      <name>${coordRepr(subtile.coord)}</name>
      <Region>
        <LatLonAltBox>
          ${edges(subtile.wgs84BBox, '          ')}
        </LatLonAltBox>
        <Lod>
          <minLodPixels>${minLod}</minLodPixels>
          <maxLodPixels>${maxLod}</maxLodPixels>
          <minFadeExtent>8</minFadeExtent>
          <maxFadeExtent>8</maxFadeExtent>
        </Lod>
      </Region>
      <drawOrder>${subtile.coord.z}</drawOrder>
      <Icon>
        <href>${href(subtile, input.extension)}</href>
      </Icon>
      <LatLonBox>
        ${edges(subtile.wgs84BBox, '        ')}
      </LatLonBox>
    </GroundOverlay>
    `,
  );
  return xml`<?xml version="1.0"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>${input.name}</name>
    <Region>
      <LatLonAltBox>
        ${edges(input.tile.wgs84BBox, '        ')}
      </LatLonAltBox>
    </Region>
    ${links}${overlays}</Document>
</kml>
`.markup;
}

/** Python's repr of MapProxy's `(x, y, z)` tuple. */
function coordRepr({ x, y, z }: TileCoord): string {
  return `(${x}, ${y}, ${z})`;
}

function edges([west, south, east, north]: BBox, indent: string): RawXml {
  return xml`<north>${pyFixed(north, 6)}</north><south>${pyFixed(south, 6)}</south>
${indent}<east>${pyFixed(east, 6)}</east><west>${pyFixed(west, 6)}</west>`;
}
