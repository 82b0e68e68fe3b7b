import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTally } from './support/check-exchange.js';
import { InvariantError, checkCoreResponse } from './support/check-response.js';
import { checkStore, type StoreTally } from './support/check-store.js';
import { patchHeaders, tusRequest } from './support/client.js';
import { FuzzModel } from './support/model.js';
import type { RawResponse } from './support/raw-http.js';
import { BASE_PATH, ServerProcess } from './support/server-process.js';

// The fuzzer is only as good as its checks: each must fire on the violation it names.
describe('the invariant checks catch what they claim to', () => {
  const good: RawResponse = {
    status: 404,
    headers: [['content-type', 'application/json'], ['tus-resumable', '1.0.0']],
    body: Buffer.from('{"error":{"code":"not_found","message":"No such upload."}}'),
  };

  it.each<[string, Partial<RawResponse>]>([
    ['a 5xx', { status: 500, body: Buffer.from('{"error":{"code":"internal_error","message":"x"}}') }],
    ['a missing Tus-Resumable', { headers: [['content-type', 'application/json']] }],
    ['an injected header', { headers: [...good.headers, ['set-cookie', 'a=b']] }],
    ['a non-JSON error body', { body: Buffer.from('Not Found') }],
    ['a code that does not match the status', { status: 409 }],
  ])('rejects an answer with %s', (_, change) => {
    expect(() => checkCoreResponse(good, 'GET')).not.toThrow();
    expect(() => checkCoreResponse({ ...good, ...change }, 'GET')).toThrow(InvariantError);
  });

  describe('store checks', () => {
    let server: ServerProcess;
    let model: FuzzModel;
    const totals = (): StoreTally => ({ checks: 0, uploadsVerified: 0, bytesVerified: 0, bytesLost: 0 });
    const check = () => checkStore(server, model, newTally(), totals(), true);

    beforeEach(async () => {
      server = await ServerProcess.start();
      model = new FuzzModel();
      const upload = model.add('checked', 1000);
      await server.createUpload(upload.id, upload.size);
      const body = upload.content.slice(0, 500);
      const response = await tusRequest(server.port, { method: 'PATCH', path: `${BASE_PATH}/checked`, headers: patchHeaders(0), body });
      model.acknowledge(upload, Number(response.headers.find(([n]) => n === 'upload-offset')?.[1]));
    });

    afterEach(async () => {
      await server.stop();
    });

    it('passes on a consistent store', async () => {
      await expect(check()).resolves.toBeUndefined();
    });

    it('fails on a flipped stored byte', async () => {
      const data = join(server.config.storeDir, 'checked');
      await writeFile(data, Buffer.from([0xff]), { flag: 'r+' });
      await expect(check()).rejects.toThrow(/stored bytes differ/);
    });

    it('fails when acknowledged bytes are missing', async () => {
      model.acknowledge(model.get('checked')!, 600);
      await expect(check()).rejects.toThrow(/below the acknowledged/);
    });

    it('fails on a file outside the store directory', async () => {
      await writeFile(join(server.root, 'escaped'), 'x');
      await expect(check()).rejects.toThrow(/outside the store directory/);
    });

    it('fails on a stray file inside the store directory', async () => {
      await appendFile(join(server.config.storeDir, 'checked.json.tmp'), 'x');
      await expect(check()).rejects.toThrow(/no created upload/);
    });
  });
});
