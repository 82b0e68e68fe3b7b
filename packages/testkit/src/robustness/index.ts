export type { RobustnessBackend, RobustStore, RobustStoreOptions } from './backend.js';
export { crashCases } from './crash.js';
export { boundedMemoryCases } from './memory.js';
export { parallelUploadCases, terminationCases } from './termination.js';
export { unavailableCases, type UnavailableBackend } from './unavailable.js';
