/**
 * WMS capabilities documents of 1.0.0, 1.1.0, 1.1.1 and 1.3.0 (MapProxy's `wms1xxcapabilities.xml`
 * templates), in the element order of the OGC DTDs/XSD. Every value passes through `escapeXml`.
 */
import { getSrs, type Srs } from '../../srs/index.js';
import { escapeXml as e, type BBox } from '../../util/index.js';
import type { ServiceMetadata } from '../metadata.js';
import { hasLegend, isQueryable, type WmsLayerNode } from './wms-layer.js';
import type { WmsVersion } from './wms-version.js';

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
}

const XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"';

/** MapProxy `limit_llbbox`: longitudes within ±180, latitudes within ±89.999999. */
function llbbox(node: WmsLayerNode): BBox {
  const wgs = getSrs('EPSG:4326');
  const { bbox, srs } = node.extent;
  const ll = srs.equals(wgs) ? bbox : srs.transformBBox(wgs, bbox);
  const clamp = (v: number, limit: number): number =>
    Math.max(-limit, Math.min(limit, Number.isFinite(v) ? v : limit * Math.sign(v)));
  return [clamp(ll[0], 180), clamp(ll[1], 89.999999), clamp(ll[2], 180), clamp(ll[3], 89.999999)];
}

/** The node's extent in each `bbox_srs` (MapProxy `layer_srs_bbox`), x/y order. */
function srsBBoxes(node: WmsLayerNode, input: CapabilitiesInput): { srs: Srs; code: string; bbox: BBox }[] {
  const out: { srs: Srs; code: string; bbox: BBox }[] = [];
  for (const entry of input.bboxSrs) {
    let srs: Srs;
    try {
      srs = getSrs(entry.srs);
    } catch {
      continue;
    }
    const { bbox, srs: from } = node.extent;
    let box = entry.bbox ?? (from.equals(srs) ? bbox : from.transformBBox(srs, bbox));
    if (srs.isGeographic)
      box = [Math.max(box[0], -180), Math.max(box[1], -90), Math.min(box[2], 180), Math.min(box[3], 90)];
    if (box.every(Number.isFinite)) out.push({ srs, code: entry.srs, bbox: box });
  }
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

function attribution(md: Readonly<Record<string, unknown>>): string {
  const a: unknown = md.attribution;
  if (a === undefined || a === null || typeof a !== 'object') return '';
  const { title, url } = a as { title?: unknown; url?: unknown };
  const titleXml = typeof title === 'string' ? text('Title', title) : '';
  const urlXml = typeof url === 'string' ? `<OnlineResource ${XLINK} xlink:href="${e(url)}"/>` : '';
  return `<Attribution>${titleXml}${urlXml}</Attribution>`;
}

function dcp(url: string, version: WmsVersion): string {
  if (version === '1.0.0') return `<DCPType><HTTP><Get onlineResource="${e(url)}?"/></HTTP></DCPType>`;
  return `<DCPType><HTTP><Get><OnlineResource ${XLINK} xlink:href="${e(url)}?"/></Get></HTTP></DCPType>`;
}

/** 1.0.0 format names: `image/png` → `<PNG/>`, info formats `<MIME/>`/`<GML.1/>`. */
function formats100(formats: readonly string[]): string {
  return formats
    .map(
      (f) =>
        `<${
          (f.split('/')[1] ?? f)
            .split(';')[0]
            ?.toUpperCase()
            .replace(/[^A-Z0-9_.]/g, '') ?? 'PNG'
        }/>`,
    )
    .join('');
}

function layerXml(node: WmsLayerNode, input: CapabilitiesInput, isRoot: boolean, depth: number): string {
  const { version } = input;
  const pad = '  '.repeat(depth + 1);
  const md = node.md;
  const v13 = version === '1.3.0';
  const parts: string[] = [];
  if (node.name !== null) parts.push(text('Name', node.name));
  parts.push(text('Title', node.title));
  if (typeof md.abstract === 'string') parts.push(text('Abstract', md.abstract));
  if (v13) parts.push(keywords(md.keyword_list, true));
  if (version === '1.0.0' || version === '1.1.0') {
    if (isRoot || version === '1.0.0') parts.push(text('SRS', input.srs.join(' ') + ' '));
  } else if (isRoot) {
    for (const code of input.srs) parts.push(text(v13 ? 'CRS' : 'SRS', code));
  }
  const ll = llbbox(node);
  if (v13) {
    parts.push(
      `<EX_GeographicBoundingBox><westBoundLongitude>${ll[0]}</westBoundLongitude><eastBoundLongitude>${ll[2]}</eastBoundLongitude>` +
        `<southBoundLatitude>${ll[1]}</southBoundLatitude><northBoundLatitude>${ll[3]}</northBoundLatitude></EX_GeographicBoundingBox>`,
      `<BoundingBox CRS="CRS:84" minx="${ll[0]}" miny="${ll[1]}" maxx="${ll[2]}" maxy="${ll[3]}" />`,
    );
  } else {
    parts.push(`<LatLonBoundingBox minx="${ll[0]}" miny="${ll[1]}" maxx="${ll[2]}" maxy="${ll[3]}" />`);
  }
  for (const { srs, code, bbox } of srsBBoxes(node, input)) {
    const b = v13 && srs.isAxisOrderNE ? [bbox[1], bbox[0], bbox[3], bbox[2]] : bbox;
    parts.push(
      `<BoundingBox ${v13 ? 'CRS' : 'SRS'}="${e(code)}" minx="${b[0]}" miny="${b[1]}" maxx="${b[2]}" maxy="${b[3]}" />`,
    );
  }
  if (version !== '1.0.0') parts.push(attribution(md));
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
    } else if (version !== '1.0.0') {
      // ScaleHint is the diagonal resolution of a pixel
      const min = range.maxRes === null ? 0 : range.maxRes * Math.SQRT2;
      const max = range.minRes === null ? 'INF' : String(range.minRes * Math.SQRT2);
      parts.push(`<ScaleHint min="${min}" max="${max}" />`);
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
function wmtHead(version: WmsVersion, dtd: string, md: ServiceMetadata): string {
  return `<?xml version="1.0"?>
<!DOCTYPE WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/${dtd}"
 [
 <!ELEMENT VendorSpecificCapabilities EMPTY>
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
    <FeatureInfo><Format>${input.infoFormats.map((f) => (f.includes('gml') ? '<GML.1/>' : '<MIME/>')).join('')}</Format>${dcp(url, '1.0.0')}</FeatureInfo>
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
  return `${wmtHead(version, dtd, md)}
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
${layerXml(input.root, input, true, 0)}
</Capability>
</WMT_MS_Capabilities>
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
  return `<?xml version="1.0" ?>
<WMS_Capabilities xmlns="http://www.opengis.net/wms" xmlns:sld="http://www.opengis.net/sld" ${XLINK} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.3.0" xsi:schemaLocation="http://www.opengis.net/wms http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd">
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
  </Exception>
${layerXml(input.root, input, true, 0)}
</Capability>
</WMS_Capabilities>
`;
}
