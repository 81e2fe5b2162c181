/**
 * WMS capabilities documents of 1.0.0, 1.1.0, 1.1.1 and 1.3.0 (MapProxy's `wms1xxcapabilities.xml`
 * templates), in the element order of the OGC DTDs/XSD. Every value passes through `escapeXml`.
 */
import type { LayerDimension } from '../../layer/index.js';
import { getSrs, type Srs } from '../../srs/index.js';
import { escapeXml as e, type BBox } from '../../util/index.js';
import type { ServiceMetadata } from '../metadata.js';
import { hasLegend, isQueryable, type WmsLayerNode } from './wms-layer.js';
import type { WmsVersion } from './wms-version.js';
import {
  INSPIRE_NAMESPACES,
  INSPIRE_SCHEMA_LOCATION,
  renderInspireExtendedCapabilities,
  type InspireMetadata,
} from './inspire.js';

/** What a capabilities document shows besides the layer tree. */
export interface CapabilitiesInput {
  readonly version: WmsVersion;
  /** The service URL without `?` (script URL plus path). */
  readonly url: string;
  readonly metadata: ServiceMetadata;
  readonly root: WmsLayerNode;
  readonly imageFormats: readonly string[];
  readonly infoFormats: readonly string[];
  readonly srs: readonly string[];
  /** `bbox_srs`: the SRS to list a BoundingBox for, with an optional fixed bbox (x/y order). */
  readonly bboxSrs: readonly { readonly srs: string; readonly bbox: BBox | null }[];
  readonly maxOutputSize: readonly [number, number] | null;
  /** Width and height of each named layer's legend graphic (MapProxy `legend_size`); 1x1 if absent. */
  readonly legendSizes?: ReadonlyMap<string, readonly [number, number]>;
  /** `inspire_md`: written into 1.3.0 capabilities only, as MapProxy does. */
  readonly inspire?: InspireMetadata | null | undefined;
  /** WMS-C (`TILED=true`): the tile sets of 1.1.x capabilities; absent or empty: none. */
  readonly tileSets?: readonly WmscTileSet[] | undefined;
}

/** One WMS-C TileSet (MapProxy's `VendorSpecificCapabilities` of a tile layer), values as written. */
export interface WmscTileSet {
  /** The grid's SRS: its code in 1.1.1, the TMS name (`OSGEO:41001`) in 1.1.0, as MapProxy's templates. */
  readonly srs: string;
  readonly bbox: readonly [string, string, string, string];
  readonly resolutions: readonly string[];
  readonly tileSize: readonly [number, number];
  readonly format: string;
  readonly layer: string;
}

const XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"';

/** MapProxy's `DEFAULT_EXTENTS`: the BoundingBoxes listed when `bbox_srs` is not configured. */
const DEFAULT_BBOX_SRS = ['EPSG:3857', 'EPSG:4326', 'EPSG:900913'] as const;

/**
 * MapProxy `limit_srs_extents`: `bbox_srs` (else the defaults) as an ordered map, a later entry for
 * the same SRS replacing an earlier one in place, limited to the service's SRS.
 */
function srsExtents(input: CapabilitiesInput): Map<string, BBox | null> {
  const configured =
    input.bboxSrs.length > 0 ? input.bboxSrs : DEFAULT_BBOX_SRS.map((srs) => ({ srs, bbox: null }));
  const out = new Map<string, BBox | null>();
  for (const { srs, bbox } of configured) if (input.srs.includes(srs)) out.set(srs, bbox);
  return out;
}

/** `bbox` (in `from`) in `to`, unchanged when they are the same SRS (MapProxy `bbox_for`). */
function bboxIn(bbox: BBox, from: Srs, to: Srs): BBox {
  return from.equals(to) ? bbox : from.transformBBox(to, bbox);
}

