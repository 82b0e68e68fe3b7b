import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { RawSink } from './mini-tus.js';
import type { S3Settings } from './config.js';
import { s3ClientConfig } from './s3-client.js';
import { objectBody, streamingSink } from './streaming-sink.js';

/**
 * The S3 raw limit: one `@aws-sdk/lib-storage` multipart upload per upload,
 * fed by every PATCH body in turn and completed by the last one.
 *
 * @example
 * ```ts
 * await serve(miniTus('/files', s3Sink(settings, 8 * MiB, 4)));
 * ```
 */
export function s3Sink(settings: S3Settings, partSize: number, queueSize: number): RawSink {
  const client = new S3Client(s3ClientConfig(settings));
  return streamingSink((id) => {
    const body = objectBody();
    const upload = new Upload({ client, params: { Bucket: settings.bucket, Key: id, Body: body }, partSize, queueSize });
    return { body, done: upload.done() };
  });
}
