/**
 * The WMTS 1.0.0 capabilities document (MapProxy `wmts100capabilities.xml`). The KVP variant has
 * OperationsMetadata with `<url>?` endpoints; the RESTful one ResourceURL templates and a
 * ServiceMetadataURL instead.
 */
import type { LayerDimension } from '../../layer/index.js';
import { getSrs } from '../../srs/index.js';
import { pyFloatRepr, type RawXml, xml } from '../../util/index.js';
import type { ServiceMetadata } from '../metadata.js';
import type { TileMatrixSet } from './tile-matrix-set.js';
import type { FeatureInfoFormat } from './wmts-tiles.js';
import type { WmtsLayer } from './wmts-layers.js';

export interface WmtsCapabilitiesInput {
  readonly metadata: ServiceMetadata;
  readonly layers: Iterable<WmtsLayer>;
  readonly matrixSets: readonly TileMatrixSet[];
  /** KVP: the endpoint URL (`…/service`); REST: the base URL (`…/wmts`). */
  readonly url: string;
  /** Present for the RESTful document: the tile URL template below `url`. */
  readonly restfulTemplate?: string | undefined;
  /** The RESTful document's FeatureInfo URL template below `url`. */
  readonly featureInfoTemplate?: string | undefined;
  /** `featureinfo_formats`, listed for queryable layers. */
  readonly infoFormats?: readonly FeatureInfoFormat[] | undefined;
}

export function renderWmtsCapabilities(input: WmtsCapabilitiesInput): string {
  const restful = input.restfulTemplate !== undefined;
  return xml`<?xml version="1.0"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:gml="http://www.opengis.net/gml" xsi:schemaLocation="http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd" version="1.0.0">
${serviceIdentification(input.metadata)}${serviceProvider(input.metadata)}${restful ? '' : operationsMetadata(input.url)}  <Contents>
${[...input.layers].map((layer) => layerElement(layer, input))}${input.matrixSets.map(matrixSetElement)}  </Contents>
${
  restful
    ? xml`  <ServiceMetadataURL xlink:href="${input.url}/1.0.0/WMTSCapabilities.xml"/>
`
    : ''
}</Capabilities>
`.markup;
}

function serviceIdentification(md: ServiceMetadata): RawXml {
  // MapProxy puts every keyword in one <ows:Keywords> with a `vocabulary` attribute, which OWS 1.1
  // does not allow; we keep one block per keyword list and carry the vocabulary in <ows:Type>
  const blocks = (md.keywordList ?? [])
    .filter((list) => list.keywords.length > 0)
    .map((list) => {
      const keywords = list.keywords.map(
        (keyword) => xml`
      <ows:Keyword>${keyword}</ows:Keyword>`,
      );
      const type = list.vocabulary
        ? xml`
      <ows:Type codeSpace="${list.vocabulary}">${list.vocabulary}</ows:Type>`
        : '';
      return xml`    <ows:Keywords>${keywords}${type}
    </ows:Keywords>
`;
    });
  return xml`  <ows:ServiceIdentification>
    <ows:Title>${md.title ?? ''}</ows:Title>
    <ows:Abstract>${md.abstract ?? ''}</ows:Abstract>
${blocks}    <ows:ServiceType>OGC WMTS</ows:ServiceType>
    <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
    <ows:Fees>${md.fees ?? 'none'}</ows:Fees>
    <ows:AccessConstraints>${md.accessConstraints ?? 'none'}</ows:AccessConstraints>
  </ows:ServiceIdentification>
`;
}

function serviceProvider(md: ServiceMetadata): RawXml | '' {
  const contact = md.contact;
  // MapProxy: `{{if service.contact}}` - an empty contact mapping renders nothing
  if (contact === undefined || Object.keys(contact).length === 0) return '';
  return xml`  <ows:ServiceProvider>
    <ows:ProviderName>${contact.organization ?? ''}</ows:ProviderName>
    <ows:ProviderSite xlink:href="${md.onlineResource ?? ''}"/>
    <ows:ServiceContact>
      <ows:IndividualName>${contact.person ?? ''}</ows:IndividualName>
      <ows:PositionName>${contact.position ?? ''}</ows:PositionName>
      <ows:ContactInfo>
        <ows:Phone>
          <ows:Voice>${contact.phone ?? ''}</ows:Voice>
          <ows:Facsimile>${contact.fax ?? ''}</ows:Facsimile>
        </ows:Phone>
        <ows:Address>
          <ows:DeliveryPoint>${contact.organization ?? ''}</ows:DeliveryPoint>
          <ows:City>${contact.city ?? ''}</ows:City>
          <ows:PostalCode>${contact.postcode ?? ''}</ows:PostalCode>
          <ows:Country>${contact.country ?? ''}</ows:Country>
          <ows:ElectronicMailAddress>${contact.email ?? ''}</ows:ElectronicMailAddress>
        </ows:Address>
      </ows:ContactInfo>
    </ows:ServiceContact>
  </ows:ServiceProvider>
`;
}

