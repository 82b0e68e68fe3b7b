import type { Bucket, File } from '@google-cloud/storage';

type Metadata = { metadata?: Record<string, unknown> } & Record<string, unknown>;

/**
 * The bucket `@tus/gcs-store` gets. It sends numbers as custom metadata values
 * (`size`, `offset`); real GCS takes them, fake-gcs-server answers 500. This
 * turns them into strings on the way out, which is what GCS stores anyway,
 * and changes nothing else: the same requests, the same bytes.
 *
 * @example
 * ```ts
 * new GCSStore({ bucket: withStringMetadata(gcsBucket(settings)) });
 * ```
 */
export function withStringMetadata(bucket: Bucket): Bucket {
  const file = bucket.file.bind(bucket);
  bucket.file = (...args: Parameters<Bucket['file']>): File => {
    const target = file(...args);
    const createWriteStream = target.createWriteStream.bind(target);
    const setMetadata = target.setMetadata.bind(target);
    target.createWriteStream = (options = {}) =>
      createWriteStream({ ...options, ...(options.metadata && { metadata: stringified(options.metadata as Metadata) }) });
    target.setMetadata = ((metadata: Metadata, ...rest: unknown[]) =>
      (setMetadata as (...a: unknown[]) => unknown)(stringified(metadata), ...rest)) as File['setMetadata'];
    return target;
  };
  return bucket;
}

function stringified(metadata: Metadata): Metadata {
  if (!metadata.metadata) return metadata;
  const custom = Object.fromEntries(
    Object.entries(metadata.metadata).map(([key, value]) => [key, typeof value === 'number' ? String(value) : value]),
  );
  return { ...metadata, metadata: custom };
}
