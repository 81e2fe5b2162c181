/**
 * Service metadata (MapProxy `services.<svc>.md`, inheriting `services.wms.md`) as the capabilities
 * documents use it. `app/` maps the YAML keys (`online_resource`, `keyword_list`...) onto this.
 */

export interface KeywordList {
  readonly vocabulary?: string | undefined;
  readonly keywords: readonly string[];
}

export interface ContactMetadata {
  readonly person?: string | undefined;
  readonly position?: string | undefined;
  readonly organization?: string | undefined;
  readonly address?: string | undefined;
  readonly city?: string | undefined;
  /** YAML often gives a number (`postcode: 53111`). */
  readonly postcode?: string | number | undefined;
  readonly state?: string | undefined;
  readonly country?: string | undefined;
  readonly phone?: string | number | undefined;
  readonly fax?: string | number | undefined;
  readonly email?: string | undefined;
}

export interface ServiceMetadata {
  readonly title?: string | undefined;
  readonly abstract?: string | undefined;
  readonly onlineResource?: string | undefined;
  readonly fees?: string | undefined;
  readonly accessConstraints?: string | undefined;
  readonly keywordList?: readonly KeywordList[] | undefined;
  readonly contact?: ContactMetadata | undefined;
}
