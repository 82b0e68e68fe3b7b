/**
 * Where a request body's chunks come from. Each `request()` ends in exactly
 * one call of the reader's `chunk`, `end` or `fail`, synchronously when the
 * chunk is already there.
 */
export interface ChunkSource {
  request(): void;
}

/** What a {@link ChunkSource} calls back. */
export interface ChunkReader {
  chunk(chunk: Uint8Array): void;
  end(): void;
  /** The source broke off (a dropped connection, a stream error). */
  fail(): void;
}

/**
 * The cheapest source for a body: a Node stream is read directly, any other
 * async iterable through its iterator.
 *
 * @example
 * ```ts
 * const source = chunkSourceOf(req, { chunk: (c) => write(c), end: done, fail: abort });
 * source.request();
 * ```
 */
export function chunkSourceOf(body: AsyncIterable<Uint8Array>, reader: ChunkReader): ChunkSource {
  return isNodeReadable(body) ? new StreamSource(body, reader) : new IteratorSource(body, reader);
}

class IteratorSource implements ChunkSource {
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #onResult: (result: IteratorResult<Uint8Array>) => void;
  readonly #onError: () => void;

  constructor(body: AsyncIterable<Uint8Array>, reader: ChunkReader) {
    this.#iterator = body[Symbol.asyncIterator]();
    this.#onResult = (result) => (result.done ? reader.end() : reader.chunk(result.value));
    this.#onError = () => reader.fail();
  }

  request(): void {
    this.#iterator.next().then(this.#onResult, this.#onError);
  }
}

/** The members of a Node `Readable` that a {@link StreamSource} uses. */
interface NodeReadable extends AsyncIterable<Uint8Array> {
  read(): Uint8Array | null;
  on(event: string, listener: () => void): unknown;
  readonly readableEnded: boolean;
  readonly destroyed: boolean;
}

function isNodeReadable(body: AsyncIterable<Uint8Array>): body is NodeReadable {
  const candidate = body as Partial<NodeReadable>;
  return typeof candidate.read === 'function' && typeof candidate.on === 'function' && 'readableEnded' in body;
}

/**
 * Reads a Node stream with `read()` as its `readable` events come, which is
 * what Node's own async iterator does inside. The iterator adds an async
 * generator step and a promise per chunk and an end-of-stream watcher per
 * request, garbage the host's GC must chase on every socket read.
 *
 * Like that iterator left suspended, the listeners stay on the stream: the
 * core never hands a body back to anyone who would read it on.
 */
class StreamSource implements ChunkSource {
  readonly #stream: NodeReadable;
  readonly #reader: ChunkReader;
  /** A `request()` found no chunk and waits for the stream's next event. */
  #waiting = false;

  constructor(stream: NodeReadable, reader: ChunkReader) {
    this.#stream = stream;
    this.#reader = reader;
    stream.on('readable', this.#onReadable);
    stream.on('end', this.#onEvent);
    stream.on('error', this.#onEvent);
    stream.on('close', this.#onEvent);
  }

  request(): void {
    const stream = this.#stream;
    // What a broken stream still buffers is dropped, as Node's iterator drops it: the body ends where it broke.
    if (stream.destroyed) return this.#settleWithoutChunk();
    const chunk = stream.read();
    if (chunk !== null) this.#reader.chunk(chunk);
    else if (stream.readableEnded) this.#reader.end();
    else this.#waiting = true;
  }

  readonly #onReadable = (): void => {
    if (!this.#waiting) return;
    this.#waiting = false;
    this.request();
  };

  readonly #onEvent = (): void => {
    if (!this.#waiting) return;
    this.#waiting = false;
    this.#settleWithoutChunk();
  };

  #settleWithoutChunk(): void {
    if (this.#stream.readableEnded) this.#reader.end();
    else this.#reader.fail();
  }
}
