// A client that stops sending, or trickles, cannot keep an upload's lock: its PATCH ends keeping its bytes.
import { setTimeout as pace } from 'node:timers/promises';
import { wavFile } from '@tuskit/core/testing';
import { describe, expect, it } from 'vitest';
import { expectReadyUpload } from './support/outcomes.js';
import { suiteServer } from './support/server.js';
import { streamingPatch } from './support/streaming-patch.js';

const IDLE_TIMEOUT_S = 3;
const HEAD_BYTES = 64 * 1024;

describe('a stalled client through the reference server (PATCH_IDLE_TIMEOUT_SECONDS=3)', () => {
  const t = suiteServer('express', { patchIdleTimeoutSeconds: IDLE_TIMEOUT_S });

  it('sending nothing: the PATCH ends after the idle timeout with 204 and its bytes, and the upload resumes', async () => {
    const data = wavFile(256 * 1024);
    const { asset, location } = await t.api.createAsset(t.project.id, data.length);
    const patch = streamingPatch(location, t.api.apiKey, 0, data.length);
    await patch.write(data.subarray(0, HEAD_BYTES));
    const lastByte = performance.now();

    const answer = await patch.answer;
    expect(answer).toMatchObject({ status: 204, offset: HEAD_BYTES });
    const waited = answer.at - lastByte;
    expect(waited).toBeGreaterThanOrEqual(IDLE_TIMEOUT_S * 1000 - 50);
    expect(waited).toBeLessThan(IDLE_TIMEOUT_S * 1000 + 1500);

    await t.api.upload(location, data, data.length, await t.api.offset(location));
    await expectReadyUpload(t, asset.id, data);
  });

  it('trickling 1 byte per second (never idle): a HEAD takes the lock over at once and the bytes stay', async () => {
    const data = wavFile(256 * 1024);
    const { asset, location } = await t.api.createAsset(t.project.id, data.length);
    const patch = streamingPatch(location, t.api.apiKey, 0, data.length);
    await patch.write(data.subarray(0, HEAD_BYTES));
    const trickled = 3;
    for (let i = 0; i < trickled; i++) {
      await patch.write(data.subarray(HEAD_BYTES + i, HEAD_BYTES + i + 1));
      await pace(1000); // the client's pace, below the idle timeout: only a takeover can end its PATCH
    }

    const asked = performance.now();
    const offset = await t.api.offset(location);
    const answered = performance.now() - asked;
    expect(offset).toBe(HEAD_BYTES + trickled);
    // The idle timeout would have ended the PATCH (IDLE_TIMEOUT_S - 1) s from now.
    expect(answered).toBeLessThan((IDLE_TIMEOUT_S - 1) * 1000);
    expect(await patch.answer).toMatchObject({ status: 204, offset: HEAD_BYTES + trickled });

    await t.api.upload(location, data, data.length, offset);
    await expectReadyUpload(t, asset.id, data);
  });
});