/** MapProxy `MapExtent.intersection` in EPSG:4326; null when the boxes do not intersect. */
function intersection4326(a: BBox, aSrs: Srs, b: BBox, bSrs: Srs): BBox | null {
  const wgs = getSrs('EPSG:4326');
  const x = bboxIn(a, aSrs, wgs);
  const y = bboxIn(b, bSrs, wgs);
  if (x[0] > y[2] || y[0] > x[2] || x[1] > y[3] || y[1] > x[3]) return null;
  return [Math.max(x[0], y[0]), Math.max(x[1], y[1]), Math.min(x[2], y[2]), Math.min(x[3], y[3])];
}

/**
 * MapProxy `layer_llbbox`: the layer's extent in EPSG:4326, cut by the EPSG:4326 `bbox_srs` box
 * when there is one, then `limit_llbbox` (longitudes within ±180, latitudes within ±89.999999).
 */
function llbbox(node: WmsLayerNode, extents: ReadonlyMap<string, BBox | null>): BBox {
  const wgs = getSrs('EPSG:4326');
  const { bbox, srs } = node.extent;
  let ll: BBox | null = null;
  if (extents.has('EPSG:4326')) {
    ll = intersection4326(extents.get('EPSG:4326') ?? [-180, -90, 180, 90], wgs, bbox, srs);
  }
  ll ??= bboxIn(bbox, srs, wgs);
  const clamp = (v: number, limit: number): number =>
    Math.max(-limit, Math.min(limit, Number.isFinite(v) ? v : limit * Math.sign(v)));
  return [clamp(ll[0], 180), clamp(ll[1], 89.999999), clamp(ll[2], 180), clamp(ll[3], 89.999999)];
}

/**
 * MapProxy `layer_srs_bbox`, x/y order: for each `bbox_srs` entry the layer's extent in it (a
 * configured box replaces a default extent and cuts any other), then the layer's own SRS when it
 * is not among them but the service offers it.
 */
function srsBBoxes(
  node: WmsLayerNode,
  input: CapabilitiesInput,
  extents: ReadonlyMap<string, BBox | null>,
): { srs: Srs; code: string; bbox: BBox }[] {
  const out: { srs: Srs; code: string; bbox: BBox }[] = [];
  const { bbox, srs: from, isDefault } = node.extent;
  for (const [code, fixed] of extents) {
    let srs: Srs;
    try {
      srs = getSrs(code);
    } catch {
      continue;
    }
    let box: BBox | null;
    if (fixed === null) box = bboxIn(bbox, from, srs);
    else if (isDefault) box = fixed;
    else {
      const cut = intersection4326(fixed, srs, bbox, from);
      box = cut === null ? null : bboxIn(cut, getSrs('EPSG:4326'), srs);
    }
    // proj4js turns ±180° into ±180.00000000000003 where PROJ gives ±180.0
    if (box !== null && srs.isGeographic)
      box = [Math.max(box[0], -180), Math.max(box[1], -90), Math.min(box[2], 180), Math.min(box[3], 90)];
    if (box?.every(Number.isFinite) === true) out.push({ srs, code, bbox: box });
  }
  if (!extents.has(from.code) && input.srs.includes(from.code))
    out.push({ srs: from, code: from.code, bbox });
  return out;
}

function legendQuery(name: string): string {
  return `?format=image%2Fpng&amp;layer=${encodeURIComponent(name)}&amp;sld_version=1.1.0&amp;request=GetLegendGraphic&amp;service=WMS&amp;version=1.1.1&amp;styles=`;
}

function text(tag: string, value: unknown): string {
  return `<${tag}>${value === undefined || value === null ? '' : e(value)}</${tag}>`;
}

