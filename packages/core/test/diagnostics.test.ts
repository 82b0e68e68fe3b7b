import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import {
  createTus,
  headerReader,
  MemoryStore,
  PATCH_CONTENT_TYPE,
  TUS_CHANNELS,
  TUS_VERSION,
  type TusChannelName,
  type TusDiagnostics,
  type TusOptions,
} from '../src/index.js';
import { createTestClient, wavFile } from '../src/testing/index.js';

type Seen = { name: TusChannelName; message: Record<string, unknown> };

const subscriptions: Array<[string, (message: unknown) => void]> = [];

/** Records every message of every channel published by `tus` (other engines in the process are ignored). */
function record(tus: unknown): Seen[] {
  const seen: Seen[] = [];
  for (const name of Object.values(TUS_CHANNELS)) {
    const listener = (message: unknown) => {
      const m = message as Record<string, unknown>;
      if (m.tus === tus) seen.push({ name, message: m });
    };
    subscribe(name, listener);
    subscriptions.push([name, listener]);
  }
  return seen;
}

afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) unsubscribe(name, listener);
});

const engine = (options: Partial<TusOptions> = {}) =>
  createTus({ store: new MemoryStore(), basePath: '/v1/uploads', publicUrl: 'http://api.test', ...options });

const of = <N extends TusChannelName>(seen: Seen[], name: N) =>
  seen.filter((s) => s.name === name).map((s) => s.message as unknown as TusDiagnostics[N]);

/** A PATCH body that sends `first` and then nothing more until the request is interrupted. */
function stallingPatch(tus: ReturnType<typeof engine>, id: string, first: Uint8Array) {
  const body: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield first;
      await new Promise(() => {});
    },
  };
  return tus.handle({
    method: 'PATCH',
    path: `/v1/uploads/${id}`,
    header: headerReader({ 'tus-resumable': TUS_VERSION, 'content-type': PATCH_CONTENT_TYPE, 'upload-offset': '0' }),
    body,
    context: undefined,
  });
}