function operationsMetadata(url: string): RawXml {
  const operations = ['GetCapabilities', 'GetTile', 'GetFeatureInfo'].map(
    (name) => xml`    <ows:Operation name="${name}">
      <ows:DCP>
        <ows:HTTP>
          <ows:Get xlink:href="${url}?">
            <ows:Constraint name="GetEncoding">
              <ows:AllowedValues>
                <ows:Value>KVP</ows:Value>
              </ows:AllowedValues>
            </ows:Constraint>
          </ows:Get>
        </ows:HTTP>
      </ows:DCP>
    </ows:Operation>
`,
  );
  return xml`  <ows:OperationsMetadata>
${operations}  </ows:OperationsMetadata>
`;
}

/**
 * MapProxy writes each layer dimension with the spelling of the RESTful template's variable
 * (`{Time}` -> `Time`); a dimension the template lacks (and the KVP document, where MapProxy 1.15
 * fails with an internal error) keeps the config's spelling.
 */
function dimensionElements(dimensions: readonly LayerDimension[], template: string | undefined): RawXml[] {
  const spelling = new Map<string, string>();
  for (const [, name = ''] of (template ?? '').matchAll(/\{(\w+)\}/g)) spelling.set(name.toLowerCase(), name);
  return dimensions.map((dimension) => {
    const identifier = spelling.get(dimension.identifier.toLowerCase()) ?? dimension.identifier;
    const values = dimension.values.map(
      (value) => xml`        <Value>${value}</Value>
`,
    );
    return xml`      <Dimension>
        <ows:Identifier>${identifier}</ows:Identifier>
        <Default>${dimension.default}</Default>
${values}      </Dimension>
`;
  });
}

function layerElement(layer: WmtsLayer, input: WmtsCapabilitiesInput): RawXml {
  const { main } = layer;
  // MapProxy MapExtent.llbbox: the cache's coverage in EPSG:4326, else its grid's extent
  // transformed to EPSG:4326 (16 points per edge)
  const [minx, miny, maxx, maxy] = (
    main.llbbox ?? main.grid.srs.transformBBox(getSrs(4326), main.extent)
  ).map(pyFloatRepr);
  const format = `image/${main.extension}`;
  const links = [...layer.byGrid.keys()].map(
    (gridName) => xml`      <TileMatrixSetLink>
        <TileMatrixSet>${gridName}</TileMatrixSet>
      </TileMatrixSetLink>
`,
  );
  const resource =
    input.restfulTemplate === undefined
      ? ''
      : xml`      <ResourceURL format="${format}" resourceType="tile"
        template="${input.url}${input.restfulTemplate.replaceAll('{Format}', main.extension).replaceAll('{Layer}', layer.name)}"/>
`;
  // MapProxy `layer.queryable`: the info formats, and in REST a FeatureInfo template for each
  const infoFormats = (main.infoSources ?? []).length > 0 ? (input.infoFormats ?? []) : [];
  const infoFormatElements = infoFormats.map(
    (info) => xml`      <InfoFormat>${info.mimetype}</InfoFormat>
`,
  );
  const { featureInfoTemplate } = input;
  const infoResources =
    input.restfulTemplate === undefined || featureInfoTemplate === undefined
      ? []
      : infoFormats.map(
          (
            info,
          ) => xml`      <ResourceURL format="${info.mimetype}" resourceType="FeatureInfo" template="${input.url}${featureInfoTemplate.replaceAll('{InfoFormat}', info.suffix).replaceAll('{Layer}', layer.name)}"/>
`,
        );
  return xml`    <Layer>
      <ows:Title>${main.title}</ows:Title>
      <ows:Abstract></ows:Abstract>
      <ows:WGS84BoundingBox>
        <ows:LowerCorner>${minx} ${miny}</ows:LowerCorner>
        <ows:UpperCorner>${maxx} ${maxy}</ows:UpperCorner>
      </ows:WGS84BoundingBox>
      <ows:Identifier>${layer.name}</ows:Identifier>
      <Style>
        <ows:Identifier>default</ows:Identifier>
      </Style>
      <Format>${format}</Format>
${infoFormatElements}${dimensionElements(main.dimensions ?? [], input.restfulTemplate)}${links}${resource}${infoResources}    </Layer>
`;
}

function matrixSetElement(set: TileMatrixSet): RawXml {
  const matrices = set.matrices.map(
    (matrix) => xml`      <TileMatrix>
        <ows:Identifier>${matrix.identifier}</ows:Identifier>
        <ScaleDenominator>${pyFloatRepr(matrix.scaleDenominator)}</ScaleDenominator>
        <TopLeftCorner>${pyFloatRepr(matrix.topLeftCorner[0])} ${pyFloatRepr(matrix.topLeftCorner[1])}</TopLeftCorner>
        <TileWidth>${matrix.tileSize[0]}</TileWidth>
        <TileHeight>${matrix.tileSize[1]}</TileHeight>
        <MatrixWidth>${matrix.matrixSize[0]}</MatrixWidth>
        <MatrixHeight>${matrix.matrixSize[1]}</MatrixHeight>
      </TileMatrix>
`,
  );
  return xml`    <TileMatrixSet>
      <ows:Identifier>${set.identifier}</ows:Identifier>
      <ows:SupportedCRS>${set.supportedCrs}</ows:SupportedCRS>
${matrices}    </TileMatrixSet>
`;
}
