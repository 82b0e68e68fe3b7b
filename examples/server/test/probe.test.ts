import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { ANY_AUDIO_OR_VIDEO, checkContent, type ByteRange } from '@tuskit/core';
import { wavFile } from '@tuskit/core/testing';
import { FileStore } from '@tuskit/store-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, MIN_PROBE_MEMORY_MB, probeMedia, type ProbeOutcome } from '../src/index.js';
import { ObjectCursor, ObjectReadError } from '../src/object-tokenizer.js';
import { expectDuration } from './support/assertions.js';
import { fixtureCases, generatedCases } from './support/media.js';
import { expectCloseDuration, probeFixtureBytes, probeFixtures } from './support/probe-fixtures.js';
import { mp4WithZeroedMdat } from './support/big-media.js';

/** A FileStore that counts the bytes its readers actually pull. */
class CountingFileStore extends FileStore {
  bytesRead = 0;
  reads = 0;

  override async read(id: string, range?: ByteRange): Promise<Readable> {
    this.reads++;
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.bytesRead += chunk.length;
        done(null, chunk);
      },
    });
    return pipeline(await super.read(id, range), counter, () => {});
  }
}

let directory: string;
let store: CountingFileStore;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tuskit-probe-'));
  store = new CountingFileStore({ directory });
});
afterAll(() => rm(directory, { recursive: true, force: true }));

let nextId = 0;
async function stored(bytes: Buffer | Readable, size = (bytes as Buffer).length): Promise<string> {
  const id = `object-${nextId++}`;
  const upload = await store.create({ id, size, metadata: {}, createdAt: new Date() });
  await upload.write(0, bytes instanceof Readable ? bytes : Readable.from([bytes]));
  await upload.finalize();
  return id;
}

function measured(outcome: ProbeOutcome): number | undefined {
  return outcome.ok ? outcome.details.duration : undefined;
}

describe('probeMedia on the encoder-made fixtures', () => {
  it.each(probeFixtures())('$file: detected on its first chunk, measured, its streams described', async (fixture) => {
    const bytes = probeFixtureBytes(fixture.file);
    const { accepted, format } = await checkContent(bytes.subarray(0, 4100), ANY_AUDIO_OR_VIDEO);
    expect(format?.mime).toBe(fixture.content_type);
    expect(accepted).toBe(true);

    const id = await stored(bytes);
    const outcome = await probeMedia(store, id, { size: bytes.length, contentType: fixture.content_type });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    expectCloseDuration(measured(outcome), fixture.duration);
    if (!outcome.ok) return;
    const { audio, video, bitrate } = outcome.details;
    expect(bitrate).toBeGreaterThan(0);
    expect(audio && { codec: audio.codec, sample_rate: audio.sampleRate, channels: audio.channels }).toEqual(fixture.audio);
    expect(video && { codec: video.codec, width: video.width, height: video.height }).toEqual(
      fixture.video && { codec: fixture.video.codec, width: fixture.video.width, height: fixture.video.height },
    );
    if (fixture.video) expect(video?.frameRate).toBeCloseTo(fixture.video.frame_rate, 1);
  });
});

describe('probeMedia on the core fixtures and hand-made media', () => {
  it.each([...fixtureCases(), ...generatedCases()])('measures $name', async (media) => {
    const id = await stored(media.bytes);
    const outcome = await probeMedia(store, id, { size: media.bytes.length, contentType: media.contentType });
    expectDuration(formatDuration(measured(outcome)) ?? null, media.duration);
  });

  it('measures a WAV of a known sample count to the millisecond (MediaInfo\'s resolution)', async () => {
    const samples = 48_000 * 61 + 24; // 61.0005 s at 48 kHz, 16-bit mono
    const id = await stored(wavFile(44 + samples * 2));
    const outcome = await probeMedia(store, id, { size: 44 + samples * 2, contentType: 'audio/wav' });
    expect(Math.abs((measured(outcome) ?? 0) - samples / 48_000)).toBeLessThanOrEqual(0.001);
    expect(outcome.ok && outcome.details.audio).toEqual({ codec: 'pcm', sampleRate: 48_000, channels: 1, bitrate: 768_000 });
  });

  it('answers duration_unavailable for bytes that do not tell a duration', async () => {
    const riffWithoutFormat = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEjunk'), Buffer.from([200, 0, 0, 0]), Buffer.alloc(200)]);
    const id = await stored(riffWithoutFormat);
    const outcome = await probeMedia(store, id, { size: riffWithoutFormat.length, contentType: 'audio/wav' });
    expect(outcome).toEqual({ ok: false, code: 'duration_unavailable', message: 'Could not measure the duration of this audio/wav file.' });
  });

  it('throws when the object cannot be read, so the asset is measured again later', async () => {
    const probe = probeMedia(store, 'never-stored', { size: 1000, contentType: 'audio/wav' });
    await expect(probe).rejects.toThrow(ObjectReadError);
    await expect(probe).rejects.toThrow(/Could not read object never-stored/);
  });

  it('throws when stopped, without waiting for the probe', async () => {
    const bytes = probeFixtureBytes('av-moov-last.mov');
    const id = await stored(bytes);
    const stop = new AbortController();
    const probe = probeMedia(store, id, { size: bytes.length, contentType: 'video/quicktime', signal: stop.signal });
    stop.abort();
    await expect(probe).rejects.toThrow(ObjectReadError);
  });
});

