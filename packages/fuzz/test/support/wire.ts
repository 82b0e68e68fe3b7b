/** How a request body is framed on the wire, including the broken ways. */
export interface BodyPlan {
  /** The bytes the body carries (what the core may store). */
  payload: Buffer;
  framing: 'none' | 'length' | 'chunked';
  /** Content-Length value sent for `length` framing; may lie or be junk. */
  declared?: string;
  /** Payload bytes actually sent; fewer than `payload.length` truncates the request. */
  sent: number;
  /** Chunk sizes, cycled, for `chunked` framing. */
  chunkSizes?: readonly number[];
  /** A framing error after the first chunk: a junk size line, missing CRLF, or a size beyond 2^64. */
  chunkFault?: 'bad-size' | 'missing-crlf' | 'huge-size';
  /** Chunk extensions and a trailer section (valid, rarely used). */
  chunkExtras?: boolean;
  /** After the last byte: keep the socket open, half-close (FIN) or reset (RST). */
  ending: 'wait' | 'fin' | 'rst';
}

/** A request exactly as it is written to the socket. */
export interface WireRequest {
  method: string;
  target: string;
  httpVersion: '1.0' | '1.1';
  /** Header lines in order, latin1; framing headers are added from `body`. */
  headers: Array<[string, string]>;
  body: BodyPlan;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const ORIGIN_FORM = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
/** Methods Node's parser hands to the application (CONNECT and PRI are special-cased by Node). */
const PARSED_METHODS = new Set(['OPTIONS', 'HEAD', 'PATCH', 'DELETE', 'POST', 'GET', 'PUT', 'PROPFIND', 'PURGE', 'TRACE']);
/** Stay clear of Node's 16 KiB header limit unless a test means to cross it. */
const MAX_VALID_HEAD = 15_000;

/** The header lines including the framing ones. */
export function allHeaders(request: WireRequest): Array<[string, string]> {
  const { body } = request;
  const framing: Array<[string, string]> =
    body.framing === 'length' ? [['Content-Length', body.declared ?? String(body.payload.length)]] : [];
  if (body.framing === 'chunked') framing.push(['Transfer-Encoding', 'chunked']);
  return [...request.headers, ...framing];
}

/** The bytes of the request line and headers. */
export function headBytes(request: WireRequest): Buffer {
  const lines = allHeaders(request).map(([name, value]) => `${name}: ${value}\r\n`);
  return Buffer.from(`${request.method} ${request.target} HTTP/${request.httpVersion}\r\n${lines.join('')}\r\n`, 'latin1');
}

/** The bytes of the body, framed (and broken) as planned. */
export function bodyBytes(body: BodyPlan): Buffer {
  const payload = body.payload.subarray(0, body.sent);
  if (body.framing !== 'chunked') return payload;
  const chunks = split(payload, body.chunkSizes ?? []);
  const ext = body.chunkExtras ? ';name=value' : '';
  const parts: Buffer[] = [];
  for (const [i, chunk] of chunks.entries()) {
    const broken = i === 0 && body.chunkFault === 'missing-crlf';
    parts.push(Buffer.from(`${chunk.length.toString(16)}${ext}\r\n`), chunk, Buffer.from(broken ? 'XX' : '\r\n'));
    if (i === 0 && body.chunkFault) break;
  }
  const rest = payload.subarray(chunks[0]?.length ?? 0);
  if (body.chunkFault === 'bad-size') parts.push(Buffer.from('zz\r\n'));
  // the bytes after an impossible size are payload, so that whatever Node does with them stays checkable
  if (body.chunkFault === 'huge-size') parts.push(Buffer.from('1ffffffffffffffff\r\n'), rest);
  const whole = body.sent === body.payload.length && !body.chunkFault;
  if (whole) parts.push(Buffer.from(body.chunkExtras ? '0\r\nX-Trailer: 1\r\n\r\n' : '0\r\n\r\n'));
  return Buffer.concat(parts);
}

function split(payload: Buffer, sizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < payload.length; i++) {
    const size = Math.max(1, sizes.length ? (sizes[i % sizes.length] ?? 1) : payload.length);
    chunks.push(payload.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** True when the whole request, body and framing included, is sent. */
export function isComplete(request: WireRequest): boolean {
  const { body } = request;
  return body.ending === 'wait' && body.sent === body.payload.length && !body.chunkFault;
}

/**
 * True when the request is strictly valid HTTP/1.1 that Node's parser must
 * hand to the application: then a parser-level rejection (400 without
 * Tus-Resumable) means the connection was desynchronised or the core broke
 * the stream, and is a failure.
 */
export function isStrictlyValid(request: WireRequest): boolean {
  const headers = allHeaders(request);
  const named = (name: string) => headers.filter(([n]) => n.toLowerCase() === name);
  const lengths = named('content-length');
  const encodings = named('transfer-encoding');
  const { body } = request;
  return (
    PARSED_METHODS.has(request.method) &&
    ORIGIN_FORM.test(request.target) &&
    headers.every(([name, value]) => TOKEN.test(name) && FIELD_VALUE.test(value)) &&
    (request.httpVersion === '1.0' || named('host').length > 0) &&
    lengths.length <= 1 &&
    lengths.every(([, value]) => /^\d{1,15}$/.test(value.trim()) && Number(value) === body.sent) &&
    (encodings.length === 0 || (encodings.length === 1 && request.httpVersion === '1.1' && lengths.length === 0)) &&
    (body.framing !== 'none' || body.sent === 0) &&
    isComplete(request) &&
    headBytes(request).length <= MAX_VALID_HEAD
  );
}
