import { once } from 'node:events';
import { createServer, request, type ClientRequest } from 'node:http';
import { createTus, type DataStore, type Tus, type TusOptions } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { listenOnLoopback } from '@tuskit/core/testing';

export const TUS_HEADERS = { 'tus-resumable': '1.0.0' } as const;
const PATCH_HEADERS = { ...TUS_HEADERS, 'content-type': 'application/offset+octet-stream' } as const;

/** An engine over a store, served by `node:http` on loopback, that records progress. */
export class TusServer {
  readonly progress = new Map<string, number>();
  readonly terminated: string[] = [];
  tus!: Tus;
  origin = '';
  #close: (() => Promise<void>) | undefined;
  #waiters: Array<() => void> = [];

  async start(store: DataStore, options: Partial<TusOptions> = {}): Promise<this> {
    this.tus = createTus({
      store,
      basePath: '/uploads',
      progressIntervalMs: 0,
      hooks: {
        onProgress: ({ upload, offset }) => this.#record(upload.id, offset),
        onTerminated: ({ upload }) => void this.terminated.push(upload.id),
      },
      ...options,
    });
    const served = await listenOnLoopback(createServer(toNodeHandler(this.tus)));
    this.origin = served.origin;
    this.#close = served.close;
    return this;
  }

  async stop(): Promise<void> {
    await this.tus.close();
    await this.#close?.();
  }

  async create(size: number): Promise<{ id: string; url: string }> {
    const { id, url } = await this.tus.createUpload({ size, origin: this.origin });
    return { id, url };
  }

  /** Resolves once the engine has read at least `offset` bytes of an upload. */
  async progressed(id: string, offset: number): Promise<void> {
    while ((this.progress.get(id) ?? 0) < offset) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #record(id: string, offset: number): void {
    this.progress.set(id, offset);
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** One PATCH with fetch. */
export function patch(url: string, offset: number, body: Uint8Array): Promise<Response> {
  return fetch(url, { method: 'PATCH', headers: { ...PATCH_HEADERS, 'upload-offset': String(offset) }, body });
}

/** The Upload-Offset a HEAD reports (or the status when it is not 200). */
export async function headOffset(url: string): Promise<number | string> {
  const response = await fetch(url, { method: 'HEAD', headers: TUS_HEADERS });
  return response.status === 200 ? Number(response.headers.get('upload-offset')) : `status ${response.status}`;
}

/** Sends `data` in PATCHes of `chunkSize`, checking each answer; resolves the final offset. */
export async function upload(url: string, data: Uint8Array, chunkSize: number, from = 0): Promise<number> {
  let offset = from;
  while (offset < data.length) {
    const response = await patch(url, offset, data.subarray(offset, offset + chunkSize));
    if (response.status !== 204) {
      throw new Error(`PATCH at ${offset} answered ${response.status}: ${await response.text()}`);
    }
    offset = Number(response.headers.get('upload-offset'));
  }
  return offset;
}

/** A PATCH whose body the test writes by hand, to drop the connection midway. */
export interface RawPatch {
  req: ClientRequest;
  /** The status, or the error when the connection was dropped first. */
  response: Promise<number | Error>;
  /** Writes bytes, honouring backpressure. */
  write(bytes: Uint8Array): Promise<void>;
}

/** Starts a PATCH announcing `contentLength` bytes. */
export function rawPatch(url: string, offset: number, contentLength: number): RawPatch {
  const req = request(url, {
    method: 'PATCH',
    agent: false,
    headers: { ...PATCH_HEADERS, 'upload-offset': String(offset), 'content-length': String(contentLength) },
  });
  const response = new Promise<number | Error>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', resolve);
  });
  const write = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length; at += 64 * 1024) {
      if (!req.write(bytes.subarray(at, at + 64 * 1024))) await once(req, 'drain');
    }
  };
  return { req, response, write };
}
