import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The last request of a connection that the bridge took, and when its answer is done. */
interface Turn {
  req: IncomingMessage;
  done: Promise<void>;
}

const lastTurn = new WeakMap<Socket, Turn>();
const guardedServers = new WeakSet<Server>();

/**
 * Waits until every earlier request of the same connection has been
 * answered. Node hands pipelined requests over as soon as it has parsed
 * them; run at once, a HEAD sent right behind a PATCH would take over the
 * PATCH's lock before the PATCH had read its own body. Resolves false when
 * the connection closed meanwhile (there is nobody left to answer).
 */
export async function awaitTurn(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const socket = req.socket as Socket | null;
  if (!socket) return true;
  guardParseErrors(socket);
  const previous = lastTurn.get(socket);
  const done = new Promise<void>((resolve) => res.once('close', () => resolve()));
  lastTurn.set(socket, { req, done });
  if (!previous) return true;
  await previous.done;
  return !res.destroyed && !socket.destroyed;
}

/**
 * Bytes after a complete request that do not parse as a request make Node
 * answer 400 and destroy the connection at once, and with it the answer of
 * the request still being handled: a PATCH whose body all arrived would lose
 * its 204. Unless the host handles `clientError` itself, such an error waits
 * for that answer; any other error is answered as Node answers it.
 */
function guardParseErrors(socket: Socket): void {
  const server = (socket as Socket & { server?: Server }).server;
  if (!server || guardedServers.has(server)) return;
  guardedServers.add(server);
  if (server.listenerCount('clientError') > 0) return;
  server.on('clientError', (error: NodeJS.ErrnoException, broken: Socket) => {
    const turn = lastTurn.get(broken);
    const answer = () => answerClientError(error, broken);
    if (turn && turn.req.complete && error.code?.startsWith('HPE_')) void turn.done.then(answer);
    else answer();
  });
}

/** Node's own answer to a broken request (node's `_http_server` `socketOnError`), then close. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // Never a second status line into an answer already under way.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !socket.destroyed && !inFlight?.headersSent) {
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request';
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy();
}

const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};