function contact(md: ServiceMetadata, indent: string): string {
  const c = md.contact;
  if (c === undefined) return '';
  return [
    '<ContactInformation>',
    `  <ContactPersonPrimary>${text('ContactPerson', c.person)}${text('ContactOrganization', c.organization)}</ContactPersonPrimary>`,
    `  ${text('ContactPosition', c.position)}`,
    `  <ContactAddress>${text('AddressType', 'postal')}${text('Address', c.address)}${text('City', c.city)}` +
      `${text('StateOrProvince', c.state)}${text('PostCode', c.postcode)}${text('Country', c.country)}</ContactAddress>`,
    `  ${text('ContactVoiceTelephone', c.phone)}`,
    `  ${text('ContactFacsimileTelephone', c.fax)}`,
    `  ${text('ContactElectronicMailAddress', c.email)}`,
    '</ContactInformation>',
  ]
    .map((line) => indent + line)
    .join('\n');
}

function keywords(list: unknown, withVocabulary: boolean): string {
  if (!Array.isArray(list) || list.length === 0) return '';
  const items: string[] = [];
  for (const entry of list as { vocabulary?: string; keywords?: readonly string[] }[]) {
    for (const keyword of entry.keywords ?? []) {
      const vocabulary = withVocabulary && entry.vocabulary ? ` vocabulary="${e(entry.vocabulary)}"` : '';
      items.push(`<Keyword${vocabulary}>${e(keyword)}</Keyword>`);
    }
  }
  return items.length === 0 ? '' : `<KeywordList>${items.join('')}</KeywordList>`;
}

type Md = Readonly<Record<string, unknown>>;

/** A value MapProxy's templates print (`bunch(default='')`: missing and null are empty). */
function str(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';
}

/** The entries of a metadata list (`md.metadata`, `md.data`, ...), each a mapping. */
function entries(value: unknown): Md[] {
  return Array.isArray(value) ? value.filter((v): v is Md => typeof v === 'object' && v !== null) : [];
}

/** 1.3.0 `<Attribution>` with its optional title, link and logo (MapProxy's wms130 template). */
function attribution(md: Md): string {
  const a: unknown = md.attribution;
  if (a === undefined || a === null || typeof a !== 'object') return '';
  const { title, url, logo } = a as Md;
  const parts = [
    str(title) ? text('Title', title) : '',
    str(url) ? `<OnlineResource xlink:href="${e(str(url))}"/>` : '',
  ];
  if (logo !== undefined && logo !== null && typeof logo === 'object') {
    const l = logo as Md;
    const width = str(l.width) ? ` width="${e(str(l.width))}"` : '';
    const height = str(l.height) ? ` height="${e(str(l.height))}"` : '';
    parts.push(
      `<LogoURL${width}${height}>${str(l.format) ? text('Format', l.format) : ''}` +
        `${str(l.url) ? `<OnlineResource xlink:href="${e(str(l.url))}"/>` : ''}</LogoURL>`,
    );
  }
  return `<Attribution>${parts.join('')}</Attribution>`;
}

/** 1.3.0 `<AuthorityURL>`s, then the `<Identifier>`s of `md.identifier`. */
function identifiers(md: Md): string {
  const list = entries(md.identifier);
  const urls = list.map(
    (i) =>
      `<AuthorityURL name="${e(str(i.name))}">${str(i.url) ? `<OnlineResource xlink:href="${e(str(i.url))}" />` : ''}</AuthorityURL>`,
  );
  const ids = list.map((i) => `<Identifier authority="${e(str(i.name))}">${e(str(i.value))}</Identifier>`);
  return [...urls, ...ids].join('');
}

/** MapProxy `wms111metadatatype`: 1.1.1 knows only TC211 and FGDC metadata. */
function metadataType111(type: string): string | null {
  if (type === 'ISO19115:2003') return 'TC211';
  if (type === 'FGDC:1998') return 'FGDC';
  return null;
}

