// What the main thread and a probe's worker say to each other.
import type { MediaDetails } from './media-analysis.js';

/** From the worker: a read request, or the outcome. */
export type FromWorker =
  | { type: 'read'; position: number; length: number }
  | { type: 'done'; details: MediaDetails }
  | { type: 'failed'; message: string };

/** To the worker: the bytes of its last read request (fewer only at the end of the object). */
export interface ToWorker {
  bytes: ArrayBuffer;
}
