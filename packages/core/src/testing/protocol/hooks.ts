import { afterEach, describe, expect, it } from 'vitest';
import { TusError } from '../../errors.js';
import { formatUploadMetadata, parseUploadMetadata } from '../../http.js';
import type { TusOptions } from '../../options.js';
import { wavFile } from '../bytes.js';
import { Harness, type ProtocolSuiteOptions } from './harness.js';

/** Hooks that steer: pre-create, pre-finish, `tus.stop(id)`, and keeping finished uploads from DELETE. */
export function hookCases(suite: ProtocolSuiteOptions): void {
  let h: Harness | undefined;
  const start = async (overrides: Partial<TusOptions<unknown>> = {}) => (h = await new Harness(suite).start(overrides));
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });
  const post = (t: Harness, size: number, metadata: Record<string, string>) =>
    t.fetch('', { method: 'POST', headers: { 'upload-length': String(size), 'upload-metadata': formatUploadMetadata(metadata) } });

  describe('onBeforeCreate', () => {
    it('refuses a creation POST with the status and message it chooses', async () => {
      const seen: unknown[] = [];
      const t = await start({
        creation: true,
        hooks: {
          onBeforeCreate: ({ size, metadata }) => {
            seen.push({ size, metadata: { ...metadata } });
            if (metadata.filename?.endsWith('.exe')) throw new TusError('refused', 'No programs, please.', { status: 422 });
          },
        },
      });
      const refused = await post(t, 1000, { filename: 'setup.exe' });
      expect(refused.status).toBe(422);
      expect(refused.headers.get('location')).toBeNull();
      expect(await refused.json()).toEqual({ error: { code: 'refused', message: 'No programs, please.' } });
      expect(seen).toEqual([{ size: 1000, metadata: { filename: 'setup.exe' } }]);
      expect((await post(t, 1000, { filename: 'take1.wav' })).status).toBe(201);
    });

    it('changes the id and the metadata of the upload it lets through', async () => {
      const id = `chosen-${Math.random().toString(36).slice(2)}`;
      const t = await start({
        creation: true,
        hooks: { onBeforeCreate: ({ metadata }) => ({ id, metadata: { ...metadata, owner: 'user-7' } }) },
      });
      const created = await post(t, 1000, { filename: 'take1.wav' });
      expect(created.status).toBe(201);
      expect(new URL(created.headers.get('location') ?? '', t.url).pathname).toBe(`/v1/uploads/${id}`);
      const head = await t.head(id);
      expect(head.status).toBe(200);
      expect(parseUploadMetadata(head.headers.get('upload-metadata') ?? '')).toEqual({ filename: 'take1.wav', owner: 'user-7' });
    });
  });

  describe('onBeforeFinish', () => {
    it('changes the status, headers and body of the answer that completes the upload, and only that one', async () => {
      const finished: string[] = [];
      const t = await start({
        hooks: {
          onBeforeFinish: ({ upload, object }) => {
            finished.push(upload.id);
            return {
              status: 200,
              headers: { 'Content-Type': 'application/json', 'X-Asset-Id': upload.id },
              body: JSON.stringify({ id: upload.id, size: object.size }),
            };
          },
        },
      });
      const wav = wavFile(20_000);
      const { id } = await t.create(wav.length);
      const first = await t.patch(id, 0, wav.subarray(0, 10_000));
      expect(first.status).toBe(204);
      const last = await t.patch(id, 10_000, wav.subarray(10_000));
      expect(last.status).toBe(200);
      expect(last.headers.get('x-asset-id')).toBe(id);
      expect(last.headers.get('upload-offset')).toBe('20000');
      expect(await last.json()).toEqual({ id, size: 20_000 });
      expect(finished).toEqual([id]);
      expect((await t.head(id)).headers.get('upload-offset')).toBe('20000');
    });

    it('answers the TusError it throws, and the upload stays complete', async () => {
      const t = await start({
        hooks: {
          onBeforeFinish: () => {
            throw new TusError('refused', 'Stored, but the catalog is read-only.', { status: 503 });
          },
        },
      });
      const wav = wavFile(5000);
      const { id } = await t.create(wav.length);
      const response = await t.patch(id, 0, wav);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: { code: 'refused', message: 'Stored, but the catalog is read-only.' } });
      expect((await t.head(id)).headers.get('upload-offset')).toBe('5000');
    });
  });

  describe('tus.stop(id)', () => {
    it('ends a running PATCH with what it stored; the client is told 400 with the offset and can resume later', async () => {
      const t = await start();
      const wav = wavFile(60_000);
      const { id } = await t.create(wav.length);
      expect(t.tus.stop(id)).toBe(false);
      const { req, response } = t.rawPatch(id, 0, wav.length);
      req.write(wav.subarray(0, 20_000));
      await t.waitFor((call) => call.hook === 'onProgress' && (call.event.offset as number) >= 20_000);
      expect(t.tus.stop(id)).toBe(true);
      const answer = await response;
      req.destroy();
      if (answer instanceof Error) throw answer;
      expect(answer.status).toBe(400);
      expect(answer.headers['upload-offset']).toBe('20000');
      expect((await t.head(id)).headers.get('upload-offset')).toBe('20000');
      expect((await t.patch(id, 20_000, wav.subarray(20_000))).status).toBe(204);
      expect((await t.head(id)).headers.get('upload-offset')).toBe('60000');
    });
  });

  describe('disableTerminationForFinishedUploads', () => {
    it('refuses DELETE of a finished upload with 403 and keeps it; an unfinished one is still removed', async () => {
      const t = await start({ disableTerminationForFinishedUploads: true });
      const wav = wavFile(5000);
      const finished = await t.create(wav.length);
      expect((await t.patch(finished.id, 0, wav)).status).toBe(204);
      const refused = await t.fetch(`/${finished.id}`, { method: 'DELETE' });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: { code: 'termination_refused', message: expect.any(String) } });
      expect((await t.head(finished.id)).headers.get('upload-offset')).toBe('5000');
      expect(t.calls.filter((c) => c.hook === 'onTerminated')).toEqual([]);

      const unfinished = await t.create(wav.length);
      expect((await t.fetch(`/${unfinished.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await t.head(unfinished.id)).status).toBe(404);
    });
  });
}
