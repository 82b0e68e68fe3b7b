import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Payload } from './payload.js';

const TUS_HEADERS = { 'Tus-Resumable': '1.0.0' } as const;

/** One upload the load generator drives: where it lives and how big it is. */
export interface UploadTarget {
  url: string;
  size: number;
}

/**
 * The load generator's TUS client: keep-alive `node:http`, correct TUS
 * headers, every answer checked (status and `Upload-Offset`). PATCH bodies
 * are views into the one payload buffer, so sending costs no copy.
 *
 * @example
 * ```ts
 * const client = new TusClient('http://127.0.0.1:1080/files');
 * const upload = await client.create(GiB);
 * await client.upload(upload, payload, 8 * MiB);
 * client.close();
 * ```
 */
export class TusClient {
  readonly #endpoint: string;
  #agent = new Agent({ keepAlive: true, maxSockets: Infinity });

  constructor(endpoint: string) {
    this.#endpoint = endpoint;
  }

  /** POST (creation): returns the absolute upload URL. */
  async create(size: number): Promise<UploadTarget> {
    const { status, headers, text } = await this.#send(this.#endpoint, 'POST', {
      ...TUS_HEADERS,
      'Upload-Length': String(size),
      'Content-Length': '0',
    });
    if (status !== 201 || typeof headers.location !== 'string') {
      throw new Error(`POST ${this.#endpoint}: expected 201 with a Location, got ${status} ${text.slice(0, 200)}`);
    }
    return { url: new URL(headers.location, this.#endpoint).href, size };
  }

  /** One PATCH of `body` at `offset`; returns its latency in milliseconds. */
  async patch(url: string, offset: number, body: Buffer): Promise<number> {
    const started = performance.now();
    const { status, headers, text } = await this.#send(
      url,
      'PATCH',
      {
        ...TUS_HEADERS,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(offset),
        'Content-Length': String(body.byteLength),
      },
      body,
    );
    const expected = offset + body.byteLength;
    if (status !== 204 || headers['upload-offset'] !== String(expected)) {
      throw new Error(`PATCH ${url} at ${offset}: expected 204 with Upload-Offset ${expected}, got ${status} ${headers['upload-offset']} ${text.slice(0, 200)}`);
    }
    return performance.now() - started;
  }

  /** Sends an upload's bytes (the payload's prefix) in PATCHes of `patchSize`; returns each latency. */
  async upload(target: UploadTarget, payload: Payload, patchSize: number): Promise<number[]> {
    const latencies: number[] = [];
    for (let offset = 0; offset < target.size; offset += patchSize) {
      const end = Math.min(offset + patchSize, target.size);
      latencies.push(await this.patch(target.url, offset, payload.slice(offset, end)));
    }
    return latencies;
  }

  /**
   * Drops the kept-alive connections. Called before each run: a connection
   * left idle while the previous run was verified may be closed by the
   * server's keep-alive timeout just as it is reused, which the client
   * sees as a hang-up.
   */
  resetConnections(): void {
    this.#agent.destroy();
    this.#agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  }

  close(): void {
    this.#agent.destroy();
  }

  #send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
