import { UploadPartCommand } from '@aws-sdk/client-s3';
import { PassThrough } from 'node:stream';
import type { Bucket } from './bucket.js';

/** Where a streamed part goes. */
export interface StreamedPartTarget {
  key: string;
  uploadId: string;
  partNumber: number;
  /** The part's full length: S3 records the part only once all of it arrived. */
  length: number;
}

/**
 * One `UploadPart` whose body is sent while it still arrives, so that
 * receiving a part and uploading it overlap. It is declared with the part's
 * full length up front: if the body ends short, {@link abort} cuts the
 * request, and S3, having received less than the declared length, records
 * no part. The bytes pushed are views of the part buffer, which the caller
 * keeps until {@link settled} resolves; nothing is copied or held beyond it.
 *
 * @example
 * ```ts
 * const streamed = new StreamedPart(bucket, { key, uploadId, partNumber: 3, length: partSize });
 * streamed.push(buffer.subarray(0, received));
 * // … the rest of the part, then:
 * const failure = await streamed.settled; // undefined: the part is in S3
 * ```
 */
export class StreamedPart {
  readonly target: StreamedPartTarget;
  /** Resolves once the request is over: undefined when S3 stored the part, else why not. */
  readonly settled: Promise<unknown>;
  readonly #body = new PassThrough();
  readonly #abort = new AbortController();
  #pushed = 0;

  constructor(bucket: Bucket, target: StreamedPartTarget) {
    this.target = target;
    // Whatever breaks the body also fails the request, which is where failures are handled.
    this.#body.on('error', () => undefined);
    this.settled = send(bucket, target, this.#body, this.#abort.signal).then(
      () => undefined,
      (error: unknown) => error ?? new Error('streamed part failed'),
    );
  }

  /** Whether every byte of the part was pushed. */
  get complete(): boolean {
    return this.#pushed === this.target.length;
  }

  /** Sends the next bytes of the part; the body ends with the last of them. */
  push(bytes: Uint8Array): void {
    if (this.#abort.signal.aborted || bytes.byteLength === 0) return;
    // A body broken under the request: cut it rather than leave it waiting for bytes.
    if (this.#body.destroyed) return this.#abort.abort();
    this.#pushed += bytes.byteLength;
    this.#body.write(bytes);
    if (this.complete) this.#body.end();
  }

  /** Cuts the request before the part is whole, so that S3 never records it; resolves once it is over. */
  async abort(): Promise<void> {
    if (!this.complete) {
      this.#abort.abort();
      this.#body.destroy();
    }
    await this.settled;
  }
}

async function send(bucket: Bucket, target: StreamedPartTarget, body: PassThrough, signal: AbortSignal): Promise<void> {
  const command = new UploadPartCommand({
    Bucket: bucket.name,
    Key: target.key,
    UploadId: target.uploadId,
    PartNumber: target.partNumber,
    Body: body,
    ContentLength: target.length,
  });
  command.middlewareStack.add(
    (next, context) => (args) => {
      context.logger = withoutWarnings(context.logger);
      return next(args);
    },
    { step: 'initialize', name: 'tuskitQuietStreamingWarning' },
  );
  await bucket.client.send(command, { abortSignal: signal });
}

/**
 * The SDK never retries a streamed request and warns each time one fails;
 * the caller handles every failure (it retries from the part buffer or cuts
 * the part shorter), and aborts on purpose whenever a body ends early, so
 * the warning is noise. Other log output of the command still goes through.
 */
function withoutWarnings(logger: Logger | undefined): Logger {
  return {
    debug: (...content) => logger?.debug(...content),
    info: (...content) => logger?.info(...content),
    warn: () => undefined,
    error: (...content) => logger?.error(...content),
  };
}

type Logger = Pick<Console, 'debug' | 'info' | 'warn' | 'error'>;
