import { connect, type Socket } from 'node:net';

/** One HTTP response as it came off the wire. */
export interface RawResponse {
  status: number;
  /** Header lines in order, names lower-cased, values as sent (latin1). */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** First value of a response header, by lower-case name. */
export function headerOf(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n === name)?.[1];
}

/** Bound on any wait for the server: an answer, or the end of a connection. */
export const ANSWER_TIMEOUT_MS = 5000;

/** Why {@link RawConnection.read} returned no response. */
export type NoResponse = 'closed' | 'timeout';

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A raw loopback TCP connection: writes exactly the bytes it is given (so
 * duplicated headers, CR/LF, odd bytes and broken framing really reach the
 * server) and parses responses itself.
 */
export class RawConnection {
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, data]);
      this.#wake?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#ended = true;
        this.#wake?.();
        resolve();
      }),
    );
  }

  /** Connects to 127.0.0.1:`port`. */
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes bytes; resolves once handed to the kernel (false when the socket is gone). */
  write(bytes: Uint8Array): Promise<boolean> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(bytes, (error) => resolve(!error)));
  }

  /** Half-closes (FIN): the server sees the end of the request stream. */
  finish(): void {
    this.socket.end();
  }

  /** Closes at once (RST when data is pending). */
  destroy(): void {
    this.socket.resetAndDestroy();
  }

  /** True once the connection is closed, by either side. */
  get isClosed(): boolean {
    return this.#ended;
  }

  /**
   * Reads the next final (non-1xx) response; `method` tells whether a body
   * follows (HEAD never has one).
   */
  async read(method: string, timeoutMs: number): Promise<RawResponse | NoResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.#buffer, method, this.#ended);
      if (parsed) {
        this.#buffer = this.#buffer.subarray(parsed.consumed);
        if (parsed.response.status >= 200) return parsed.response;
        continue;
      }
      if (this.#ended) return 'closed';
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await this.#waitForData(remaining))) return 'timeout';
    }
  }

  /** Waits until the peer closes the connection; false on timeout. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      this.#buffer = Buffer.alloc(0);
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await this.#waitForData(remaining))) return false;
    }
    return true;
  }

  #waitForData(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve(false);
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve(true);
      };
    });
  }
}

/** Parses one response from the front of `buffer`; undefined when incomplete. */
function parseResponse(
  buffer: Buffer,
  method: string,
  ended: boolean,
): { response: RawResponse; consumed: number } | undefined {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const [statusLine = '', ...lines] = buffer.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (!match) throw new Error(`malformed status line: ${JSON.stringify(statusLine)}`);
  const status = Number(match[1]);
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed response header line: ${JSON.stringify(line)}`);
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  });
  const start = headerEnd + HEADER_END.byteLength;
  const length = bodyLength(status, method, headers);
  if (length === 'chunked') {
    const decoded = decodeChunked(buffer, start);
    return decoded && { response: { status, headers, body: decoded.body }, consumed: decoded.end };
  }
  if (length === 'until-close') {
    if (!ended) return undefined;
    return { response: { status, headers, body: buffer.subarray(start) }, consumed: buffer.byteLength };
  }
  if (buffer.byteLength < start + length) return undefined;
  return { response: { status, headers, body: buffer.subarray(start, start + length) }, consumed: start + length };
}

/** Decodes a chunked body starting at `at`; undefined while incomplete. */
function decodeChunked(buffer: Buffer, at: number): { body: Buffer; end: number } | undefined {
  const chunks: Buffer[] = [];
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buffer.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isSafeInteger(size)) throw new Error('malformed chunk size in a response');
    if (size === 0) {
      const end = buffer.indexOf(HEADER_END, lineEnd);
      return end < 0 ? undefined : { body: Buffer.concat(chunks), end: end + HEADER_END.byteLength };
    }
    if (buffer.byteLength < lineEnd + 2 + size + 2) return undefined;
    chunks.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function bodyLength(status: number, method: string, headers: Array<[string, string]>): number | 'chunked' | 'until-close' {
  if (method.toUpperCase() === 'HEAD' || status < 200 || status === 204 || status === 304) return 0;
  const lengths = headers.filter(([n]) => n === 'content-length');
  if (lengths.length > 1) throw new Error('response with several Content-Length headers');
  if (lengths[0]) return Number(lengths[0][1]);
  if (headers.some(([n, v]) => n === 'transfer-encoding' && v === 'chunked')) return 'chunked';
  return 'until-close';
}
