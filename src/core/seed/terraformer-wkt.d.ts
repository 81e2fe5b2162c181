/** Types for @terraformer/wkt, which ships none: only the parser the seed coverages use. */
declare module '@terraformer/wkt' {
  export function wktToGeoJSON(wkt: string): unknown;
}
