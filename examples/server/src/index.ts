export { startServer, type RunningServer } from './server.js';
export { optionsFromEnv, resolveOptions, ConfigError, type Framework, type Logger, type ServerOptions } from './config.js';
export { createStoreFromEnv, type StoreKind, type StoreFactoryContext } from './store.js';
export { formatDuration } from './duration.js';
export { probeMedia, type ProbeOptions, type ProbeOutcome, type ProbeErrorCode } from './probe.js';
export type { MediaDetails, AudioDetails, VideoDetails } from './media-analysis.js';
export type { AssetMediaFields } from './media-fields.js';
export { parseRange, type RangeAnswer } from './ranges.js';
export type { AssetJson } from './assets.js';