/** `<MetadataURL>`, `<DataURL>` or `<FeatureListURL>` for each entry (MapProxy `layer_meta_tag`). */
function metaTags(tag: string, list: unknown, version: WmsVersion): string {
  return entries(list)
    .map((data) => {
      let type = str(data.type);
      if (version === '1.1.1') {
        const mapped = metadataType111(type);
        if (mapped === null) return '';
        type = mapped;
      }
      const typeAttr = type ? ` type="${e(type)}"` : '';
      const link =
        version === '1.1.1'
          ? `<OnlineResource ${XLINK} xlink:href="${e(str(data.url))}"/>`
          : `<OnlineResource xlink:href="${e(str(data.url))}"/>`;
      return `<${tag}${typeAttr}>${str(data.format) ? text('Format', data.format) : ''}${link}</${tag}>`;
    })
    .join('');
}

function dcp(url: string, version: WmsVersion): string {
  if (version === '1.0.0') return `<DCPType><HTTP><Get onlineResource="${e(url)}?"/></HTTP></DCPType>`;
  return `<DCPType><HTTP><Get><OnlineResource ${XLINK} xlink:href="${e(url)}?"/></Get></HTTP></DCPType>`;
}

/** MapProxy `wms100format`: `image/png` → `<PNG/>`; only PNG, TIFF, GIF and JPEG are listed. */
function formats100(formats: readonly string[]): string {
  return formats
    .map((f) => (f.split('/')[1] ?? '').toUpperCase())
    .filter((sub) => ['PNG', 'TIFF', 'GIF', 'JPEG'].includes(sub))
    .map((sub) => `<${sub}/>`)
    .join('');
}

/** MapProxy `wms100info_format`: GML and XML are `<GML.1/>`, anything else `<MIME/>`. */
function infoFormats100(formats: readonly string[]): string {
  return formats
    .map((f) => (f === 'application/vnd.ogc.gml' || f === 'text/xml' ? '<GML.1/>' : '<MIME/>'))
    .join('');
}

/**
 * The layer's dimensions with MapProxy's facts (lower-cased name, `default`, `nearestValue="0"`,
 * comma-joined values, `units="ISO8601"` when the name contains `time`), where the schema wants
 * them: MapProxy writes them after the Identifiers and without `units` otherwise, which neither
 * the 1.3.0 XSD nor the 1.1.x DTDs accept. 1.1.x: an empty `Dimension` plus an `Extent`.
 */
function dimensionTags(dimensions: readonly LayerDimension[], version: string): string[] {
  if (version === '1.0.0') return [];
  const tags = dimensions.map((dimension) => {
    const name = e(dimension.identifier.toLowerCase());
    const units = name.includes('time') ? 'ISO8601' : '';
    const attrs = `default="${e(dimension.default)}" nearestValue="0"`;
    const values = e(dimension.values.join(','));
    if (version === '1.3.0')
      return {
        dimension: `<Dimension name="${name}" units="${units}" ${attrs}>${values}</Dimension>`,
        extent: '',
      };
    return {
      dimension: `<Dimension name="${name}" units="${units}" />`,
      extent: `<Extent name="${name}" ${attrs}>${values}</Extent>`,
    };
  });
  // 1.1.x DTD: every Dimension before the first Extent
  return [...tags.map((tag) => tag.dimension), ...tags.map((tag) => tag.extent).filter((tag) => tag !== '')];
}

