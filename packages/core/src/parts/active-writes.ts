interface ActiveWrite {
  controller: AbortController;
  done: Promise<unknown>;
}

/**
 * The writes a store instance is running, by upload, so that `remove` can
 * stop them and wait for their last part before it deletes: otherwise a part
 * landing after the deletion would be left behind.
 *
 * @example
 * ```ts
 * import { ActiveWrites, writeParts } from '@tuskit/core/parts';
 *
 * const writes = new ActiveWrites();
 * const written = await writes.run(id, (signal) => writeParts(body, { partSize, partsInFlight: 2, signal, flush }));
 * await writes.cancel(id); // in `remove`, before deleting
 * ```
 */
export class ActiveWrites {
  readonly #byId = new Map<string, Set<ActiveWrite>>();

  /**
   * Runs `work` as a write of `id`; its signal aborts when the upload is removed.
   *
   * @example
   * ```ts
   * await writes.run('a1', (signal) => writeParts(body, { partSize, partsInFlight: 2, signal, flush }));
   * ```
   */
  async run<T>(id: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const done = work(controller.signal);
    const entry: ActiveWrite = { controller, done };
    const writes = this.#byId.get(id) ?? new Set<ActiveWrite>();
    this.#byId.set(id, writes.add(entry));
    try {
      return await done;
    } finally {
      writes.delete(entry);
      if (writes.size === 0 && this.#byId.get(id) === writes) this.#byId.delete(id);
    }
  }

  /**
   * Aborts every write of `id` and resolves once they have all settled.
   *
   * @example
   * ```ts
   * await writes.cancel('a1');
   * ```
   */
  async cancel(id: string): Promise<void> {
    const writes = [...(this.#byId.get(id) ?? [])];
    for (const write of writes) write.controller.abort();
    await Promise.allSettled(writes.map((write) => write.done));
  }
}
