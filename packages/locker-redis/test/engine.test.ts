import { mkdtempSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTus, type Tus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { chunked, listenOnLoopback, sha256, wavFile, type ServedTus } from '@tuskit/core/testing';
import { FileStore } from '@tuskit/store-fs';
import { describeWithRedis, redisAvailability } from '@tuskit/testkit';
import { afterEach, expect, it } from 'vitest';
import { useRedis } from './support/redis.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const BASE_PATH = '/files';
const TUS_HEADERS = { 'tus-resumable': '1.0.0' };
const PATCH_HEADERS = { ...TUS_HEADERS, 'content-type': 'application/offset+octet-stream' };

/** One "server" behind the load balancer: its own engine, store instance, locker and HTTP listener. */
interface Instance {
  readonly tus: Tus<unknown>;
  readonly served: ServedTus;
  /** Resolves once a PATCH on this instance has read `offset` bytes of `id`. */
  progressed(id: string, offset: number): Promise<void>;
}

describeWithRedis(redisAvailability(), 'two tuskit servers sharing a directory and a Redis', () => {
  const redis = useRedis();
  const running: Instance[] = [];
  afterEach(async () => {
    for (const instance of running.splice(0)) {
      await instance.tus.close();
      await instance.served.close();
    }
  });

  async function startInstance(directory: string): Promise<Instance> {
    const waiters: Array<{ id: string; offset: number; resolve: () => void }> = [];
    const tus = createTus({
      store: new FileStore({ directory }),
      locker: redis.locker(),
      basePath: BASE_PATH,
      progressIntervalMs: 0,
      hooks: {
        onProgress: ({ upload, offset }) => {
          for (const waiter of waiters.filter((w) => w.id === upload.id && offset >= w.offset)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        },
      },
    });
    const served = await listenOnLoopback(createServer(toNodeHandler(tus)));
    const instance: Instance = {
      tus,
      served,
      progressed: (id, offset) => new Promise((resolve) => waiters.push({ id, offset, resolve })),
    };
    running.push(instance);
    return instance;
  }

  async function startPair() {
    const directory = mkdtempSync(join(tmpdir(), 'tuskit-redis-engine-'));
    return { directory, a: await startInstance(directory), b: await startInstance(directory) };
  }

  const uploadUrl = (instance: Instance, id: string) => `${instance.served.origin}${BASE_PATH}/${id}`;
  const head = (instance: Instance, id: string) => fetch(uploadUrl(instance, id), { method: 'HEAD', headers: TUS_HEADERS });
  const patch = (instance: Instance, id: string, offset: number, body: Uint8Array) =>
    fetch(uploadUrl(instance, id), { method: 'PATCH', headers: { ...PATCH_HEADERS, 'upload-offset': String(offset) }, body });
  const storedSha = async (directory: string, id: string) => sha256(await new FileStore({ directory }).read(id));

  it('completes byte-exact when every PATCH lands on the other server', async () => {
    const { directory, a, b } = await startPair();
    const data = wavFile(3 * MiB + 123);
    const { id } = await a.tus.createUpload({ size: data.length, origin: a.served.origin });
    let offset = 0;
    for (const [i, chunk] of [...chunked(data, [256 * KiB + 17, 100 * KiB])].entries()) {
      const response = await patch(i % 2 === 0 ? a : b, id, offset, chunk);
      expect(response.status).toBe(204);
      offset += chunk.length;
      expect(response.headers.get('upload-offset')).toBe(String(offset));
    }
    for (const instance of [a, b]) expect((await head(instance, id)).headers.get('upload-offset')).toBe(String(data.length));
    expect(await storedSha(directory, id)).toBe(await sha256(data));
    expect((await new FileStore({ directory }).open(id))?.info.finalized).toBe(true);
  });

  it('a HEAD on one server takes over a stalled PATCH on the other, which persists and answers first', async () => {
    const { directory, a, b } = await startPair();
    const data = wavFile(MiB);
    const { id } = await a.tus.createUpload({ size: data.length, origin: a.served.origin });
    const stalled = rawPatch(uploadUrl(a, id), data.length);
    stalled.req.write(data.subarray(0, 200 * KiB));
    await a.progressed(id, 200 * KiB);

    const taken = await head(b, id);
    expect(taken.status).toBe(200);
    expect(taken.headers.get('upload-offset')).toBe(String(200 * KiB));
    expect(await stalled.response).toMatchObject({ status: 204, headers: { 'upload-offset': String(200 * KiB) } });
    stalled.req.destroy();

    expect((await patch(b, id, 200 * KiB, data.subarray(200 * KiB))).status).toBe(204);
    expect(await storedSha(directory, id)).toBe(await sha256(data));
  });
});

/** A PATCH from offset 0 whose body the test writes by hand, to stall it midway. */
function rawPatch(url: string, contentLength: number) {
  const req = request(url, {
    method: 'PATCH',
    agent: false,
    headers: { ...PATCH_HEADERS, 'upload-offset': '0', 'content-length': String(contentLength) },
  });
  const response = new Promise<{ status: number; headers: Record<string, unknown> } | Error>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', resolve);
  });
  return { req, response };
}