function layerXml(node: WmsLayerNode, input: CapabilitiesInput, isRoot: boolean, depth: number): string {
  const { version } = input;
  const pad = '  '.repeat(depth + 1);
  const md = node.md;
  const v13 = version === '1.3.0';
  const parts: string[] = [];
  if (node.name !== null) parts.push(text('Name', node.name));
  parts.push(text('Title', node.title));
  // MapProxy's 1.0.0 and 1.1.0 templates have no layer Abstract; 1.1.1 writes any, 1.3.0 a non-empty one
  if (version === '1.1.1' ? md.abstract !== undefined : v13 && str(md.abstract) !== '')
    parts.push(text('Abstract', str(md.abstract)));
  if (v13) parts.push(keywords(md.keyword_list, true));
  if (version === '1.0.0' || version === '1.1.0') {
    if (isRoot || version === '1.0.0') parts.push(text('SRS', input.srs.join(' ') + ' '));
  } else if (isRoot) {
    for (const code of input.srs) parts.push(text(v13 ? 'CRS' : 'SRS', code));
  }
  const extents = srsExtents(input);
  const ll = llbbox(node, extents);
  if (v13) {
    parts.push(
      `<EX_GeographicBoundingBox><westBoundLongitude>${ll[0]}</westBoundLongitude><eastBoundLongitude>${ll[2]}</eastBoundLongitude>` +
        `<southBoundLatitude>${ll[1]}</southBoundLatitude><northBoundLatitude>${ll[3]}</northBoundLatitude></EX_GeographicBoundingBox>`,
      `<BoundingBox CRS="CRS:84" minx="${ll[0]}" miny="${ll[1]}" maxx="${ll[2]}" maxy="${ll[3]}" />`,
    );
  } else {
    parts.push(`<LatLonBoundingBox minx="${ll[0]}" miny="${ll[1]}" maxx="${ll[2]}" maxy="${ll[3]}" />`);
  }
  for (const { srs, code, bbox } of srsBBoxes(node, input, extents)) {
    const b = v13 && srs.isAxisOrderNE ? [bbox[1], bbox[0], bbox[3], bbox[2]] : bbox;
    parts.push(
      `<BoundingBox ${v13 ? 'CRS' : 'SRS'}="${e(code)}" minx="${b[0]}" miny="${b[1]}" maxx="${b[2]}" maxy="${b[3]}" />`,
    );
  }
  parts.push(...dimensionTags(node.dimensions ?? [], version));
  // Attribution, identifiers, data and feature lists only in 1.3.0; MetadataURL also in 1.1.1
  if (v13) parts.push(attribution(md), identifiers(md));
  if (v13 || version === '1.1.1') parts.push(metaTags('MetadataURL', md.metadata, version));
  if (v13)
    parts.push(metaTags('DataURL', md.data, version), metaTags('FeatureListURL', md.feature_list, version));
  if (node.name !== null && (node.legendUrl !== null || node.legendSources.length > 0)) {
    const href = `${e(input.url)}${legendQuery(node.name)}`;
    if (version === '1.0.0') {
      parts.push(`<Style><Name>default</Name><Title>default</Title><StyleURL>${href}</StyleURL></Style>`);
    } else {
      const [width, height] = input.legendSizes?.get(node.name) ?? [1, 1];
      parts.push(
        `<Style><Name>default</Name><Title>default</Title><LegendURL width="${width}" height="${height}"><Format>image/png</Format>` +
          `<OnlineResource ${XLINK} xlink:type="simple" xlink:href="${href}"/></LegendURL></Style>`,
      );
    }
  }
  const range = node.resRange;
  if (range !== null) {
    if (v13) {
      // MapProxy `scale_denominator()`: resolution / 0.28 mm
      if (range.maxRes !== null) parts.push(text('MinScaleDenominator', range.maxRes / 0.00028));
      if (range.minRes !== null) parts.push(text('MaxScaleDenominator', range.minRes / 0.00028));
    } else {
      // ScaleHint is the diagonal resolution of a pixel; MapProxy names only the bounds the range
      // has (no min="0" for a layer with only min_res, no max="INF" for one with only max_res)
      const min = range.maxRes === null ? '' : ` min="${String(range.maxRes * Math.SQRT2)}"`;
      const max = range.minRes === null ? '' : ` max="${String(range.minRes * Math.SQRT2)}"`;
      parts.push(`<ScaleHint${min}${max} />`);
    }
  }
  for (const child of node.children) parts.push(layerXml(child, input, false, depth + 1));
  const queryable = isQueryable(node) ? ' queryable="1"' : '';
  return `${pad}<Layer${queryable}>\n${parts
    .filter((p) => p !== '')
    .map((p) => (p.startsWith(' ') ? p : `${pad}  ${p}`))
    .join('\n')}\n${pad}</Layer>`;
}

