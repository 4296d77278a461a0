export { applyBaseline, readBaseline } from './baseline.ts';
export { fixtureIds, idOfRelativePath, loadFamilyFixtures, loadFixtures } from './fixtures.ts';
export { writeGoldenOutputs } from './golden.ts';
export { corpusInputs, type InputSet, labelledInputs } from './inputs.ts';
export {
  type CellPlan,
  filterRuntimes,
  parseRuntimeNames,
  parseShard,
  planCells,
  type RuntimeFilter,
  type Shard,
  shardCells,
} from './plan.ts';
export type { Platform, PlatformDefinition } from './platform.ts';
export { RunPlatforms, registerPlatform } from './platforms.ts';
export { type Progress, silentProgress, streamProgress } from './progress.ts';
export { computeReference, FIXTURE_OUTPUTS, type Reference } from './reference.ts';
export { type CheckOptions, exitCodeOf, type RunSetup, runCheck, setUpRun, updateGoldenOutputs } from './run.ts';
export { adapterFor, HOST_RUNTIMES, RUNTIME_FORMATS } from './runtimes.ts';
