/**
 * INSPIRE View Service extended capabilities (`services.wms.inspire_md`), the block MapProxy 1.15
 * writes into WMS 1.3.0 capabilities only (`wms130capabilities.xml`); linked or embedded metadata.
 */
import { escapeXml as e } from '../../util/index.js';

export interface InspireResourceLocator {
  readonly url: string;
  readonly mediaType: string;
}

/** The optional dates of a temporal reference, a conformity or a keyword vocabulary. */
export interface InspireDates {
  readonly dateOfPublication?: string | undefined;
  readonly dateOfCreation?: string | undefined;
  readonly dateOfLastRevision?: string | undefined;
}

export interface InspireConformity extends InspireDates {
  readonly title: string;
  readonly uris: readonly string[];
  readonly resourceLocators: readonly InspireResourceLocator[];
  readonly degree: string;
}

export interface InspireKeyword extends InspireDates {
  readonly title: string;
  readonly uris: readonly string[];
  readonly resourceLocators: readonly InspireResourceLocator[];
  readonly keywordValue: string;
}

/** `type: linked`: a link to the service metadata in a discovery service. */
export interface InspireLinked {
  readonly type: 'linked';
  readonly metadataUrl: InspireResourceLocator;
  readonly defaultLanguage: string;
}

/** `type: embedded`: the service metadata written into the capabilities. */
export interface InspireEmbedded {
  readonly type: 'embedded';
  readonly resourceLocators: readonly InspireResourceLocator[];
  readonly temporalReference: InspireDates;
  readonly conformities: readonly InspireConformity[];
  readonly pointsOfContact: readonly { readonly organisationName: string; readonly email: string }[];
  readonly metadataDate: string;
  readonly mandatoryKeywords: readonly string[];
  readonly keywords: readonly InspireKeyword[];
  readonly defaultLanguage: string;
  readonly metadataUrl: InspireResourceLocator | null;
}

export type InspireMetadata = InspireLinked | InspireEmbedded;

/** The namespace declarations MapProxy adds to `<WMS_Capabilities>` when `inspire_md` is set. */
export const INSPIRE_NAMESPACES =
  'xmlns:inspire_common="http://inspire.ec.europa.eu/schemas/common/1.0" xmlns:inspire_vs="http://inspire.ec.europa.eu/schemas/inspire_vs/1.0" ';

/** The schema location pair MapProxy appends to `xsi:schemaLocation`. */
export const INSPIRE_SCHEMA_LOCATION =
  ' http://inspire.ec.europa.eu/schemas/inspire_vs/1.0 http://inspire.ec.europa.eu/schemas/inspire_vs/1.0/inspire_vs.xsd';

const C = 'inspire_common';

function el(name: string, value: string): string {
  return `<${C}:${name}>${e(value)}</${C}:${name}>`;
}

function locator(tag: 'MetadataUrl' | 'ResourceLocator', rl: InspireResourceLocator, pad: string): string {
  return `${pad}<${C}:${tag}>\n${pad}  ${el('URL', rl.url)}\n${pad}  ${el('MediaType', rl.mediaType)}\n${pad}</${C}:${tag}>`;
}

/** MapProxy's `inspire_dates`: only the dates that are configured, in this order. */
function dates(d: InspireDates, pad: string): string[] {
  const out: string[] = [];
  if (d.dateOfPublication !== undefined) out.push(`${pad}${el('DateOfPublication', d.dateOfPublication)}`);
  if (d.dateOfCreation !== undefined) out.push(`${pad}${el('DateOfCreation', d.dateOfCreation)}`);
  if (d.dateOfLastRevision !== undefined) out.push(`${pad}${el('DateOfLastRevision', d.dateOfLastRevision)}`);
  return out;
}

function languages(lang: string): string[] {
  return [
    `    <${C}:SupportedLanguages>`,
    `      <${C}:DefaultLanguage>`,
    `        ${el('Language', lang)}`,
    `      </${C}:DefaultLanguage>`,
    `    </${C}:SupportedLanguages>`,
    `    <${C}:ResponseLanguage>`,
    `      ${el('Language', lang)}`,
    `    </${C}:ResponseLanguage>`,
  ];
}

function embedded(md: InspireEmbedded): string[] {
  const lines = md.resourceLocators.map((rl) => locator('ResourceLocator', rl, '    '));
  lines.push(`    ${el('ResourceType', 'service')}`, `    <${C}:TemporalReference>`);
  lines.push(...dates(md.temporalReference, '      '), `    </${C}:TemporalReference>`);
  for (const c of md.conformities) {
    lines.push(`    <${C}:Conformity>`, `      <${C}:Specification>`, `        ${el('Title', c.title)}`);
    lines.push(...dates(c, '        '), ...c.uris.map((uri) => `        ${el('URI', uri)}`));
    lines.push(...c.resourceLocators.map((rl) => locator('ResourceLocator', rl, '        ')));
    lines.push(`      </${C}:Specification>`, `      ${el('Degree', c.degree)}`, `    </${C}:Conformity>`);
  }
  for (const p of md.pointsOfContact) {
    lines.push(
      `    <${C}:MetadataPointOfContact>`,
      `      ${el('OrganisationName', p.organisationName)}`,
      `      ${el('EmailAddress', p.email)}`,
      `    </${C}:MetadataPointOfContact>`,
    );
  }
  lines.push(`    ${el('MetadataDate', md.metadataDate)}`, `    ${el('SpatialDataServiceType', 'view')}`);
  for (const k of md.mandatoryKeywords)
    lines.push(
      `    <${C}:MandatoryKeyword>`,
      `      ${el('KeywordValue', k)}`,
      `    </${C}:MandatoryKeyword>`,
    );
  for (const k of md.keywords) {
    lines.push(
      `    <${C}:Keyword>`,
      `      <${C}:OriginatingControlledVocabulary>`,
      `        ${el('Title', k.title)}`,
    );
    lines.push(...dates(k, '        '), ...k.uris.map((uri) => `        ${el('URI', uri)}`));
    lines.push(...k.resourceLocators.map((rl) => locator('ResourceLocator', rl, '        ')));
    lines.push(
      `      </${C}:OriginatingControlledVocabulary>`,
      `      ${el('KeywordValue', k.keywordValue)}`,
      `    </${C}:Keyword>`,
    );
  }
  lines.push(...languages(md.defaultLanguage));
  if (md.metadataUrl !== null) lines.push(locator('MetadataUrl', md.metadataUrl, '    '));
  return lines;
}

/** `<inspire_vs:ExtendedCapabilities>`, placed after `<Exception>` in `<Capability>`. */
export function renderInspireExtendedCapabilities(md: InspireMetadata): string {
  const body =
    md.type === 'linked'
      ? [locator('MetadataUrl', md.metadataUrl, '    '), ...languages(md.defaultLanguage)]
      : embedded(md);
  return `  <inspire_vs:ExtendedCapabilities>\n${body.join('\n')}\n  </inspire_vs:ExtendedCapabilities>`;
}
