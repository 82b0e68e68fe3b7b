import { describe, expect, it } from 'vitest';
import { createTus, isTusError, MemoryStore, type DataStore } from '../src/index.js';

const tus = (options: Partial<Parameters<typeof createTus>[0]> = {}) =>
  createTus({ store: new MemoryStore(), basePath: '/v1/uploads', publicUrl: 'https://api.example.com/', ...options });

describe('createUpload', () => {
  it('pre-allocates an upload with a UUIDv7, absolute URL, expiry and headers', async () => {
    const before = Date.now();
    const created = await tus().createUpload({ size: 1000, metadata: { name: 'a.mp4' } });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.url).toBe(`https://api.example.com/v1/uploads/${created.id}`);
    expect(created.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 7 * 24 * 3600 * 1000);
    expect(created.headers).toEqual({
      Location: created.url,
      'Upload-Expires': created.expiresAt.toUTCString(),
      'Tus-Resumable': '1.0.0',
    });
    expect(created.upload).toMatchObject({ size: 1000, offset: 0, metadata: { name: 'a.mp4' } });
  });

  it('uses the host id and the configured TTL', async () => {
    const created = await tus({ uploadTtlMs: 60_000 }).createUpload({ size: 64, id: 'asset_42' });
    expect(created.id).toBe('asset_42');
    expect(created.expiresAt.getTime() - created.upload.createdAt.getTime()).toBe(60_000);
  });

  it.each([
    [63, 'size_too_small', 400],
    [50 * 1024 ** 3 + 1, 'size_too_large', 413],
    [-1, 'invalid_length', 400],
    [1.5, 'invalid_length', 400],
    [Number.NaN, 'invalid_length', 400],
  ] as const)('refuses size %d with %s (%i)', async (size, code, status) => {
    const error = await tus().createUpload({ size }).catch((e: unknown) => e);
    expect(isTusError(error, code)).toBe(true);
    expect((error as { status: number }).status).toBe(status);
  });

  it('accepts exactly 64 bytes and exactly the maximum', async () => {
    await expect(tus().createUpload({ size: 64 })).resolves.toBeDefined();
    await expect(tus({ maxSize: 1000 }).createUpload({ size: 1000 })).resolves.toBeDefined();
    await expect(tus({ maxSize: 1000 }).createUpload({ size: 1001 })).rejects.toThrow(/larger/);
  });

  it.each(['../etc', 'a.b', '', 'x'.repeat(129), 'a/b'])('refuses the id %j before any store call', async (id) => {
    const store = new MemoryStore();
    const seen: string[] = [];
    const spy: DataStore = { ...bind(store), create: async (u) => (seen.push(u.id), store.create(u)) };
    await expect(tus({ store: spy }).createUpload({ size: 100, id })).rejects.toSatisfy((e) => isTusError(e, 'invalid_id'));
    expect(seen).toEqual([]);
  });

  it('refuses a duplicate id', async () => {
    const engine = tus();
    await engine.createUpload({ size: 100, id: 'same' });
    await expect(engine.createUpload({ size: 100, id: 'same' })).rejects.toSatisfy((e) => isTusError(e, 'upload_exists'));
  });

  it('takes the smaller of its own and the store limit as Tus-Max-Size', () => {
    const store = Object.assign(new MemoryStore(), { maxSize: 5000 });
    expect(tus({ store }).maxSize).toBe(5000);
  });

  it('builds origins from Host, or forwarded headers only when the proxy is trusted', () => {
    const headers = { host: 'internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'media.example.com' };
    expect(tus({ publicUrl: undefined }).originFor(headers)).toBe('http://internal:8080');
    expect(tus({ publicUrl: undefined, trustProxy: true }).originFor(headers)).toBe('https://media.example.com');
    expect(tus().originFor(headers)).toBe('https://api.example.com');
    expect(tus({ publicUrl: undefined }).originFor({ host: 'evil.com/\r\nX: y' })).toBe('http://localhost');
  });
});

function bind(store: MemoryStore): DataStore {
  return {
    create: store.create.bind(store),
    open: store.open.bind(store),
  };
}
