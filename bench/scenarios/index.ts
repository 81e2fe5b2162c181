/**
 * The scenario registry: `npm run bench` runs these, in this order. To add a group (WMS GetMap,
 * seeding), write bench/scenarios/<group>.ts exporting `Scenario`s and append them here.
 */
import { tileColdScenarios } from './tiles-cold.js';
import { tileHitScenarios } from './tiles-hit.js';
import type { Scenario } from './types.js';

export type { Scenario, ScenarioContext, ScenarioResult } from './types.js';

export const SCENARIOS: readonly Scenario[] = [...tileHitScenarios, ...tileColdScenarios];
