import type { ReadableStore } from '@tuskit/core';
import { parseFromTokenizer } from 'music-metadata';
import { ObjectCursor, ObjectReadError, ObjectTokenizer } from './object-tokenizer.js';

/** What {@link measureDuration} needs to know about the object. */
export interface MeasureOptions {
  /** Size of the stored object in bytes. */
  size: number;
  /** The MIME type detected on the first chunk. */
  contentType: string | null;
  /** Stops reading (the measure then throws an {@link ObjectReadError}). */
  signal?: AbortSignal;
}

/** ISO-BMFF brands music-metadata does not route by themselves: parse them as MP4. */
const PARSE_AS_MP4 = new Set(['video/3gpp', 'video/3gpp2', 'audio/3gpp', 'audio/3gpp2']);

/**
 * Measures the duration of a stored audio or video object from its bytes,
 * read through the store (so it works on every store), as a decimal string
 * with three digits after the point. `undefined` when the bytes do not say.
 * Throws an {@link ObjectReadError} when the object cannot be read.
 *
 * @example
 * ```ts
 * await measureDuration(store, id, { size: 2_000_000, contentType: 'audio/mpeg' }); // '125.013'
 * ```
 */
export async function measureDuration(
  store: ReadableStore,
  id: string,
  options: MeasureOptions,
): Promise<string | undefined> {
  const { size, contentType, signal } = options;
  const mimeType = contentType && PARSE_AS_MP4.has(contentType) ? 'video/mp4' : undefined;
  const tokenizer = new ObjectTokenizer(new ObjectCursor(store, id, size, signal), { size, mimeType });
  try {
    const { format } = await parseFromTokenizer(tokenizer, { duration: true, skipCovers: true });
    return formatDuration(format.duration);
  } catch (error) {
    if (error instanceof ObjectReadError) throw error;
    return undefined;
  } finally {
    await tokenizer.close();
  }
}

/**
 * Seconds as a string with three decimals; `undefined` for anything that is
 * not a positive, finite duration.
 *
 * @example
 * ```ts
 * formatDuration(3782.4129); // '3782.413'
 * ```
 */
export function formatDuration(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return seconds.toFixed(3);
}
