import { pipeline } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyOf } from './body.js';
import { RELEASE_CHUNK, releaseChunk } from './chunk-release.js';
import { TusError } from './errors.js';
import { TUS_VERSION, headerReader, type ClientSignal, type TusResponse } from './http.js';
import { awaitTurn } from './node-connection.js';
import type { Tus } from './tus.js';

type NodeRequest = IncomingMessage;
type NodeResponse = ServerResponse;

/** Options of {@link handleNodeRequest}. */
export interface NodeRequestOptions {
  /** The path to route on when `req.url` is not it (e.g. the full path under a mount). */
  path?: string;
  /**
   * Where a body parser that already read the request left its bytes; used
   * only when the request stream has ended before tuskit saw it.
   */
  parsedBody?: () => Uint8Array | undefined;
}

/**
 * The one bridge between Node's HTTP objects and the core: builds the core
 * request (streaming body, abort signal on disconnect), awaits the answer and
 * writes it. Framework adapters call this and nothing else.
 *
 * @example
 * ```ts
 * app.use('/v1/uploads', (req, res) => handleNodeRequest(tus, req, res, req, { path: req.originalUrl }));
 * ```
 */
export async function handleNodeRequest<Ctx>(
  tus: Tus<Ctx>,
  req: NodeRequest,
  res: NodeResponse,
  context: Ctx,
  options: NodeRequestOptions = {},
): Promise<void> {
  if (!(await awaitTurn(req, res))) return;
  const body = requestBody(req, options);
  if (body instanceof TusError) {
    tus.engine.reportError(body);
    writeNodeResponse(res, { ...tus.engine.errorResponse(body, { 'Tus-Resumable': TUS_VERSION }), closeConnection: true });
    return;
  }
  const disconnected = new Disconnection();
  const onClose = () => {
    if (!res.writableFinished) disconnected.abort();
  };
  res.once('close', onClose);
  const response = await tus.handle({
    method: req.method ?? 'GET',
    path: options.path ?? requestPath(req.url) ?? '/',
    header: headerReader(req.headers),
    // Node fills `req.trailers` once the body has ended, which is when the core reads them.
    trailer: (name) => headerReader(req.trailers)(name),
    body,
    signal: disconnected,
    context,
    ...(body === req && readAlone(req) && { [RELEASE_CHUNK]: releaseChunk }),
  });
  res.off('close', onClose);
  writeNodeResponse(res, response);
}

/** Nothing but the core will see the request's chunks: no `data` listener of the host gets them too. */
function readAlone(req: NodeRequest): boolean {
  return req.readableFlowing !== true && req.listenerCount('data') === 0;
}

/**
 * The request's {@link ClientSignal}: aborted once, when the response closes
 * before it was written. Not an `AbortSignal`, which costs one promoted
 * object per request (see `ClientSignal`).
 */
class Disconnection implements ClientSignal {
  aborted = false;
  readonly #listeners = new Set<() => void>();

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const listener of this.#listeners) listener();
    this.#listeners.clear();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.#listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners.delete(listener);
  }
}

/**
 * Writes a core response to a Node response. When the request body was left
 * unread the connection is closed after the answer rather than drained.
 *
 * @example
 * ```ts
 * writeNodeResponse(res, await tus.handle(request));
 * ```
 */
export function writeNodeResponse(res: NodeResponse, response: TusResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...response.headers };
  if (response.closeConnection) {
    headers.Connection = 'close';
    lingerBeforeClose(res);
  }
  const hasNoBody = response.status === 204 || response.status === 304 || res.req?.method === 'HEAD';
  const { body } = response;
  if (body !== undefined && typeof body !== 'string') {
    // A download: the core set Content-Length; pipeline ends the store's stream too when the client goes away.
    res.writeHead(response.status, headers);
    pipeline(body, res, () => {});
    return;
  }
  if (!hasNoBody) headers['Content-Length'] = String(Buffer.byteLength(body ?? ''));
  res.writeHead(response.status, headers);
  if (body === undefined) res.end();
  else res.end(body);
}

/** How long, and for how many more request bytes, a closing connection waits for the client to read the answer. */
const LINGER_MS = 1000;
const LINGER_BYTES = 4 * 1024 * 1024;

/**
 * Node destroys a `Connection: close` socket right after the answer. With
 * request bytes still unread, the kernel then resets the connection and the
 * client may never see the answer (RFC 9112 §9.6). Instead: once the answer
 * is out, take back the destroy Node queued for when the socket's write side
 * finishes, discard what still arrives for a bounded time and size, then
 * destroy.
 */
function lingerBeforeClose(res: NodeResponse): void {
  const socket = res.socket;
  if (!socket) return;
  // Runs after the server's own 'finish' listener, which half-closed the socket and queued `destroy` on its 'finish'.
  res.once('finish', () => {
    if (socket.destroyed) return;
    socket.off('finish', socket.destroy);
    let discarded = 0;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > LINGER_BYTES) socket.destroy();
    });
    res.req?.resume();
    socket.resume();
  });
}

/**
 * The origin-form path and query of a request target: an absolute-form
 * target (`http://host/path`, RFC 9112 §3.2.2), which any HTTP/1.1 server
 * must accept, is reduced to its path and query. `undefined` for an
 * absolute-form target that is not a valid URL (answer it 400).
 *
 * @example
 * ```ts
 * requestPath('http://api.example.com/v1/uploads/a1?x=1'); // '/v1/uploads/a1?x=1'
 * ```
 */
export function requestPath(url: string | undefined): string | undefined {
  if (!url) return '/';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  const parsed = URL.parse(url);
  return parsed ? `${parsed.pathname}${parsed.search}` : undefined;
}

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions<Ctx> {
  /** Builds the context handed to `authorize` and hooks; default: the request itself. */
  context?: (req: IncomingMessage, res: ServerResponse) => Ctx;
}

/**
 * A plain `node:http` request listener.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { toNodeHandler } from '@tuskit/core/node';
 * createServer(toNodeHandler(tus)).listen(1080);
 * ```
 */
export function toNodeHandler<Ctx = IncomingMessage>(
  tus: Tus<Ctx>,
  options: NodeHandlerOptions<Ctx> = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const context = options.context ?? ((req: IncomingMessage) => req as unknown as Ctx);
  return (req, res) => {
    const path = requestPath(req.url);
    if (path === undefined || !tus.handles(path)) {
      writeNodeResponse(res, tus.engine.errorResponse(new TusError('not_found'), { 'Tus-Resumable': TUS_VERSION }));
      return;
    }
    handleNodeRequest(tus, req, res, context(req, res)).catch((error: unknown) => {
      tus.engine.reportError(error);
      if (!res.headersSent) writeNodeResponse(res, tus.engine.errorResponse(error));
    });
  };
}

/**
 * The body to stream: the request itself, or what a parser kept when one
 * already read it. A body that is gone is a host misconfiguration, answered
 * as such rather than as a short chunk the client would retry forever.
 */
function requestBody(req: NodeRequest, options: NodeRequestOptions): AsyncIterable<Uint8Array> | TusError {
  if (!req.readableEnded) return req;
  const bytes = options.parsedBody?.();
  if (bytes) return bodyOf([bytes]);
  const method = (headerReader(req.headers)('x-http-method-override') ?? req.method ?? '').trim().toUpperCase();
  return method === 'PATCH' ? new TusError('body_consumed') : req;
}

export { createNodeServer, NODE_SERVER_DEFAULTS, type NodeServerOptions } from './node-server.js';
