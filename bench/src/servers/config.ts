/** Where uploads end up. */
export type Backend = 'fs' | 's3' | 'gcs' | 'azure';

/** An S3 endpoint and the bucket a server writes to. */
export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  bucket: string;
}

/** A GCS endpoint (fake-gcs-server) and the bucket a server writes to. */
export interface GcsSettings {
  endpoint: string;
  projectId: string;
  bucket: string;
}

/** An Azure Blob endpoint (Azurite) and the container a server writes to. */
export interface AzureSettings {
  connectionString: string;
  container: string;
}

/**
 * What a server child runs, passed as JSON in `BENCH_SERVER_CONFIG`:
 * `raw` is the minimal baseline, `tuskit` the library under test, `tus-server`
 * the `@tus/server` peer.
 */
export type ServerConfig = { basePath: string } & (
  | {
      kind: 'raw';
      storage: Storage;
      /** fs only: fsync the file once its last byte is written. */
      fsyncOnComplete?: boolean;
      /** fs only: write chunk by chunk, freeing each (the memory floor). */
      freeChunks?: boolean;
      /** Mounted in an Express 5 app at `basePath`, as the tuskit Express row is. */
      behindExpress?: boolean;
    }
  | { kind: 'tus-server'; storage: Storage }
  | {
      kind: 'tuskit';
      framework: 'express' | 'node';
      storage: Storage;
      /** Load core and stores from this `packages/` directory of another checkout (the baseline row). */
      packagesDir?: string;
      /** Serve as this many `node:cluster` workers on one port, locking through the primary (the reference server's `WORKERS`). */
      workers?: number;
      /**
       * The diagnostics channels' cost: `subscribed` puts a listener on every
       * channel; `absent` swaps the engine's publisher for one whose checks are
       * a constant `false`, so the JIT drops every publishing branch (the engine
       * as if it had no channel code). Default: channels, nobody subscribed.
       */
      diagnostics?: 'subscribed' | 'absent';
    }
);

/** The `raw` baselines' part of {@link ServerConfig}. */
export type RawServerConfig = Extract<ServerConfig, { kind: 'raw' }>;

/** The backend a server child writes to, with its settings. */
export type Storage =
  | { backend: 'fs'; directory: string }
  | { backend: 's3'; s3: S3Settings; partSize: number; queueSize: number }
  | { backend: 'gcs'; gcs: GcsSettings }
  | { backend: 'azure'; azure: AzureSettings };

export const SERVER_CONFIG_ENV = 'BENCH_SERVER_CONFIG';
