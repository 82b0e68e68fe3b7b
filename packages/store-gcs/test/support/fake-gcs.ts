import { generateKeyPairSync } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import { createGcsBucket, describeWithDocker, dockerAvailability, startFakeGcs, type GcsTarget } from '@tuskit/testkit';
import { afterAll, beforeAll } from 'vitest';
import { GcsStore, type GcsStoreOptions } from '../../src/index.js';

/** One fake-gcs-server and a fresh bucket, shared by the tests of one file. */
export interface FakeGcs {
  readonly target: GcsTarget;
  readonly bucket: string;
  /** A client of the emulator that fails fast (tests want errors, not retries). */
  readonly storage: Storage;
  /** A new store over the bucket; every call is a fresh instance. */
  store(options?: Partial<GcsStoreOptions>): GcsStore;
  /**
   * A new store whose client holds a throwaway service-account key, so that
   * `downloadUrl()` signs V4 URLs locally; they point at the emulator, which
   * serves them (it does not check the signature).
   */
  signingStore(options?: Partial<GcsStoreOptions>): GcsStore;
  /** Every object name in the bucket, optionally under a prefix. */
  names(prefix?: string): Promise<string[]>;
  /** Every object of one upload: the finished object and everything under its staging prefix. */
  leftovers(id: string, keyPrefix?: string): Promise<string[]>;
}

const docker = await dockerAvailability();

/**
 * `describe` with a fake-gcs-server started before its tests (through
 * `@tuskit/testkit`, in Docker) and a fresh bucket; skipped or failing like
 * `describeWithDocker` when Docker is missing.
 *
 * @example
 * ```ts
 * describeWithFakeGcs('GcsStore', (gcs) => {
 *   it('creates', async () => { await gcs.store().create({ ... }); });
 * });
 * ```
 */
export function describeWithFakeGcs(name: string, body: (gcs: FakeGcs) => void): void {
  describeWithDocker(docker, name, () => {
    const gcs = new LazyFakeGcs();
    beforeAll(() => gcs.start(), 120_000);
    afterAll(() => gcs.stop());
    body(gcs);
  });
}

class LazyFakeGcs implements FakeGcs {
  #target: GcsTarget | undefined;
  #bucket: string | undefined;
  #storage: Storage | undefined;

  get target(): GcsTarget {
    return ready(this.#target);
  }

  get bucket(): string {
    return ready(this.#bucket);
  }

  get storage(): Storage {
    return ready(this.#storage);
  }

  async start(): Promise<void> {
    this.#target = await startFakeGcs();
    this.#bucket = await createGcsBucket(this.#target);
    this.#storage = new Storage({
      apiEndpoint: this.#target.endpoint,
      projectId: this.#target.projectId,
      retryOptions: { autoRetry: false },
    });
  }

  async stop(): Promise<void> {
    await this.#target?.stop();
  }

  store(options: Partial<GcsStoreOptions> = {}): GcsStore {
    return new GcsStore({
      bucket: this.bucket,
      storage: { apiEndpoint: this.target.endpoint, projectId: this.target.projectId },
      ...options,
    });
  }

  signingStore(options: Partial<GcsStoreOptions> = {}): GcsStore {
    return this.store({
      storage: { apiEndpoint: this.target.endpoint, projectId: this.target.projectId, credentials: throwawayServiceAccount() },
      ...options,
    });
  }

  async names(prefix = ''): Promise<string[]> {
    const [files] = await this.storage.bucket(this.bucket).getFiles({ prefix });
    return files.map((file) => file.name);
  }

  async leftovers(id: string, keyPrefix = ''): Promise<string[]> {
    const names = await this.names(keyPrefix);
    return names.filter((name) => name === `${keyPrefix}${id}` || name.startsWith(`${keyPrefix}.tus/${id}/`));
  }
}

let serviceAccount: { client_email: string; private_key: string } | undefined;

/** Credentials made on this machine: signing with them is local, and no request ever carries them. */
function throwawayServiceAccount(): { client_email: string; private_key: string } {
  serviceAccount ??= {
    client_email: 'tuskit-tests@tuskit-test.iam.gserviceaccount.com',
    private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  return serviceAccount;
}

function ready<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('fake-gcs-server is not started yet (use it inside tests)');
  return value;
}
