// The runtime-agnostic entry: detection reads a buffer, and the Node entry also loads web streams and file readers.
import { fileTypeFromBuffer } from 'file-type/core';
import type { DetectedFormat, MediaInfo } from './upload.js';

/** How many bytes of the first chunk are inspected (what `file-type` needs). */
export const HEAD_BYTES = 4100;

/** What a {@link ContentRule} predicate is shown of an upload's first bytes. */
export interface FirstBytes {
  /** The format `file-type` found in `head`; `undefined` when none is known (plain text, random bytes). */
  format: DetectedFormat | undefined;
  /** The first bytes of the upload: up to {@link HEAD_BYTES}, fewer when the upload is shorter. */
  head: Uint8Array;
}

/**
 * Which uploads the first chunk may start: a list of MIME types (`'audio/*'`
 * wildcards allowed; an upload of no detectable format never matches) or a
 * predicate over the detected format and the head bytes. `TusOptions.accept`
 * takes one, or `false` for no content check.
 *
 * @example
 * ```ts
 * const media: ContentRule = ANY_AUDIO_OR_VIDEO;
 * const pdfOrZip: ContentRule = ['application/pdf', 'application/zip'];
 * const textOrPng: ContentRule = ({ format, head }) => format?.mime === 'image/png' || isUtf8(head);
 * ```
 */
export type ContentRule = readonly string[] | ((first: FirstBytes) => boolean | Promise<boolean>);

/** The media rule of the reference server: any audio or video. */
export const ANY_AUDIO_OR_VIDEO: ContentRule = ['audio/*', 'video/*'];

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

/** What {@link checkContent} found. */
export interface ContentCheck {
  accepted: boolean;
  /** The detected format; `undefined` when none is known. */
  format: DetectedFormat | undefined;
}

/**
 * Applies a content rule to the first bytes of an upload.
 *
 * @example
 * ```ts
 * await checkContent(head, ANY_AUDIO_OR_VIDEO); // { accepted: true, format: { mime: 'audio/mpeg', ext: 'mp3' } }
 * ```
 */
export async function checkContent(head: Uint8Array, rule: ContentRule): Promise<ContentCheck> {
  const format = await detectFormat(head);
  const accepted =
    typeof rule === 'function' ? await rule({ format, head }) : !!format && rule.some((p) => mimeMatches(format.mime, p));
  return { accepted, format };
}

/**
 * The format as stored with an upload, with its MIME top-level type.
 *
 * @example
 * ```ts
 * mediaInfoOf({ mime: 'video/mp4', ext: 'mp4' }); // { type: 'video', mime: 'video/mp4', ext: 'mp4' }
 * ```
 */
export function mediaInfoOf(format: DetectedFormat): MediaInfo {
  return { type: format.mime.split('/')[0] ?? '', mime: format.mime, ext: format.ext };
}

function mimeMatches(mime: string, pattern: string): boolean {
  return pattern.endsWith('/*') ? mime.startsWith(pattern.slice(0, -1)) : mime === pattern;
}
