import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  createBucket,
  createS3Client,
  describeWithDocker,
  dockerAvailability,
  s3ClientConfig,
  startMinio,
  type S3Target,
} from '@tuskit/testkit';
import { afterAll, beforeAll } from 'vitest';
import { S3Store, createS3StoreClient, type S3StoreOptions } from '../../src/index.js';

/** What a bucket holds: object keys and the keys of multipart uploads in progress. */
export interface BucketContents {
  objects: string[];
  multipartUploads: string[];
}

/**
 * One MinIO per test file, with the file's own bucket. `raw` inspects the
 * bucket behind the store's back; `storeClient` is what stores send with.
 */
export class MinioBackend {
  target!: S3Target;
  raw!: S3Client;
  storeClient!: S3Client;
  bucket!: string;

  async start(): Promise<void> {
    this.target = await startMinio();
    this.raw = createS3Client(this.target);
    this.storeClient = createS3StoreClient(s3ClientConfig(this.target));
    this.bucket = await createBucket(this.target);
  }

  async stop(): Promise<void> {
    this.raw?.destroy();
    this.storeClient?.destroy();
    await this.target?.stop();
  }

  /** A store on the file's bucket (or `bucket`), sharing one client. */
  store(options: Partial<S3StoreOptions> = {}): S3Store {
    return new S3Store({ bucket: this.bucket, client: this.storeClient, ...options });
  }

  /** A fresh, empty bucket for a scenario whose leftovers are checked whole. */
  newBucket(): Promise<string> {
    return createBucket(this.target);
  }

  /** Every object and every multipart upload in progress under `prefix`. */
  async contents(bucket = this.bucket, prefix = ''): Promise<BucketContents> {
    const objects: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.raw.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      objects.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    const uploads = await this.raw.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
    const multipartUploads = (uploads.Uploads ?? []).map((u) => u.Key ?? '');
    return { objects: objects.sort(), multipartUploads: multipartUploads.sort() };
  }

  /** Everything S3 holds for one upload: its objects and its multipart uploads. */
  async leftovers(id: string, bucket = this.bucket, prefix = ''): Promise<string[]> {
    const key = `${prefix}${id}`;
    const { objects } = await this.contents(bucket, key);
    const mine = objects.filter((k) => k === key || k.startsWith(`${key}.`));
    const uploads = await this.raw.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    const pending = (uploads.Uploads ?? []).filter((u) => u.Key === key).map((u) => `multipart upload ${u.UploadId}`);
    return [...mine, ...pending];
  }

  /** Sizes of the parts of the one multipart upload in progress for `key`. */
  async partSizes(key: string, bucket = this.bucket): Promise<number[]> {
    const uploads = await this.raw.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    const upload = (uploads.Uploads ?? []).filter((u) => u.Key === key);
    if (upload.length !== 1) throw new Error(`${key} has ${upload.length} multipart uploads in progress`);
    const parts = await this.raw.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: upload[0]?.UploadId }));
    return (parts.Parts ?? []).map((p) => p.Size ?? 0);
  }
}

/**
 * A suite against a MinIO of its own (started by @tuskit/testkit), skipped
 * or failed by the testkit's Docker rule when there is no Docker.
 */
export async function describeWithMinio(name: string, body: (minio: MinioBackend) => void): Promise<void> {
  const docker = await dockerAvailability();
  const minio = new MinioBackend();
  describeWithDocker(docker, name, () => {
    beforeAll(() => minio.start(), 120_000);
    afterAll(() => minio.stop());
    body(minio);
  });
}

/** The objects a finalized upload keeps: the object and its record. */
export function finalizedObjects(ids: readonly string[], prefix = ''): BucketContents {
  return { objects: ids.flatMap((id) => [`${prefix}${id}`, `${prefix}${id}.info`]).sort(), multipartUploads: [] };
}

/** An async iterable over chunks, as a store's `write` takes it. */
export async function* bodyOf(...chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* chunks;
}
