/**
 * Building blocks for object stores: cut a streamed PATCH body into
 * fixed-size parts with bounded memory and backpressure, and stop a store's
 * writes to an upload before it is removed. What is left to a store is how a
 * part is uploaded and how the offset follows from what its service holds.
 *
 * @packageDocumentation
 */
export { ActiveWrites } from './active-writes.js';
export { BufferPool, SpareBuffers } from './buffer-pool.js';
export { writeParts, type WritePartsOptions } from './write-parts.js';
