import { sha256, wavFile } from '@tuskit/core/testing';
import { parallelUploadCases } from '@tuskit/testkit/robustness';
import { serveDuringSuite } from '@tuskit/testkit/served-tus';
import { fetchPatch } from '@tuskit/testkit/tus-http';
import { expect, it } from 'vitest';
import { gcsBackend } from './support/backend.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';

const KiB = 1024;
const KEY_PREFIX = 'http/';

describeWithFakeGcs('GcsStore behind a real HTTP server', (gcs) => {
  const served = serveDuringSuite(() => gcs.store({ keyPrefix: KEY_PREFIX, partSize: 64 * KiB }));

  /** Every version of every object seen under the upload's staging prefix: name → generation + custom metadata. */
  async function recordVersions(id: string, versions: Map<string, Set<string>>): Promise<number> {
    const [files] = await gcs.storage.bucket(gcs.bucket).getFiles({ prefix: `${KEY_PREFIX}.tus/${id}/` });
    for (const file of files) {
      const seen = versions.get(file.name) ?? new Set<string>();
      versions.set(file.name, seen.add(`${file.metadata.generation} ${JSON.stringify(file.metadata.metadata)}`));
    }
    return files.length;
  }

  it('takes 500 PATCHes of 10 KiB without rewriting any object, then leaves one object', async () => {
    const data = wavFile(500 * 10 * KiB);
    const { id, url } = await served().create(data.length);
    const versions = new Map<string, Set<string>>();
    let mostObjects = await recordVersions(id, versions);
    for (let offset = 0; offset < data.length; offset += 10 * KiB) {
      const end = offset + 10 * KiB;
      expect(await fetchPatch(url, offset, data.subarray(offset, end))).toEqual({ status: 204, offset: String(end) });
      if (end < data.length) mostObjects = Math.max(mostObjects, await recordVersions(id, versions));
    }

    // Parts are written once each; the record twice (creation, then the detected media).
    const info = `${KEY_PREFIX}.tus/${id}/info`;
    expect(versions.get(info)?.size).toBe(2);
    const rewritten = [...versions].filter(([name, seen]) => name !== info && seen.size > 1);
    expect(rewritten).toEqual([]);
    // Each PATCH left a part (all but the few merged within the PATCH that wrote them were seen),
    // and merging every 32 parts kept the staging area small however many PATCHes arrived.
    expect(versions.size).toBeGreaterThan(450);
    expect(mostObjects).toBeLessThanOrEqual(1 + 32);

    const store = gcs.store({ keyPrefix: KEY_PREFIX });
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([store.objectName(id)]);
    const [object] = await gcs.storage.bucket(gcs.bucket).file(store.objectName(id)).getMetadata();
    expect(object).toMatchObject({ size: String(data.length), contentType: 'audio/wav' });
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
  });

  parallelUploadCases(gcsBackend(gcs));
});
