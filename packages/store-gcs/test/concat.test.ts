import type { UploadHandle } from '@tuskit/core';
import { randomData, sha256 } from '@tuskit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GcsStore } from '../src/index.js';
import { countingProxy, type CountingProxy } from './support/counting-proxy.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';

const KEY_PREFIX = 'concat/';

async function* bodyOf(...chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* chunks;
}

describeWithFakeGcs('GcsStore concatenation', (gcs) => {
  let proxy: CountingProxy;
  /** Every request's URL with its query (`alt=media` marks a read of an object's bytes). */
  const urls: string[] = [];
  beforeAll(async () => {
    proxy = await countingProxy(gcs.target.endpoint, async ({ url }) => {
      urls.push(url);
      return undefined;
    });
  });
  afterAll(() => proxy.close());

  const store = () => gcs.store({ keyPrefix: KEY_PREFIX, storage: { apiEndpoint: proxy.endpoint, projectId: gcs.target.projectId } });

  async function partial(s: GcsStore, id: string, data: Uint8Array): Promise<UploadHandle> {
    const upload = await s.create({ id, size: data.length, metadata: {}, createdAt: new Date(), concat: { type: 'partial' } });
    await upload.write(0, bodyOf(data));
    await upload.finalize();
    return (await s.open(id)) as UploadHandle;
  }

  it('composes 40 partial uploads in rounds of 32, without reading or sending a byte, byte-exact', { timeout: 120_000 }, async () => {
    const s = store();
    const datas = Array.from({ length: 40 }, (_, i) => randomData(1000 + i));
    const parts: UploadHandle[] = [];
    for (const [i, data] of datas.entries()) parts.push(await partial(s, `piece-${i}`, data));
    const size = datas.reduce((sum, d) => sum + d.length, 0);
    const concat = { type: 'final', parts: parts.map((p) => p.info.id) } as const;
    const from = proxy.requests.length;
    const fromUrl = urls.length;
    const final = await s.concatenate({ id: 'whole', size, metadata: {}, createdAt: new Date(), concat }, parts);
    const sent = proxy.requests.slice(from);
    expect(final.info).toMatchObject({ offset: size, finalized: false, concat });
    // Two composes (32 + 8 sources) made the final upload's two parts; the one upload is its empty record object.
    expect(sent.filter((r) => r.startsWith('POST') && r.endsWith('/compose'))).toHaveLength(2);
    expect(sent.filter((r) => r.includes('/upload/'))).toHaveLength(1);
    const isMediaRead = (url: string) => url.includes('alt=media') || url.includes('/download/');
    expect(urls.slice(fromUrl).filter(isMediaRead)).toEqual([]);
    expect((await gcs.names(`${KEY_PREFIX}.tus/whole/`)).filter((name) => !name.endsWith('/info'))).toHaveLength(2);
    await final.finalize();
    const beforeRead = urls.length;
    expect(await sha256(await s.read('whole'))).toBe(await sha256(Buffer.concat(datas)));
    // The same rule sees a read of the bytes: the check above could have failed.
    expect(urls.slice(beforeRead).some(isMediaRead)).toBe(true);
    expect(await gcs.leftovers('whole', KEY_PREFIX)).toEqual([`${KEY_PREFIX}whole`]);
  });
});
