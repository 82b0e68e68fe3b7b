// The runtime-agnostic entry: detection reads a buffer, and the Node entry also loads web streams and file readers.
import { fileTypeFromBuffer } from 'file-type/core';
import type { DetectedFormat, MediaInfo } from './upload.js';

/** How many bytes of the first chunk are inspected (what `file-type` needs). */
export const HEAD_BYTES = 4100;

/**
 * Which detected formats are accepted: a list of MIME types (`'audio/*'`
 * wildcards allowed) or a predicate. Default: any `audio/*` or `video/*`.
 *
 * @example
 * ```ts
 * const only: MediaRule = ['video/mp4', 'audio/*'];
 * const custom: MediaRule = (f) => f.ext !== 'mkv';
 * ```
 */
export type MediaRule = readonly string[] | ((format: DetectedFormat) => boolean);

/** Default {@link MediaRule}: any audio or video. */
export const ANY_AUDIO_OR_VIDEO: MediaRule = ['audio/*', 'video/*'];

/**
 * Detects the format of a head of bytes; `undefined` when unknown.
 *
 * @example
 * ```ts
 * await detectFormat(head); // { mime: 'video/webm', ext: 'webm' }
 * ```
 */
export async function detectFormat(head: Uint8Array): Promise<DetectedFormat | undefined> {
  const found = await fileTypeFromBuffer(head);
  return found && { mime: found.mime, ext: found.ext };
}

/**
 * Applies the acceptance rule; returns the media info to store, or
 * `undefined` when the format is refused or is neither audio nor video.
 *
 * @example
 * ```ts
 * acceptMedia({ mime: 'audio/mpeg', ext: 'mp3' }, ANY_AUDIO_OR_VIDEO); // { type: 'audio', … }
 * ```
 */
export function acceptMedia(format: DetectedFormat | undefined, rule: MediaRule): MediaInfo | undefined {
  if (!format) return undefined;
  const type = mediaType(format.mime);
  if (!type) return undefined;
  const accepted = typeof rule === 'function' ? rule(format) : rule.some((p) => mimeMatches(format.mime, p));
  return accepted ? { type, mime: format.mime, ext: format.ext } : undefined;
}

function mediaType(mime: string): MediaInfo['type'] | undefined {
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return undefined;
}

function mimeMatches(mime: string, pattern: string): boolean {
  return pattern.endsWith('/*') ? mime.startsWith(pattern.slice(0, -1)) : mime === pattern;
}
