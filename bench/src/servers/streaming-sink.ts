import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { RawSink } from './mini-tus.js';

/** One object being written: `body` takes the bytes, `done` settles when the object is stored. */
export interface ObjectWriter {
  body: PassThrough;
  done: Promise<unknown>;
}

/**
 * A sink over an SDK's streaming object upload: `start` opens one upload per
 * TUS upload; every PATCH body flows into it in turn and the last one ends it
 * and waits until the object is stored.
 *
 * @example
 * ```ts
 * streamingSink((id) => { const body = new PassThrough(); return { body, done: put(id, body) }; });
 * ```
 */
export function streamingSink(start: (id: string) => ObjectWriter): RawSink {
  const open = new Map<string, ObjectWriter & { size: number }>();
  return {
    async create(id, size) {
      const writer = start(id);
      writer.done.catch(() => {}); // awaited by the last PATCH; must not crash the server before
      open.set(id, { ...writer, size });
    },
    async append(id, offset, req) {
      const writer = open.get(id);
      if (!writer) throw new Error(`unknown upload ${id}`);
      // Not stream.pipeline(…, { end: false }): it leaves a listener on the body per PATCH.
      for await (const chunk of req) {
        if (!writer.body.write(chunk)) await once(writer.body, 'drain');
      }
      const newOffset = offset + Number(req.headers['content-length']);
      if (newOffset >= writer.size) {
        writer.body.end();
        await writer.done;
        open.delete(id);
      }
      return newOffset;
    },
  };
}

/** A fresh body stream for {@link streamingSink}. */
export function objectBody(): PassThrough {
  return new PassThrough();
}
