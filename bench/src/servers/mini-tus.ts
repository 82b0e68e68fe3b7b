import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Where a raw baseline server puts the bytes. */
export interface RawSink {
  create(id: string, size: number): Promise<void>;
  /** Consumes the whole body at `offset`; returns the new offset. */
  append(id: string, offset: number, body: IncomingMessage): Promise<number>;
}

/**
 * The least HTTP a TUS client needs, with none of TUS's checks: POST makes
 * an id, PATCH hands the body to the sink. It measures what moving the bytes
 * costs, so that every real server can be compared to it.
 *
 * @example
 * ```ts
 * await serve(miniTus('/files', fsSink(directory)));
 * ```
 */
export function miniTus(basePath: string, sink: RawSink): RequestListener {
  return (req, res) => {
    route(basePath, sink, req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, { 'Content-Type': 'text/plain' }, String(error));
      req.resume();
    });
  };
}

async function route(basePath: string, sink: RawSink, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'POST' && path === basePath) {
    const id = randomUUID();
    await sink.create(id, Number(req.headers['upload-length']));
    req.resume();
    return reply(res, 201, { Location: `${basePath}/${id}` });
  }
  const id = path.startsWith(`${basePath}/`) ? path.slice(basePath.length + 1) : '';
  if (req.method === 'PATCH' && /^[0-9a-f-]{36}$/.test(id)) {
    const offset = await sink.append(id, Number(req.headers['upload-offset']), req);
    return reply(res, 204, { 'Upload-Offset': String(offset) });
  }
  req.resume();
  reply(res, 404, {});
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  res.writeHead(status, { 'Tus-Resumable': '1.0.0', ...headers });
  res.end(body);
}
