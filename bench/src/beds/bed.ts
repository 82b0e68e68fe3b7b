import { createHash } from 'node:crypto';
import type { Backend, Storage } from '../servers/config.js';

/** Size and sha256 (hex) of stored bytes. */
export interface Digest {
  size: number;
  sha256: string;
}

/**
 * One backend the servers write to (a directory, a MinIO, a fake-gcs-server),
 * with a separate area per target and the means to check what an upload
 * left there, independently of the server that wrote it.
 */
export interface Bed {
  readonly backend: Backend;
  /** One line for the report: what the backend is. */
  readonly description: string;
  /** A fresh area (directory or bucket) for one target. */
  prepare(targetId: string): Promise<Storage>;
  /** What is stored under `key` in the area. */
  digest(storage: Storage, key: string): Promise<Digest>;
  /** Empties the area between repetitions. */
  clear(storage: Storage): Promise<void>;
  close(): Promise<void>;
}

/**
 * Hashes a byte stream.
 *
 * @example
 * ```ts
 * const { size, sha256 } = await digestOf(createReadStream(path));
 * ```
 */
export async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<Digest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Narrows a target's storage to the bed's backend (a mix-up is a harness bug).
 *
 * @example
 * ```ts
 * const { directory } = storageOf(storage, 'fs');
 * ```
 */
export function storageOf<B extends Backend>(storage: Storage, backend: B): Extract<Storage, { backend: B }> {
  if (storage.backend !== backend) throw new Error(`expected ${backend} storage, got ${storage.backend}`);
  return storage as Extract<Storage, { backend: B }>;
}
