import { wellFormed } from './client.js';
import { ANSWER_TIMEOUT_MS, RawConnection, headerOf, type NoResponse, type RawResponse } from './raw-http.js';
import type { Exchange } from './render.js';
import { bodyBytes, headBytes } from './wire.js';

/** What came back for one exchange. */
export interface Outcome {
  response: RawResponse | NoResponse | 'reset-by-client';
  /** The HEAD sent on the same connection afterwards, when the connection stayed open. */
  followUp: RawResponse | NoResponse | undefined;
  /** How many requests went out (1, or 2 with a follow-up). */
  requests: number;
}

/** Splits bytes at the given fractions into separate socket writes. */
function pieces(bytes: Buffer, splits: readonly number[]): Buffer[] {
  const cuts = [...new Set(splits.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > at) parts.push(bytes.subarray(at, cut));
    at = Math.max(at, cut);
  }
  return parts;
}

/**
 * Sends one exchange on its own connection and reads the answer (and the
 * follow-up HEAD's). Every wait is bounded; the connection is always closed
 * before returning.
 */
export async function send(port: number, exchange: Exchange, splits: readonly number[], followUpPath: string | undefined): Promise<Outcome> {
  const { request } = exchange;
  const connection = await RawConnection.open(port);
  try {
    for (const part of pieces(Buffer.concat([headBytes(request), bodyBytes(request.body)]), splits)) {
      if (!(await connection.write(part))) break;
    }
    if (request.body.ending === 'rst') {
      connection.destroy();
      return { response: 'reset-by-client', followUp: undefined, requests: 1 };
    }
    if (request.body.ending === 'fin') connection.finish();
    const response = await connection.read(request.method, ANSWER_TIMEOUT_MS);
    if (response === 'timeout' || !exchange.complete) {
      // an unfinished request must still end: the server closes the connection in bounded time
      const closed = response !== 'timeout' && (await connection.waitClosed(ANSWER_TIMEOUT_MS));
      return { response: closed ? response : 'timeout', followUp: undefined, requests: 1 };
    }
    const open = typeof response === 'object' && headerOf(response, 'connection') !== 'close' && request.httpVersion === '1.1';
    if (!open || followUpPath === undefined) return { response, followUp: undefined, requests: 1 };
    await connection.write(followUpHead(followUpPath));
    return { response, followUp: await connection.read('HEAD', ANSWER_TIMEOUT_MS), requests: 2 };
  } finally {
    connection.destroy();
  }
}

function followUpHead(path: string): Buffer {
  return headBytes(wellFormed({ method: 'HEAD', path }));
}
