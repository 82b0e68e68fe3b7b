import type { DataStore, ReadableStore } from '@tuskit/core';
import type { ChildServer } from '../child-server.js';

/** Where one test file's uploads go in the backend, and how big their parts are. */
export interface RobustStoreOptions {
  keyPrefix: string;
  /** The store's part (or block) size; its default when absent. */
  partSize?: number;
}

/** What the robustness cases need of a store. */
export type RobustStore = DataStore & ReadableStore;

/**
 * A store over a real backend, as the robustness cases drive it: one
 * adapter per store package, built inside the `describe` that started the
 * backend. Its members are called inside tests only.
 *
 * @example
 * ```ts
 * describeWithFakeGcs('GcsStore when the server is SIGKILLed mid-PATCH', (gcs) => crashCases(gcsBackend(gcs)));
 * ```
 */
export interface RobustnessBackend {
  /** A new store instance over the backend. */
  store(options: RobustStoreOptions): RobustStore;
  /** The same store in a server process of its own (the store package built), to kill or to measure. */
  startChild(options: RobustStoreOptions): Promise<ChildServer>;
  /** The name of every object of one upload left in the backend, sorted as the backend lists them. */
  leftovers(id: string, keyPrefix: string): Promise<string[]>;
  /** What {@link leftovers} shows for an upload just created, before any byte. */
  createdObjects(id: string, keyPrefix: string): string[];
  /** What {@link leftovers} shows for a finished upload: its one object. */
  finishedObject(id: string, keyPrefix: string): string;
  /** The finished object's size and content type, as the backend reports them. */
  describeObject(name: string): Promise<{ size: number; contentType: string | undefined }>;
  /** The store's default part size. */
  defaultPartSize: number;
  /** Parts a SIGKILL mid-PATCH may lose at most: those uploading side by side and the one filling. */
  partsLostOnCrash: number;
  /** Bytes of a live upload's recorded parts, as the backend lists them (e.g. Azure's committed blocks). */
  storedBytes?(id: string, keyPrefix: string): Promise<number>;
  /**
   * Leaves in the backend what a write killed between uploading a part and
   * recording it would leave (e.g. an uncommitted block); resolves the entry
   * {@link leftovers} then shows for the upload.
   */
  strand?(id: string, keyPrefix: string): Promise<string>;
}
