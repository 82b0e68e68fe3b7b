import { finished } from 'node:stream/promises';
import type { RawSink } from './mini-tus.js';
import type { GcsSettings } from './config.js';
import { gcsBucket } from './gcs-client.js';
import { objectBody, streamingSink } from './streaming-sink.js';

/**
 * The GCS raw limit: one resumable `file.createWriteStream()` per upload,
 * fed by every PATCH body in turn and finished by the last one.
 *
 * @example
 * ```ts
 * await serve(miniTus('/files', gcsSink(settings)));
 * ```
 */
export function gcsSink(settings: GcsSettings): RawSink {
  const bucket = gcsBucket(settings);
  return streamingSink((id) => {
    const body = objectBody();
    return { body, done: finished(body.pipe(bucket.file(id).createWriteStream({ resumable: true }))) };
  });
}
