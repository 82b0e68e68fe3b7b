import type { Readable } from 'node:stream';
import type { Bucket, FileMetadata } from '@google-cloud/storage';
import type { ByteRange } from '@tuskit/core';
import { backend, statusOf } from './backend-errors.js';
import type { BucketObject, PartObject } from './chain.js';
import type { ObjectLayout } from './layout.js';

/** Most objects one compose request accepts (a GCS limit). */
export const MAX_COMPOSE_SOURCES = 32;
const PAGE_SIZE = 1000;
const OCTET_STREAM = 'application/octet-stream';

/** Everything the bucket holds for one upload. */
export interface UploadObjects {
  id: string;
  /** The finished object (or whatever occupies its name). */
  final?: BucketObject | undefined;
  info?: BucketObject | undefined;
  parts: PartObject[];
  /** Anything else under the upload's staging prefix. */
  debris: BucketObject[];
}

/** What a compose request creates. */
export interface ComposeTarget {
  name: string;
  contentType?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/**
 * The store's vocabulary of bucket operations, each one bounded by the
 * client's timeouts and mapped to `store_unavailable` when the backend is
 * down. Every write is idempotent: objects are created with
 * `ifGenerationMatch: 0` under names that say what they hold, so a retried
 * request whose first answer was lost finds its own result.
 *
 * @example
 * ```ts
 * const objects = new BucketObjects(storage.bucket('uploads'), new ObjectLayout(''));
 * const { info, parts } = await objects.load('a1');
 * ```
 */
export class BucketObjects {
  constructor(
    readonly bucket: Bucket,
    readonly layout: ObjectLayout,
  ) {}

