// The worker thread of a probe (see probe.ts): it parses, the main thread reads the store for it.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { analyzeMedia, type AnalyzeOptions } from './media-analysis.js';
import type { RandomAccessReader } from './object-tokenizer.js';
import type { FromWorker, ToWorker } from './probe-messages.js';

/** Small reads (a parser peeking at a frame header) are served from one block read ahead. */
const BLOCK_BYTES = 64 * 1024;

/** Asks the main thread for bytes, one block at a time, and keeps the last block. */
class RemoteReader implements RandomAccessReader {
  readonly #port: MessagePort;
  readonly #size: number;
  #block: Uint8Array = new Uint8Array(0);
  #blockStart = 0;
  #pending: ((bytes: Uint8Array) => void) | undefined;

  constructor(port: MessagePort, size: number) {
    this.#port = port;
    this.#size = size;
    port.on('message', (message: ToWorker) => {
      const resolve = this.#pending;
      this.#pending = undefined;
      resolve?.(new Uint8Array(message.bytes));
    });
  }

  async read(target: Uint8Array, position: number): Promise<number> {
    let filled = 0;
    while (filled < target.byteLength && position + filled < this.#size) {
      const at = position + filled;
      if (at < this.#blockStart || at >= this.#blockStart + this.#block.byteLength) await this.#load(at, target.byteLength - filled);
      if (this.#block.byteLength === 0) break;
      const piece = this.#block.subarray(at - this.#blockStart, at - this.#blockStart + target.byteLength - filled);
      target.set(piece, filled);
      filled += piece.byteLength;
    }
    return filled;
  }

  close(): void {
    this.#block = new Uint8Array(0);
  }

  async #load(position: number, wanted: number): Promise<void> {
    const length = Math.min(Math.max(wanted, BLOCK_BYTES), this.#size - position);
    this.#block = await new Promise<Uint8Array>((resolve) => {
      this.#pending = resolve;
      this.#post({ type: 'read', position, length });
    });
    this.#blockStart = position;
  }

  #post(message: FromWorker): void {
    this.#port.postMessage(message);
  }
}

const port = parentPort as MessagePort;
const options = workerData as AnalyzeOptions;
const reader = new RemoteReader(port, options.size);
analyzeMedia(reader, options).then(
  (details) => port.postMessage({ type: 'done', details } satisfies FromWorker),
  (error: unknown) => port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromWorker),
);
