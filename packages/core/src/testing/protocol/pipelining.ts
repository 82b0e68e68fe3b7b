import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MemoryStore } from '../../memory-store.js';
import { isReadableStore, type DataStore, type UploadHandle } from '../../store.js';
import type { NewUpload } from '../../upload.js';
import { sha256, wavFile } from '../bytes.js';
import { API_KEY, Harness, type ProtocolSuiteOptions } from './harness.js';

/** One answer read off a raw connection. */
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
}

/**
 * Writes `bytes` in one go on a fresh connection and reads every answer
 * until the server closes it. `heads[i]` marks the answers that have no body
 * whatever their Content-Length (answers to HEAD).
 */
async function exchange(origin: string, bytes: Buffer, heads: boolean[]): Promise<RawAnswer[]> {
  const url = new URL(origin);
  const socket = connect(Number(url.port), url.hostname);
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.write(bytes);
  await once(socket, 'close');
  return parseAnswers(Buffer.concat(received).toString('latin1'), heads);
}

function parseAnswers(text: string, heads: boolean[]): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`incomplete answer: ${JSON.stringify(rest)}`);
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyLength = heads[answers.length] ? 0 : Number(headers['content-length'] ?? 0);
    answers.push({ status: Number(statusLine.split(' ')[1]), headers });
    rest = rest.slice(end + 4 + bodyLength);
  }
  return answers;
}

/** A request head as a client writes it on the wire. */
function requestHead(method: string, path: string, headers: Record<string, string>): string {
  const lines = Object.entries({ host: 'localhost', authorization: `Bearer ${API_KEY}`, 'tus-resumable': '1.0.0', ...headers });
  return `${method} ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

function patchOn(path: string, offset: number, body: Buffer, close = false): Buffer {
  const head = requestHead('PATCH', path, {
    'content-type': 'application/offset+octet-stream',
    'upload-offset': String(offset),
    'content-length': String(body.length),
    ...(close && { connection: 'close' }),
  });
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * The store under test, with every write starting a few event-loop turns
 * late, as a write to a real disk does: a request of the same connection
 * that ran at once would take over the PATCH before it read its body.
 */
function withLateWrites(store: DataStore): DataStore {
  const late = (handle: UploadHandle): UploadHandle => ({
    get info() {
      return handle.info;
    },
    write: async (offset, body) => {
      for (let turn = 0; turn < 10; turn++) await nextTurn();
      return handle.write(offset, body);
    },
    update: (changes) => handle.update(changes),
    finalize: () => handle.finalize(),
    remove: () => handle.remove(),
  });
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'create') return async (upload: NewUpload) => late(await target.create(upload));
      if (name === 'open') return async (id: string) => {
        const handle = await target.open(id);
        return handle && late(handle);
      };
      const value: unknown = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Requests pipelined on one connection behind a complete PATCH, and bytes
 * trailing a complete body: no request may take over another of its own
 * connection, and every request gets its answer, in order.
 */
export function pipeliningCases(suite: ProtocolSuiteOptions): void {
  const h = new Harness(suite);
  beforeAll(async () => h.start({ store: withLateWrites(await (suite.createStore?.() ?? new MemoryStore())) }));
  afterAll(() => h.stop());

  const KiB = 1024;
  const pathOf = (id: string) => new URL(`${h.url}/${id}`).pathname;

  async function expectStored(id: string, data: Buffer, offset: number): Promise<void> {
    const head = await h.head(id);
    expect(head.headers.get('upload-offset')).toBe(String(offset));
    if (offset === data.length && isReadableStore(h.tus.store)) {
      expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(data));
    }
  }

  it('a HEAD pipelined behind a complete PATCH waits for it: 204 with the new offset, then 200 with it', async () => {
    const data = wavFile(64 * KiB);
    const { id } = await h.create(data.length);
    const first = data.subarray(0, 40 * KiB);
    const wire = Buffer.concat([patchOn(pathOf(id), 0, first), Buffer.from(requestHead('HEAD', pathOf(id), { connection: 'close' }))]);
    const answers = await exchange(h.url, wire, [false, true]);
    expect(answers.map((a) => a.status)).toEqual([204, 200]);
    expect(answers.map((a) => a.headers['upload-offset'])).toEqual([String(40 * KiB), String(40 * KiB)]);
    await expectStored(id, data, 40 * KiB);
  });

  it('a PATCH pipelined behind a complete PATCH continues where it ended; both answered, bytes exact', async () => {
    const data = wavFile(64 * KiB);
    const { id } = await h.create(data.length);
    const wire = Buffer.concat([
      patchOn(pathOf(id), 0, data.subarray(0, 24 * KiB)),
      patchOn(pathOf(id), 24 * KiB, data.subarray(24 * KiB), true),
    ]);
    const answers = await exchange(h.url, wire, [false, false]);
    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    expect(answers.map((a) => a.headers['upload-offset'])).toEqual([String(24 * KiB), String(data.length)]);
    await expectStored(id, data, data.length);
  });

  it.runIf(suite.answersBeforeParseErrors !== false)('bytes trailing a complete PATCH body: the PATCH stores its body and answers 204, then the garbage 400', async () => {
    const data = wavFile(64 * KiB);
    const { id } = await h.create(data.length);
    const wire = Buffer.concat([patchOn(pathOf(id), 0, data.subarray(0, 32 * KiB)), Buffer.from('\x00\x01garbage after the body\r\n\r\n')]);
    const answers = await exchange(h.url, wire, [false, false]);
    expect(answers.map((a) => a.status)).toEqual([204, 400]);
    expect(answers[0]?.headers['upload-offset']).toBe(String(32 * KiB));
    await expectStored(id, data, 32 * KiB);
    expect((await h.patch(id, 32 * KiB, data.subarray(32 * KiB))).status).toBe(204);
    await expectStored(id, data, data.length);
  });
}