  /** One upload's objects: a listing of its staging prefix and a lookup of its final name, in parallel. */
  async load(id: string): Promise<UploadObjects> {
    const listing = async () => {
      const all: BucketObject[] = [];
      for await (const page of this.#pages(this.layout.stagingPrefix(id))) all.push(...page);
      return all;
    };
    const [staging, final] = await Promise.all([listing(), this.stat(this.layout.finalName(id))]);
    return { ...this.#group(id, staging), final };
  }

  /** Every incomplete upload's objects, one upload at a time, in name order. */
  async *stagingGroups(): AsyncIterable<UploadObjects> {
    let id: string | undefined;
    let current: BucketObject[] = [];
    for await (const page of this.#pages(this.layout.stagingRoot)) {
      for (const object of page) {
        const entry = this.layout.parseStaging(object.name);
        if (!entry) continue;
        if (id !== undefined && entry.id !== id) yield this.#group(id, current.splice(0));
        id = entry.id;
        current.push(object);
      }
    }
    if (id !== undefined) yield this.#group(id, current);
  }

  /** Every object directly under the key prefix (finished uploads), page by page. */
  async *finishedObjects(): AsyncIterable<BucketObject> {
    for await (const page of this.#pages(this.layout.keyPrefix)) {
      for (const object of page) if (!object.name.slice(this.layout.keyPrefix.length).includes('/')) yield object;
    }
  }

  /** An object's metadata, or `undefined` when there is none. */
  async stat(name: string): Promise<BucketObject | undefined> {
    return backend(async () => {
      try {
        const [metadata] = await this.bucket.file(name).getMetadata();
        return toBucketObject(metadata);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Creates an empty object carrying `metadata`; `undefined` when the name is taken. */
  async createEmpty(name: string, metadata: Record<string, string>): Promise<BucketObject | undefined> {
    const created = await this.#createOnce(name, Buffer.alloc(0), { metadata, contentType: OCTET_STREAM });
    return created.fresh ? created.object : undefined;
  }

  /** Replaces an object's custom metadata, unless someone changed it since it was read. */
  async setMetadata(object: BucketObject, metadata: Record<string, string>): Promise<void> {
    await backend(() =>
      this.bucket.file(object.name).setMetadata({ metadata }, { ifMetagenerationMatch: object.metageneration }),
    );
  }

  /** Stores bytes `[start, start + bytes.length)` of an upload as a new part object. */
  async savePart(id: string, start: number, bytes: Buffer): Promise<PartObject> {
    const end = start + bytes.length;
    const { object } = await this.#createOnce(this.layout.partName(id, start, end), bytes, { contentType: OCTET_STREAM });
    if (object.size !== bytes.length) throw new Error(`part ${object.name} holds ${object.size} bytes, not ${bytes.length}`);
    return { ...object, start, end };
  }

  /** Concatenates up to {@link MAX_COMPOSE_SOURCES} objects into a new one, server-side. */
  async compose(sources: readonly BucketObject[], target: ComposeTarget): Promise<BucketObject> {
    const size = sources.reduce((sum, source) => sum + source.size, 0);
    const destination = this.bucket.file(target.name);
    return backend(async () => {
      try {
        const [body] = await destination.request({
          method: 'POST',
          uri: '/compose',
          qs: { ifGenerationMatch: 0 },
          json: {
            destination: { contentType: target.contentType ?? OCTET_STREAM, metadata: target.metadata },
            sourceObjects: sources.map((source) => ({ name: source.name, generation: source.generation })),
          },
        });
        return toBucketObject(body as FileMetadata);
      } catch (error) {
        if (statusOf(error) !== 412) throw error;
        // An earlier attempt composed it and its answer was lost.
        const existing = await this.stat(target.name);
        if (existing?.size !== size) throw error;
        return existing;
      }
    });
  }

  /** Deletes the given generations; objects already gone or replaced are left alone. */
  async delete(objects: readonly BucketObject[]): Promise<void> {
    await backend(async () => {
      await Promise.all(
        objects.map(async (object) => {
          try {
            await this.bucket.file(object.name).delete({ ifGenerationMatch: object.generation });
          } catch (error) {
            if (statusOf(error) !== 404 && statusOf(error) !== 412) throw error;
          }
        }),
      );
    });
  }

  /** A stream of an object's bytes, whole or by inclusive range. */
  readStream(name: string, range?: ByteRange): Readable {
    return this.bucket.file(name).createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  /** A V4 signed GET URL, signed with the client's credentials. */
  async signedReadUrl(name: string, expiresInSeconds: number, contentType?: string, contentDisposition?: string): Promise<string> {
    const [url] = await backend(() =>
      this.bucket.file(name).getSignedUrl({
        version: 'v4',
        action: 'read',
        expires: Date.now() + expiresInSeconds * 1000,
        ...(contentType !== undefined && { responseType: contentType }),
        ...(contentDisposition !== undefined && { responseDisposition: contentDisposition }),
      }),
    );
    return url;
  }

  /** Creates `name` unless it exists; `fresh` says whether this call created it. */
  async #createOnce(
    name: string,
    bytes: Buffer,
    options: { contentType: string; metadata?: Record<string, string> },
  ): Promise<{ object: BucketObject; fresh: boolean }> {
    const file = this.bucket.file(name);
    return backend(async () => {
      try {
        await file.save(bytes, {
          resumable: false,
          // MD5 rather than the default CRC32C: see docs/design.md, "Object stores".
          validation: 'md5',
          preconditionOpts: { ifGenerationMatch: 0 },
          metadata: { contentType: options.contentType, ...(options.metadata && { metadata: options.metadata }) },
        });
        return { object: toBucketObject(file.metadata), fresh: true };
      } catch (error) {
        if (statusOf(error) !== 412) throw error;
        const existing = await this.stat(name);
        if (!existing) throw error;
        return { object: existing, fresh: false };
      }
    });
  }

  async *#pages(prefix: string): AsyncIterable<BucketObject[]> {
    let pageToken: string | undefined;
    do {
      const [files, next] = await backend(() =>
        this.bucket.getFiles({ prefix, autoPaginate: false, maxResults: PAGE_SIZE, ...(pageToken && { pageToken }) }),
      );
      yield files.map((file) => toBucketObject(file.metadata));
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
  }

  #group(id: string, objects: readonly BucketObject[]): UploadObjects {
    const group: UploadObjects = { id, parts: [], debris: [] };
    for (const object of objects) {
      const entry = this.layout.parseStaging(object.name);
      if (entry?.kind === 'info') group.info = object;
      else if (entry?.kind === 'part') group.parts.push({ ...object, start: entry.start, end: entry.end });
      else group.debris.push(object);
    }
    return group;
  }
}

function toBucketObject(metadata: FileMetadata): BucketObject {
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.metadata ?? {})) if (value !== null) custom[key] = String(value);
  return {
    name: metadata.name ?? '',
    size: Number(metadata.size ?? 0),
    generation: String(metadata.generation ?? ''),
    metageneration: String(metadata.metageneration ?? ''),
    createdAt: new Date(metadata.timeCreated ?? Date.now()),
    contentType: metadata.contentType,
    metadata: custom,
  };
}
