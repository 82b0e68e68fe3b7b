export { createTus, Tus } from './tus.js';
export type {
  TusOptions,
  TusHooks,
  HookEvent,
  CorsOptions,
  BeforeCreateEvent,
  CreateChanges,
  FinishResponse,
  DownloadOptions,
} from './options.js';
export {
  TUS_CHANNELS,
  type TusChannelName,
  type TusDiagnostics,
  type TusLogger,
  type PatchEndReason,
  type TusErrorSource,
} from './diagnostics.js';
export { TUS_ERRORS, TusError, isTusError, type TusErrorCode, type TusErrorOptions } from './errors.js';
export {
  isListableStore,
  isReadableStore,
  isDownloadUrlStore,
  isClosableStore,
  isLengthDeferringStore,
  isConcatenationStore,
  type DataStore,
  type UploadHandle,
  type UploadBody,
  type ClosableStore,
  type LengthDeferringStore,
  type ConcatenationStore,
  type ListableStore,
  type UnreadableUpload,
  type ReadableStore,
  type DownloadUrlStore,
  type DownloadUrlOptions,
  type ByteRange,
} from './store.js';
export {
  MIN_UPLOAD_SIZE,
  DEFAULT_MAX_SIZE,
  type UploadInfo,
  type NewUpload,
  type UploadConcat,
  type UploadChanges,
  type StoredObject,
  type MediaInfo,
  type DetectedFormat,
  type CreateUploadInput,
  type CreatedUpload,
} from './upload.js';
export { MemoryLocker, type Locker, type Lock, type LockOptions } from './locker.js';
export { MemoryStore } from './memory-store.js';
export { ANY_AUDIO_OR_VIDEO, HEAD_BYTES, checkContent, detectFormat, mediaInfoOf, type ContentRule, type ContentCheck, type FirstBytes } from './media.js';
export {
  TUS_VERSION,
  PATCH_CONTENT_TYPE,
  headerReader,
  httpDate,
  parseNonNegativeInteger,
  parseUploadMetadata,
  formatUploadMetadata,
  isMetadataKey,
  type HeaderReader,
  type TusRequest,
  type ClientSignal,
  type TusResponse,
} from './http.js';
export { bodyOf } from './body.js';
export { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksum.js';
export { freeChunk } from './chunk-memory.js';
