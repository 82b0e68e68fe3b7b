import { once } from 'node:events';
import { request, type ClientRequest } from 'node:http';

/** The headers every TUS request of these tests carries. */
export const TUS_HEADERS = { 'tus-resumable': '1.0.0' } as const;

/** How a PATCH ended: its answer, or the error that cut it off. */
export type PatchOutcome = { status: number; offset: string | undefined } | Error;

/** A PATCH whose body the test writes by hand. */
export interface OpenPatch {
  readonly req: ClientRequest;
  readonly outcome: Promise<PatchOutcome>;
  /** Writes bytes with backpressure. */
  write(bytes: Uint8Array): Promise<void>;
}

/**
 * Starts a PATCH over its own connection and leaves the body open.
 *
 * @example
 * ```ts
 * const patch = openPatch(url, 0, data.length);
 * await patch.write(data.subarray(0, MiB));
 * patch.req.destroy();
 * ```
 */
export function openPatch(url: string, offset: number, contentLength: number): OpenPatch {
  const req = request(url, {
    method: 'PATCH',
    agent: false,
    headers: {
      ...TUS_HEADERS,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
      'content-length': String(contentLength),
    },
  });
  const outcome = new Promise<PatchOutcome>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      const header = res.headers['upload-offset'];
      resolve({ status: res.statusCode ?? 0, offset: Array.isArray(header) ? header[0] : header });
    });
    req.on('error', resolve);
  });
  return {
    req,
    outcome,
    async write(bytes) {
      for (let at = 0; at < bytes.length; at += 1024 * 1024) {
        if (!req.write(bytes.subarray(at, at + 1024 * 1024))) await Promise.race([once(req, 'drain'), outcome]);
      }
    },
  };
}

/**
 * Sends `bytes` as one PATCH at `offset`, streamed with backpressure.
 *
 * @example
 * ```ts
 * expect(await streamPatch(url, 0, data)).toMatchObject({ status: 204 });
 * ```
 */
export async function streamPatch(url: string, offset: number, bytes: Uint8Array): Promise<PatchOutcome> {
  const patch = openPatch(url, offset, bytes.length);
  await patch.write(bytes);
  patch.req.end();
  return patch.outcome;
}

/**
 * HEAD of an upload: status and `Upload-Offset`.
 *
 * @example
 * ```ts
 * const { offset } = await head(url);
 * ```
 */
export async function head(url: string): Promise<{ status: number; offset: number }> {
  const response = await fetch(url, { method: 'HEAD', headers: TUS_HEADERS });
  return { status: response.status, offset: Number(response.headers.get('upload-offset')) };
}

/**
 * One PATCH through `fetch`; resolves status and the new `Upload-Offset`.
 *
 * @example
 * ```ts
 * expect(await fetchPatch(url, 0, chunk)).toEqual({ status: 204, offset: String(chunk.length) });
 * ```
 */
export async function fetchPatch(url: string, offset: number, body: Uint8Array): Promise<PatchOutcome> {
  const response = await fetch(url, {
    method: 'PATCH',
    headers: { ...TUS_HEADERS, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
    body,
  });
  await response.body?.cancel();
  return { status: response.status, offset: response.headers.get('upload-offset') ?? undefined };
}

/**
 * DELETE of an upload; resolves the status.
 *
 * @example
 * ```ts
 * expect(await terminate(url)).toBe(204);
 * ```
 */
export async function terminate(url: string): Promise<number> {
  const response = await fetch(url, { method: 'DELETE', headers: TUS_HEADERS });
  await response.body?.cancel();
  return response.status;
}
