/** The keys of a `type: arcgis` source as the schema checked them (MapProxy `sources.rst`). */
import type { SourceConfig } from '../config/index.js';

type HttpSection = NonNullable<Extract<SourceConfig, { type: 'wms' }>['http']>;
type OnErrorSection = NonNullable<Extract<SourceConfig, { type: 'wms' }>['on_error']>;

export interface ArcgisSourceConfig {
  readonly type: 'arcgis';
  readonly req: Readonly<Record<string, string | number | boolean>> & {
    readonly url: string;
    readonly transparent?: boolean;
  };
  readonly opts?: {
    readonly featureinfo?: boolean;
    readonly featureinfo_tolerance?: number;
    readonly featureinfo_return_geometries?: boolean;
  };
  readonly supported_srs?: readonly string[];
  /**
   * Outside MapProxy's arcgis spec (it warns) but read by its image_opts, as `image.transparent`:
   * wins over it; neither is sent to the server.
   */
  readonly transparent?: boolean;
  /**
   * Of its image options `resampling_method` (a `supported_srs` reprojection), `transparent` and
   * `opacity` (outside MapProxy's spec too) are used.
   */
  readonly image?: {
    readonly resampling_method?: string;
    readonly transparent?: boolean;
    readonly opacity?: number;
  };
  readonly concurrent_requests?: number;
  readonly seed_only?: boolean;
  readonly min_res?: number;
  readonly max_res?: number;
  readonly min_scale?: number;
  readonly max_scale?: number;
  readonly http?: HttpSection;
  readonly on_error?: OnErrorSection;
}
