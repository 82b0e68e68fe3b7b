// A TUS PATCH whose body the test writes piece by piece, to stall, trickle or race it.
import { request, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

/** How a streamed PATCH was answered. */
export interface PatchAnswer {
  status: number;
  /** `Upload-Offset`, when the answer carries one. */
  offset: number | undefined;
  /** The JSON error code of a failure. */
  code: string | undefined;
  /** When the answer arrived (`performance.now()`). */
  at: number;
}

/** A PATCH in flight: write its body, then await {@link StreamingPatch.answer}. */
export interface StreamingPatch {
  /** Sends bytes of the body; resolves once they are handed to the socket (false once answered). */
  write(bytes: Uint8Array): Promise<boolean>;
  /** Ends the body. */
  end(): void;
  /** Gives up on it: the connection is destroyed, `answer` rejects unless it came first. */
  abort(): void;
  /** The server's answer, which may come before the body is complete. */
  readonly answer: Promise<PatchAnswer>;
  /** Whether the answer has arrived. */
  readonly answered: boolean;
  /** The client side's port of the connection, once connected. */
  localPort(): Promise<number>;
}

/** Options of {@link streamingPatch}. */
export interface StreamingPatchOptions {
  /** A connection of its own rather than a kept-alive one (with WORKERS=N, each goes to the next worker). */
  freshConnection?: boolean;
}

/**
 * Opens a PATCH at `offset` declaring `length` body bytes. A server that
 * answers early closes the connection: what the socket reports after the
 * answer is ignored, as a client that got its answer would.
 */
export function streamingPatch(url: string, apiKey: string, offset: number, length: number, options: StreamingPatchOptions = {}): StreamingPatch {
  const req = request(url, {
    ...(options.freshConnection && { agent: false }),
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${apiKey}`,
      'tus-resumable': '1.0.0',
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      'content-length': String(length),
    },
  });
  let answered = false;
  const answer = new Promise<PatchAnswer>((resolve, reject) => {
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const header = res.headers['upload-offset'];
        resolve({
          status: res.statusCode ?? 0,
          offset: header === undefined ? undefined : Number(header),
          code: text ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : undefined,
          at: performance.now(),
        });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
  });
  // Rejections are the caller's to see through `answer`; do not let an unawaited one crash the run.
  answer.catch(() => {});
  // Read once connected: a closed socket forgets its port.
  const localPort = new Promise<number>((resolve) => {
    const whenConnected = (socket: Socket) => {
      if (socket.localPort !== undefined) resolve(socket.localPort);
      else socket.once('connect', () => resolve(socket.localPort as number));
    };
    if (req.socket) whenConnected(req.socket);
    else req.once('socket', whenConnected);
  });
  return {
    write: (bytes) => writeChunk(req, bytes, () => answered),
    end: () => {
      if (!answered) req.end();
    },
    abort: () => req.destroy(),
    answer,
    get answered() {
      return answered;
    },
    localPort: () => localPort,
  };
}

function writeChunk(req: ClientRequest, bytes: Uint8Array, answered: () => boolean): Promise<boolean> {
  if (answered() || req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    req.write(bytes, () => resolve(!answered()));
  });
}
