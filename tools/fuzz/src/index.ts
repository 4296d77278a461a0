export { type CampaignOptions, type Finding, fuzzReader, type ReaderResult, runCampaign } from './supervisor.ts';
export { type FuzzTarget, TARGETS, targetByName } from './targets.ts';
