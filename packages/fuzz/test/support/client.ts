import { ANSWER_TIMEOUT_MS, RawConnection, type NoResponse, type RawResponse } from './raw-http.js';
import { API_KEY } from './server-process.js';
import { bodyBytes, headBytes, type WireRequest } from './wire.js';

/** Options of {@link tusRequest}. */
export interface TusRequestOptions {
  method: string;
  path: string;
  /** Extra header lines, sent after Host, Authorization and Tus-Resumable. */
  headers?: Array<[string, string]>;
  /** Sent with an exact Content-Length. */
  body?: Buffer;
  /** Leave out the Authorization line. */
  anonymous?: boolean;
}

/** The request line and headers of a well-behaved client, plus `extra`. */
export function wellFormed(options: TusRequestOptions): WireRequest {
  const payload = options.body ?? Buffer.alloc(0);
  return {
    method: options.method,
    target: options.path,
    httpVersion: '1.1',
    headers: [
      ['Host', '127.0.0.1'],
      ...(options.anonymous ? [] : [['Authorization', `Bearer ${API_KEY}`] as [string, string]]),
      ['Tus-Resumable', '1.0.0'],
      ...(options.headers ?? []),
    ],
    body: { payload, framing: options.body ? 'length' : 'none', sent: payload.length, ending: 'wait' },
  };
}

/**
 * Sends exactly `bytes` on a new connection and reads one answer to `method`;
 * the connection is closed afterwards.
 */
export async function sendRaw(port: number, bytes: Uint8Array, method: string): Promise<RawResponse | NoResponse> {
  const connection = await RawConnection.open(port);
  const written = connection.write(bytes);
  try {
    return await connection.read(method, ANSWER_TIMEOUT_MS);
  } finally {
    connection.destroy();
    await written;
  }
}

/**
 * One well-formed request on its own connection; resolves the answer or
 * throws when none comes within the answer timeout.
 */
export async function tusRequest(port: number, options: TusRequestOptions): Promise<RawResponse> {
  const request = wellFormed(options);
  const response = await sendRaw(port, Buffer.concat([headBytes(request), bodyBytes(request.body)]), options.method);
  if (typeof response !== 'object') throw new Error(`${options.method} ${options.path}: no answer (${response})`);
  return response;
}

/** The headers of a PATCH at `offset`. */
export function patchHeaders(offset: number): Array<[string, string]> {
  return [
    ['Content-Type', 'application/offset+octet-stream'],
    ['Upload-Offset', String(offset)],
  ];
}
