export { describeStoreConformance, type StoreConformanceOptions } from './conformance.js';
export { describeTusProtocol, type ProtocolSuiteOptions, type ServeTus, type ServedTus } from './protocol.js';
export { createTestClient, type TestClient, type TestClientOptions, type TestUploadResult } from './client.js';
export { sha256, randomData, wavFile, wavHeader, WAV_HEADER_BYTES, chunked } from './bytes.js';
export { listenOnLoopback } from './listen.js';
export { openUpload, patchAsCore } from './patch.js';
export { FIXTURES_DIR } from './fixtures.js';
