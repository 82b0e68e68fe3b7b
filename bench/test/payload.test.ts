import { createHash } from 'node:crypto';
import { ANY_AUDIO_OR_VIDEO, checkContent } from '@tuskit/core';
import { describe, expect, it } from 'vitest';
import { Payload } from '../src/payload.js';
import { MiB } from '../src/units.js';

describe('Payload', () => {
  const payload = Payload.create(2 * MiB);

  it('starts with media that tuskit accepts on the first chunk', async () => {
    const check = await checkContent(payload.slice(0, 4100), ANY_AUDIO_OR_VIDEO);
    expect(check).toEqual({ accepted: true, format: { mime: 'audio/wav', ext: 'wav' } });
  });

  it('is pseudo-random after the header', () => {
    const other = Payload.create(2 * MiB);
    expect(payload.slice(0, 44).equals(other.slice(0, 44))).toBe(true);
    expect(payload.slice(44, 4096).equals(other.slice(44, 4096))).toBe(false);
  });

  it('hands out views and the sha256 of each prefix', () => {
    const view = payload.slice(MiB, 2 * MiB);
    expect(view.buffer).toBe(payload.bytes.buffer);
    expect(payload.digest(MiB)).toBe(createHash('sha256').update(payload.bytes.subarray(0, MiB)).digest('hex'));
    expect(payload.digest(2 * MiB)).not.toBe(payload.digest(MiB));
  });

  it('refuses to slice past its end', () => {
    expect(() => payload.slice(0, 2 * MiB + 1)).toThrow(/2097152 bytes/);
  });
});
