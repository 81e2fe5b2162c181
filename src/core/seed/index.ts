/**
 * Seeding and cleanup (MapProxy `mapproxy-seed`): seed.yaml tasks planned against a built proxy,
 * walked meta tile by meta tile through the same TileManagers the server uses. Never prints.
 */
export { SeedError, type SeedErrorCode } from './errors.js';
export { runSeed, planSeedRun, type RunSeedOptions, type SeedRunResult, type SeedRunStatus } from './run-seed.js';
export { planSeed, type PlannedTask, type SeedPlan, type TaskSelection, type PlanContext } from './plan.js';
export { formatSeedPlan } from './format-plan.js';
export { seedPlanProblems } from './plan-problems.js';
export { benchmarkSeed, type SeedBenchmark } from './benchmark.js';
export { taskLevels } from './levels.js';
export { walkTiles, canSkip, type ProgressPath, type WalkOptions } from './walk.js';
export type { SeedEvent, SeedTaskInfo, TaskStats } from './types.js';
export { runExport, type ExportOptions, type ExportResult } from './export.js';
export { parseLevels, parseGridDefinition, EXPORT_TYPES } from './export-args.js';
export { runDefrag, type DefragRunOptions } from './defrag.js';
