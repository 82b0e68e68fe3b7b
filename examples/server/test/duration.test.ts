import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { detectFormat, type ByteRange } from '@tuskit/core';
import { wavFile } from '@tuskit/core/testing';
import { FileStore } from '@tuskit/store-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, measureDuration } from '../src/index.js';
import { ObjectCursor } from '../src/object-tokenizer.js';
import { expectDuration } from './support/assertions.js';
import { fixtureCases, generatedCases, mp4WithTrailingMoov } from './support/media.js';

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
  directory = await mkdtemp(join(tmpdir(), 'tuskit-duration-'));
  store = new CountingFileStore({ directory });
});
afterAll(() => rm(directory, { recursive: true, force: true }));

let nextId = 0;
async function stored(bytes: Buffer): Promise<string> {
  const id = `object-${nextId++}`;
  const upload = await store.create({ id, size: bytes.length, metadata: {}, createdAt: new Date() });
  await upload.write(0, Readable.from([bytes]));
  await upload.finalize();
  return id;
}

describe('measureDuration, reading through the store', () => {
  it.each([...fixtureCases(), ...generatedCases()])('measures $name', async (media) => {
    expect((await detectFormat(media.bytes.subarray(0, 4100)))?.mime).toBe(media.contentType);
    const id = await stored(media.bytes);
    const duration = await measureDuration(store, id, { size: media.bytes.length, contentType: media.contentType });
    expectDuration(duration ?? null, media.duration);
  });

  it('measures a WAV of a known sample count exactly', async () => {
    const samples = 48_000 * 61 + 24; // 61.0005 s at 48 kHz, 16-bit mono
    const id = await stored(wavFile(44 + samples * 2));
    const duration = await measureDuration(store, id, { size: 44 + samples * 2, contentType: 'audio/wav' });
    expect(duration).toBe((samples / 48_000).toFixed(3));
  });

  it.each(fixtureCases())('measures $name in two ranged reads: peeks reuse the open one', async (media) => {
    const id = await stored(media.bytes);
    const before = store.reads;
    await measureDuration(store, id, { size: media.bytes.length, contentType: media.contentType });
    // One for the tags at the end, one from the start; parsers peek at bytes, then read them again.
    expect(store.reads - before).toBe(2);
  });

  it('jumps over the media data to a trailing moov box instead of reading it', async () => {
    const gap = 32 * 1024 * 1024;
    const bytes = mp4WithTrailingMoov(gap);
    const id = await stored(bytes);
    const before = store.bytesRead;
    const duration = await measureDuration(store, id, { size: bytes.length, contentType: 'video/mp4' });
    expectDuration(duration ?? null, 2);
    expect(store.bytesRead - before).toBeLessThan(4 * 1024 * 1024);
  });

  it('says nothing for bytes that do not tell a duration', async () => {
    const riffWithoutFormat = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEjunk'), Buffer.from([200, 0, 0, 0]), Buffer.alloc(200)]);
    const id = await stored(riffWithoutFormat);
    expect(await measureDuration(store, id, { size: riffWithoutFormat.length, contentType: 'audio/wav' })).toBeUndefined();
  });

  it('throws when the object cannot be read, so the asset is measured again later', async () => {
    await expect(measureDuration(store, 'never-stored', { size: 1000, contentType: 'audio/wav' })).rejects.toThrow(
      /Could not read object never-stored/,
    );
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