describe('probeMedia reads only what it needs', () => {
  it('jumps over 64 MiB of media data to a trailing moov box', async () => {
    const { stream, size } = mp4WithZeroedMdat(probeFixtureBytes('av-moov-last.mp4'), 64 * 1024 * 1024);
    const id = await stored(stream, size);
    const before = store.bytesRead;
    const outcome = await probeMedia(store, id, { size, contentType: 'video/mp4' });
    expectCloseDuration(measured(outcome), 2.6);
    expect(store.bytesRead - before).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});

describe('probeMedia is isolated', () => {
  it('fails a truncated file with duration_unavailable', async () => {
    const bytes = probeFixtureBytes('av-moov-last.mov');
    const id = await stored(bytes.subarray(0, bytes.length >> 1));
    const outcome = await probeMedia(store, id, { size: bytes.length >> 1, contentType: 'video/quicktime' });
    expect(outcome).toMatchObject({ ok: false, code: 'duration_unavailable' });
  });

  it('fails a hostile file (boxes claiming sizes beyond the file, random bytes) without crashing', async () => {
    const head = probeFixtureBytes('av-moov-first.mp4').subarray(0, 64);
    const lying = Buffer.concat([head, Buffer.from([0xff, 0xff, 0xff, 0xf0]), Buffer.from('moov'), randomBytes(200_000)]);
    const id = await stored(lying);
    const outcome = await probeMedia(store, id, { size: lying.length, contentType: 'video/mp4' });
    expect(outcome.ok).toBe(false);
    expect(['duration_unavailable', 'probe_failed']).toContain(!outcome.ok && outcome.code);
  });

  it('stops a probe over its time limit: probe_timeout, the worker terminated', async () => {
    const bytes = probeFixtureBytes('av.mkv');
    const id = await stored(bytes);
    const outcome = await probeMedia(store, id, { size: bytes.length, contentType: 'video/matroska', timeLimitMs: 1 });
    expect(outcome).toEqual({ ok: false, code: 'probe_timeout', message: 'The probe took longer than 1 ms.' });
  });

  it('fails a probe whose worker runs out of its heap with probe_failed', async () => {
    const bytes = probeFixtureBytes('av.mkv');
    const id = await stored(bytes);
    const options = { size: bytes.length, contentType: 'video/matroska' };
    const outcome = await probeMedia(store, id, { ...options, memoryLimitMb: MIN_PROBE_MEMORY_MB });
    expect(outcome).toMatchObject({ ok: false, code: 'probe_failed', message: expect.stringContaining('memory limit') });
    // Below it, Node 24 would end the whole process while starting the worker.
    expect(() => probeMedia(store, id, { ...options, memoryLimitMb: 2 })).toThrow('memoryLimitMb must be at least 5, not 2.');
  });
});

describe('ObjectCursor', () => {
  it('seeks back into the last 64 KiB it read without a new read, and further back with one', async () => {
    const bytes = randomBytes(300_000);
    const id = await stored(bytes);
    const cursor = new ObjectCursor(store, id, bytes.length);
    const readAt = async (position: number, length: number) => {
      const target = new Uint8Array(length);
      expect(await cursor.read(target, position)).toBe(length);
      expect(Buffer.from(target).equals(bytes.subarray(position, position + length))).toBe(true);
    };
    const before = store.reads;
    for (let position = 0; position < 100_000; position += 7_000) await readAt(position, 7_000);
    await readAt(105_000 - 65_536, 70_000); // back across stream chunks, to the oldest byte kept
    expect(store.reads - before).toBe(1);
    await readAt(0, 1000);
    expect(store.reads - before).toBe(2);
    cursor.close();
  });
});

describe('formatDuration', () => {
  it('keeps three decimals and refuses what is not a duration', () => {
    expect(formatDuration(3782.4129)).toBe('3782.413');
    expect(formatDuration(2)).toBe('2.000');
    expect(formatDuration(0)).toBeUndefined();
    expect(formatDuration(Number.NaN)).toBeUndefined();
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(formatDuration(undefined)).toBeUndefined();
  });
});
