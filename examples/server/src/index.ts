export { startServer, type RunningServer } from './server.js';
export { optionsFromEnv, resolveOptions, ConfigError, type Framework, type ServerOptions } from './config.js';
export { jsonLogger, type Logger, type JsonLoggerOptions, type RequestLine } from './logging.js';
export type { CorsOrigins } from './cors.js';
export { createStoreFromEnv, type StoreKind, type StoreFactoryContext } from './store.js';
export { measureDuration, formatDuration, type MeasureOptions } from './duration.js';
export { parseRange, type RangeAnswer } from './ranges.js';
export type { AssetJson } from './assets.js';
