import { headerReader, PATCH_CONTENT_TYPE, TUS_VERSION, type TusResponse } from '../http.js';
import type { Tus } from '../tus.js';
import { bodyOf } from '../body.js';
import { chunked } from './bytes.js';

/** Options of {@link createTestClient}. */
export interface TestClientOptions<Ctx> {
  /** Headers sent with every request (e.g. `authorization`). */
  headers?: Record<string, string>;
  /** The context object hooks and `authorize` receive. */
  context?: Ctx;
}

/** What {@link TestClient.upload} returns. */
export interface TestUploadResult {
  id: string;
  /** Every PATCH answer, in order. */
  patches: TusResponse[];
  /** The HEAD answer after the last PATCH. */
  head: TusResponse;
}

/**
 * Drives create → PATCH → HEAD against an engine in-process (no sockets), for
 * unit tests of upload flows.
 *
 * @example
 * ```ts
 * const client = createTestClient(tus);
 * const { head } = await client.upload(await readFile('take1.mp4'), { chunkSize: 64 * 1024 });
 * expect(head.headers['Upload-Offset']).toBe(String(size));
 * ```
 */
export function createTestClient<Ctx>(tus: Tus<Ctx>, options: TestClientOptions<Ctx> = {}): TestClient {
  const send = (method: string, id: string, headers: Record<string, string> = {}, body?: Uint8Array) =>
    tus.handle({
      method,
      path: `${tus.basePath}/${id}`,
      header: headerReader({ 'tus-resumable': TUS_VERSION, ...lower(options.headers), ...lower(headers) }),
      body: body && bodyOf([body]),
      context: options.context as Ctx,
    });
  return {
    head: (id) => send('HEAD', id),
    delete: (id) => send('DELETE', id),
    patch: (id, offset, bytes) =>
      send(
        'PATCH',
        id,
        { 'content-type': PATCH_CONTENT_TYPE, 'upload-offset': String(offset), 'content-length': String(bytes.length) },
        bytes,
      ),
    async upload(bytes, { chunkSize = bytes.length, metadata, id } = {}) {
      const created = await tus.createUpload({ size: bytes.length, metadata, id, origin: 'http://test.invalid' });
      const patches: TusResponse[] = [];
      let offset = 0;
      for (const chunk of chunked(bytes, [chunkSize])) {
        const response = await this.patch(created.id, offset, chunk);
        patches.push(response);
        if (response.status !== 204) break;
        offset = Number(response.headers['Upload-Offset']);
      }
      return { id: created.id, patches, head: await this.head(created.id) };
    },
  };
}

/** The in-process client of {@link createTestClient}. */
export interface TestClient {
  head(id: string): Promise<TusResponse>;
  delete(id: string): Promise<TusResponse>;
  patch(id: string, offset: number, bytes: Uint8Array): Promise<TusResponse>;
  upload(
    bytes: Uint8Array,
    options?: { chunkSize?: number; metadata?: Record<string, string>; id?: string },
  ): Promise<TestUploadResult>;
}

function lower(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
