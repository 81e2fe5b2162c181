/**
 * Maps `services.wms.inspire_md` (already checked against the spec) onto the WMS service's
 * `InspireMetadata`; values are stringified as MapProxy's template does (`{{value}}`).
 */
import type { InspireDates, InspireMetadata, InspireResourceLocator } from '../service/index.js';

type Rec = Readonly<Record<string, unknown>>;

function rec(value: unknown): Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : {};
}

function list(value: unknown): Rec[] {
  return Array.isArray(value) ? value.map(rec) : [];
}

/** Python's `str()` of a YAML scalar: numbers and booleans as Python prints them. */
function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value === true) return 'True';
  if (value === false) return 'False';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function optional(value: unknown): string | undefined {
  return value === undefined ? undefined : str(value);
}

function locator(value: unknown): InspireResourceLocator {
  const r = rec(value);
  return { url: str(r.url), mediaType: str(r.media_type) };
}

function dates(r: Rec): InspireDates {
  return {
    dateOfPublication: optional(r.date_of_publication),
    dateOfCreation: optional(r.date_of_creation),
    dateOfLastRevision: optional(r.date_of_last_revision),
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str) : [];
}

/** The service's INSPIRE metadata, or null without `inspire_md`. */
export function inspireMetadata(config: Rec | undefined): InspireMetadata | null {
  if (config === undefined) return null;
  const defaultLanguage = str(rec(config.languages).default);
  if (config.type === 'linked')
    return { type: 'linked', metadataUrl: locator(config.metadata_url), defaultLanguage };
  return {
    type: 'embedded',
    resourceLocators: list(config.resource_locators).map(locator),
    temporalReference: dates(rec(config.temporal_reference)),
    conformities: list(config.conformities).map((c) => ({
      ...dates(c),
      title: str(c.title),
      uris: strings(c.uris),
      resourceLocators: list(c.resource_locators).map(locator),
      degree: str(c.degree),
    })),
    pointsOfContact: list(config.metadata_points_of_contact).map((p) => ({
      organisationName: str(p.organisation_name),
      email: str(p.email),
    })),
    metadataDate: str(config.metadata_date),
    mandatoryKeywords: strings(config.mandatory_keywords),
    keywords: list(config.keywords).map((k) => ({
      ...dates(k),
      title: str(k.title),
      uris: strings(k.uris),
      resourceLocators: list(k.resource_locators).map(locator),
      keywordValue: str(k.keyword_value),
    })),
    defaultLanguage,
    // MapProxy's `{{if inspire_md.metadata_url}}`: an optional link besides the embedded metadata
    metadataUrl: config.metadata_url === undefined ? null : locator(config.metadata_url),
  };
}
