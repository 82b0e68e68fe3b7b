import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { createAzuriteContainer, startAzurite, type AzuriteOptions, type AzuriteTarget } from '@tuskit/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { AzureStore, type AzureStoreOptions } from '../../src/index.js';

/** One Azurite and a fresh container, shared by the tests of one file. */
export interface Azurite {
  readonly target: AzuriteTarget;
  /** The container's name. */
  readonly name: string;
  /** A client of the container that fails fast (tests want errors, not retries). */
  readonly container: ContainerClient;
  /** A new store over the container; every call is a fresh instance. */
  store(options?: Partial<AzureStoreOptions>): AzureStore;
  /**
   * Every blob of one upload, committed or holding only uncommitted blocks,
   * as `name` or `name (uncommitted blocks)` when uncommitted blocks remain.
   */
  leftovers(id: string, keyPrefix?: string): Promise<string[]>;
}

/**
 * `describe` with an Azurite (the npm package, as a child process, through
 * `@tuskit/testkit`) started before its tests and a fresh container.
 *
 * @example
 * ```ts
 * describeWithAzurite('AzureStore', (azure) => {
 *   it('creates', async () => { await azure.store().create({ ... }); });
 * });
 * ```
 */
export function describeWithAzurite(name: string, body: (azure: Azurite) => void, options: AzuriteOptions = {}): void {
  describe(name, () => {
    const azure = new LazyAzurite();
    beforeAll(() => azure.start(options), 60_000);
    afterAll(() => azure.stop());
    body(azure);
  });
}

class LazyAzurite implements Azurite {
  #target: AzuriteTarget | undefined;
  #name: string | undefined;

  get target(): AzuriteTarget {
    return ready(this.#target);
  }

  get name(): string {
    return ready(this.#name);
  }

  get container(): ContainerClient {
    return BlobServiceClient.fromConnectionString(this.target.connectionString, { retryOptions: { maxTries: 1 } }).getContainerClient(
      this.name,
    );
  }

  async start(options: AzuriteOptions): Promise<void> {
    this.#target = await startAzurite(options);
    this.#name = await createAzuriteContainer(this.#target);
  }

  async stop(): Promise<void> {
    await this.#target?.stop();
  }

  store(options: Partial<AzureStoreOptions> = {}): AzureStore {
    return new AzureStore({ container: this.name, connectionString: this.target.connectionString, ...options });
  }

  async leftovers(id: string, keyPrefix = ''): Promise<string[]> {
    const names: string[] = [];
    const name = `${keyPrefix}${id}`;
    for await (const item of this.container.listBlobsFlat({ prefix: name, includeUncommitedBlobs: true })) {
      if (item.name !== name) continue;
      const blocks = await this.container.getBlockBlobClient(name).getBlockList('uncommitted').catch(() => undefined);
      names.push((blocks?.uncommittedBlocks?.length ?? 0) > 0 ? `${name} (uncommitted blocks)` : name);
    }
    return names;
  }
}

function ready<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('Azurite is not started yet (use it inside tests)');
  return value;
}
