/**
 * The scenario registry: `npm run bench` runs these, in this order. To add a group, write
 * bench/scenarios/<group>.ts exporting `Scenario`s and append them here.
 */
import { coldBurstScenarios } from './cold-burst.js';
import { seedScenarios } from './seed.js';
import { tileColdScenarios } from './tiles-cold.js';
import { tileHitScenarios } from './tiles-hit.js';
import { wmsScenarios } from './wms.js';
import type { Scenario } from './types.js';

export type { Scenario, ScenarioContext, ScenarioResult } from './types.js';

export const SCENARIOS: readonly Scenario[] = [
  ...tileHitScenarios,
  ...tileColdScenarios,
  ...coldBurstScenarios,
  ...wmsScenarios,
  ...seedScenarios,
];
