/**
 * The seed.yaml spec (MapProxy's seed/spec.py): `seeds`, `cleanups`, `coverages`.
 * One source of truth for validation and schema/seed.schema.json.
 */
import { coverageSpec, timeSpec } from './mapproxy-spec.js';
import { bool, dict, int, list, mapOf, num, oneOf, required, str, type SpecDocument } from './spec-dsl.js';

const fromTo = dict({ from: num, to: num });

const taskCommon = {
  caches: required(list(str)),
  grids: list(str),
  coverages: list(str),
  levels: oneOf(list(int), fromTo),
  // MapProxy's spec says [int()] here, which rejects every fractional resolution; numbers are meant.
  resolutions: oneOf(list(num), fromTo),
};

export const seedSpec: SpecDocument = {
  root: dict({
    coverages: mapOf(dict(coverageSpec.keys)),
    seeds: mapOf(dict({ ...taskCommon, refresh_before: timeSpec })),
    cleanups: mapOf(dict({ ...taskCommon, remove_before: timeSpec, remove_all: bool })),
  }),
  defs: { coverage: coverageSpec },
};