/** The capabilities document for `input.version`. */
export function renderCapabilities(input: CapabilitiesInput): string {
  switch (input.version) {
    case '1.0.0':
      return render100(input);
    case '1.1.0':
    case '1.1.1':
      return render11x(input);
    case '1.3.0':
      return render130(input);
  }
}

function serviceTail(md: ServiceMetadata): string {
  return `  ${text('Fees', md.fees ?? 'none')}\n  ${text('AccessConstraints', md.accessConstraints ?? 'none')}`;
}

/** Prolog, DOCTYPE (with MapProxy's VendorSpecificCapabilities) and the start of `<Service>`. */
function wmtHead(version: WmsVersion, dtd: string, md: ServiceMetadata, tiled = false): string {
  const vendor = tiled
    ? ` <!ELEMENT VendorSpecificCapabilities (TileSet*) >
 <!ELEMENT TileSet (SRS, BoundingBox?, Resolutions, Width, Height, Format, Layers*, Styles*) >
 <!ELEMENT Resolutions (#PCDATA) >
 <!ELEMENT Width (#PCDATA) >
 <!ELEMENT Height (#PCDATA) >
 <!ELEMENT Layers (#PCDATA) >
 <!ELEMENT Styles (#PCDATA) >`
    : ' <!ELEMENT VendorSpecificCapabilities EMPTY>';
  return `<?xml version="1.0"?>
<!DOCTYPE WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/${dtd}"
 [
${vendor}
 ]>
<WMT_MS_Capabilities version="${version}">
<Service>
  <Name>OGC:WMS</Name>
  ${text('Title', md.title ?? '')}
  ${text('Abstract', md.abstract ?? '')}`;
}

function render100(input: CapabilitiesInput): string {
  const md = input.metadata;
  const url = input.url;
  return `${wmtHead('1.0.0', '1.0.0/capabilities_1_0_0.dtd', md)}
  ${text('OnlineResource', md.onlineResource ?? url)}
${serviceTail(md)}
</Service>
<Capability>
  <Request>
    <Capabilities><Format><WMS_XML/></Format>${dcp(url, '1.0.0')}</Capabilities>
    <Map><Format>${formats100(input.imageFormats)}</Format>${dcp(url, '1.0.0')}</Map>
    <FeatureInfo><Format>${infoFormats100(input.infoFormats)}</Format>${dcp(url, '1.0.0')}</FeatureInfo>
  </Request>
  <Exception><Format><INIMAGE/><BLANK/><WMS_XML/></Format></Exception>
${layerXml(input.root, input, true, 0)}
</Capability>
</WMT_MS_Capabilities>
`;
}

function render11x(input: CapabilitiesInput): string {
  const { version, url } = input;
  const md = input.metadata;
  const dtd = version === '1.1.0' ? '1.1.0/capabilities_1_1_0.dtd' : '1.1.1/WMS_MS_Capabilities.dtd';
  const formats = input.imageFormats.map((f) => text('Format', f)).join('');
  const legend =
    version === '1.1.1' && hasLegend(input.root)
      ? `\n    <GetLegendGraphic>${formats}${dcp(url, version)}</GetLegendGraphic>`
      : '';
  const tileSets = input.tileSets ?? [];
  return `${wmtHead(version, dtd, md, tileSets.length > 0)}
  <OnlineResource ${XLINK} xlink:href="${e(md.onlineResource ?? url)}"/>
${contact(md, '  ')}
${serviceTail(md)}
</Service>
<Capability>
  <Request>
    <GetCapabilities><Format>application/vnd.ogc.wms_xml</Format>${dcp(url, version)}</GetCapabilities>
    <GetMap>${formats}${dcp(url, version)}</GetMap>
    <GetFeatureInfo>${input.infoFormats.map((f) => text('Format', f)).join('')}${dcp(url, version)}</GetFeatureInfo>${legend}
  </Request>
  <Exception>
    <Format>application/vnd.ogc.se_xml</Format>
    <Format>application/vnd.ogc.se_inimage</Format>
    <Format>application/vnd.ogc.se_blank</Format>
  </Exception>
${vendorTileSets(tileSets)}${layerXml(input.root, input, true, 0)}
</Capability>
</WMT_MS_Capabilities>
`;
}