describe('diagnostics channels', () => {
  it('publishes a whole upload: created, progress, PATCH end, completed and every request', async () => {
    const tus = engine();
    const seen = record(tus);
    const wav = wavFile(300_000);
    const { id, patches, head } = await createTestClient(tus).upload(wav, { chunkSize: 100_000 });
    expect(patches.map((p) => p.status)).toEqual([204, 204, 204]);
    expect(head.headers['Upload-Offset']).toBe('300000');

    expect(of(seen, 'tuskit:upload:created')).toMatchObject([{ id, size: 300_000 }]);
    const progress = of(seen, 'tuskit:upload:progress').map((m) => m.offset);
    expect(progress.at(-1)).toBe(300_000);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(of(seen, 'tuskit:patch:end').map(({ reason, offset, bytes }) => ({ reason, offset, bytes }))).toEqual([
      { reason: 'complete', offset: 100_000, bytes: 100_000 },
      { reason: 'complete', offset: 200_000, bytes: 100_000 },
      { reason: 'complete', offset: 300_000, bytes: 100_000 },
    ]);
    const [completed] = of(seen, 'tuskit:upload:completed');
    expect(completed).toMatchObject({ id, size: 300_000, object: { size: 300_000 } });

    const starts = of(seen, 'tuskit:request:start');
    const ends = of(seen, 'tuskit:request:end');
    expect(starts.map((s) => s.method)).toEqual(['PATCH', 'PATCH', 'PATCH', 'HEAD']);
    expect(ends.map((e) => [e.method, e.status, e.code])).toEqual([
      ['PATCH', 204, undefined],
      ['PATCH', 204, undefined],
      ['PATCH', 204, undefined],
      ['HEAD', 200, undefined],
    ]);
    // start and end of one request carry the same request object
    expect(ends.map((e) => e.request)).toEqual(starts.map((s) => s.request));
    for (const end of ends) expect(end.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('gives error answers their code; a PATCH refused by its headers publishes no PATCH end', async () => {
    const tus = engine();
    const seen = record(tus);
    const client = createTestClient(tus);
    const { id } = await tus.createUpload({ size: 1000 });
    expect((await client.patch(id, 5, wavFile(100))).status).toBe(409);
    expect((await client.head('nope')).status).toBe(404);
    expect(of(seen, 'tuskit:request:end').map((e) => [e.status, e.code])).toEqual([
      [409, 'offset_mismatch'],
      [404, 'not_found'],
    ]);
    expect(of(seen, 'tuskit:patch:end')).toEqual([]);
  });

  it('publishes a rejected first chunk, a termination, an expiry and the reaper run', async () => {
    const tus = engine({ uploadTtlMs: 60_000 });
    const seen = record(tus);
    const client = createTestClient(tus);
    const rejected = await tus.createUpload({ size: 1000 });
    const text = Buffer.from('just some text, certainly not audio or video, long enough to be checked'.repeat(3));
    expect((await client.patch(rejected.id, 0, text)).status).toBe(409);
    expect(of(seen, 'tuskit:upload:rejected')).toMatchObject([{ id: rejected.id, mime: undefined }]);
    expect(of(seen, 'tuskit:patch:end')).toMatchObject([{ id: rejected.id, reason: 'refused', offset: 0, bytes: 0 }]);

    const deleted = await tus.createUpload({ size: 1000 });
    expect((await client.delete(deleted.id)).status).toBe(204);
    expect((await client.delete(deleted.id)).status).toBe(204);
    expect(of(seen, 'tuskit:upload:terminated').map((m) => m.id)).toEqual([deleted.id]);

    const expired = await tus.createUpload({ size: 1000 });
    const reaped = await tus.reap(new Date(Date.now() + 120_000));
    expect(reaped).toEqual([expired.id]);
    expect(of(seen, 'tuskit:upload:expired').map((m) => m.id)).toEqual([expired.id]);
    expect(of(seen, 'tuskit:reaper:run')).toMatchObject([{ reaped: [expired.id] }]);
  });

  it('tells a lock takeover and why the PATCH it ended stopped, with the bytes it stored', async () => {
    const tus = engine();
    const seen = record(tus);
    const { id } = await tus.createUpload({ size: 10_000 });
    const first = wavFile(10_000).subarray(0, 5000);
    const progressed = new Promise<void>((resolve) => {
      const listener = (m: unknown) => {
        if ((m as { offset: number }).offset === 5000) {
          unsubscribe(TUS_CHANNELS.uploadProgress, listener);
          resolve();
        }
      };
      subscribe(TUS_CHANNELS.uploadProgress, listener);
    });
    const patch = stallingPatch(tus, id, first);
    await progressed;
    const head = await createTestClient(tus).head(id);
    expect(head.headers['Upload-Offset']).toBe('5000');
    expect((await patch).headers['Upload-Offset']).toBe('5000');
    expect(of(seen, 'tuskit:lock:takeover')).toMatchObject([{ id }]);
    expect(of(seen, 'tuskit:patch:end')).toMatchObject([{ id, reason: 'takeover', offset: 5000, bytes: 5000 }]);
  });

  /** Resolves on the next progress message of any upload. */
  const firstProgress = () =>
    new Promise<void>((resolve) => {
      const listener = () => resolve();
      subscribe(TUS_CHANNELS.uploadProgress, listener);
      subscriptions.push([TUS_CHANNELS.uploadProgress, listener]);
    });

  it('tells a PATCH ended by shutdown', async () => {
    const tus = engine();
    const seen = record(tus);
    const { id } = await tus.createUpload({ size: 10_000 });
    const progressed = firstProgress();
    const patch = stallingPatch(tus, id, wavFile(10_000).subarray(0, 3000));
    await progressed;
    await tus.close();
    expect((await patch).status).toBe(204);
    expect(of(seen, 'tuskit:patch:end')).toMatchObject([{ id, reason: 'shutdown', offset: 3000, bytes: 3000 }]);
  });

  it('tells a PATCH ended by tus.stop(id)', async () => {
    const tus = engine();
    const seen = record(tus);
    const { id } = await tus.createUpload({ size: 10_000 });
    const progressed = firstProgress();
    const patch = stallingPatch(tus, id, wavFile(10_000).subarray(0, 4500));
    await progressed;
    expect(tus.stop(id)).toBe(true);
    const answer = await patch;
    expect([answer.status, answer.headers['Upload-Offset']]).toEqual([400, '4500']);
    expect(of(seen, 'tuskit:patch:end')).toMatchObject([{ id, reason: 'stopped', offset: 4500, bytes: 4500 }]);
    expect(of(seen, 'tuskit:request:end').map((e) => e.code)).toEqual(['upload_stopped']);
  });

  it('publishes store failures and throwing hooks on tuskit:error with their source', async () => {
    const failing = new MemoryStore();
    failing.open = async () => {
      throw new Error('backend down');
    };
    const tus = engine({ store: failing });
    const seen = record(tus);
    expect((await createTestClient(tus).head('abc')).status).toBe(500);
    expect(of(seen, 'tuskit:error').map((e) => [e.source, (e.error as Error).message])).toEqual([['request', 'backend down']]);

    const hooked = engine({ hooks: { onTerminated: () => Promise.reject(new Error('hook broke')) } });
    const hookSeen = record(hooked);
    const { id } = await hooked.createUpload({ size: 100 });
    expect((await createTestClient(hooked).delete(id)).status).toBe(204);
    expect(of(hookSeen, 'tuskit:error').map((e) => [e.source, (e.error as Error).message])).toEqual([['hook', 'hook broke']]);
  });

  it('builds no message when nobody listens and no logger is set', async () => {
    const tus = engine();
    let built = 0;
    const publish = tus.engine.diagnostics.publish.bind(tus.engine.diagnostics);
    tus.engine.diagnostics.publish = (...args: Parameters<typeof publish>) => {
      built++;
      publish(...args);
    };
    await createTestClient(tus).upload(wavFile(1000));
    expect(built).toBe(0);
  });
});

describe('logger option', () => {
  it('writes the engine events to a pino logger as JSON lines', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const tus = engine({ logger: pino({ level: 'debug' }, destination) });
    const { id } = await createTestClient(tus).upload(wavFile(2000));
    await createTestClient(tus).head('missing');
    const events = lines.map((l) => [l.level, l.event]);
    expect(events).toContainEqual([30, 'upload:created']);
    expect(events).toContainEqual([30, 'upload:completed']);
    expect(events).toContainEqual([20, 'patch:end']);
    const missing = lines.find((l) => l.event === 'request:end' && l.status === 404);
    expect(missing).toMatchObject({ level: 20, method: 'HEAD', code: 'not_found', msg: 'HEAD /v1/uploads/missing 404' });
    const created = lines.find((l) => l.event === 'upload:created');
    expect(created).toMatchObject({ id, size: 2000, msg: `upload created ${id}` });
    // objects (the engine, the request, the upload) stay out of the log line
    expect(Object.keys(created ?? {})).not.toContain('upload');
    expect(Object.keys(created ?? {})).not.toContain('tus');
  });
});