/** MapProxy's `VendorSpecificCapabilities` of 1.1.x under `TILED=true`: one TileSet per tile layer. */
function vendorTileSets(tileSets: readonly WmscTileSet[]): string {
  if (tileSets.length === 0) return '';
  const sets = tileSets.map((t) => {
    const [minx, miny, maxx, maxy] = t.bbox.map(e);
    return `    <TileSet>
      <SRS>${e(t.srs)}</SRS>
      <BoundingBox SRS="${e(t.srs)}" minx="${minx}" miny="${miny}" maxx="${maxx}" maxy="${maxy}" />
      <Resolutions>${t.resolutions.map((r) => `${r} `).join('')}</Resolutions>
      <Width>${t.tileSize[0]}</Width>
      <Height>${t.tileSize[1]}</Height>
      <Format>${e(t.format)}</Format>
      <Layers>${e(t.layer)}</Layers>
      <Styles></Styles>
    </TileSet>
`;
  });
  return `  <VendorSpecificCapabilities>
${sets.join('')}  </VendorSpecificCapabilities>
`;
}

function render130(input: CapabilitiesInput): string {
  const { url } = input;
  const md = input.metadata;
  const formats = input.imageFormats.map((f) => text('Format', f)).join('');
  const dcp13 = `<DCPType><HTTP><Get><OnlineResource xlink:href="${e(url)}?"/></Get></HTTP></DCPType>`;
  const legend = hasLegend(input.root)
    ? `\n    <sld:GetLegendGraphic>${formats}${dcp13}</sld:GetLegendGraphic>`
    : '';
  const max =
    input.maxOutputSize === null
      ? ''
      : `\n  <MaxWidth>${input.maxOutputSize[0]}</MaxWidth>\n  <MaxHeight>${input.maxOutputSize[1]}</MaxHeight>`;
  const inspire = input.inspire ?? null;
  const extended = inspire === null ? '' : `\n${renderInspireExtendedCapabilities(inspire)}`;
  return `<?xml version="1.0" ?>
<WMS_Capabilities xmlns="http://www.opengis.net/wms" xmlns:sld="http://www.opengis.net/sld" ${XLINK} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${inspire === null ? '' : INSPIRE_NAMESPACES}version="1.3.0" xsi:schemaLocation="http://www.opengis.net/wms http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd${inspire === null ? '' : INSPIRE_SCHEMA_LOCATION}">
<Service>
  <Name>WMS</Name>
  ${text('Title', md.title ?? '')}
  ${text('Abstract', md.abstract ?? '')}
  ${keywords(md.keywordList, true)}
  <OnlineResource xlink:href="${e(md.onlineResource ?? url)}"/>
${contact(md, '  ')}
${serviceTail(md)}${max}
</Service>
<Capability>
  <Request>
    <GetCapabilities><Format>text/xml</Format>${dcp13}</GetCapabilities>
    <GetMap>${formats}${dcp13}</GetMap>
    <GetFeatureInfo>${input.infoFormats.map((f) => text('Format', f)).join('')}${dcp13}</GetFeatureInfo>${legend}
  </Request>
  <Exception>
    <Format>XML</Format>
    <Format>INIMAGE</Format>
    <Format>BLANK</Format>
  </Exception>${extended}
${layerXml(input.root, input, true, 0)}
</Capability>
</WMS_Capabilities>
`;
}
