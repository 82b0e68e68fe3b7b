import { v7 as uuidv7 } from 'uuid';
import { TusError } from '../errors.js';
import type { TusRequest, TusResponse } from '../http.js';
import { parseUploadMetadata } from '../http.js';
import { HEAD_BYTES, checkContent, mediaInfoOf, type ContentRule } from '../media.js';
import { isConcatenationStore, isReadableStore, type UploadHandle } from '../store.js';
import type { Engine } from '../engine.js';
import { isComplete, type MediaInfo, type UploadConcat, type UploadInfo } from '../upload.js';

/**
 * The `Upload-Concat` header of a creation request: `partial`, or `final;`
 * and the URLs of partial uploads of this server (absolute or relative),
 * as ids. `undefined` when the header is absent.
 */
export function parseUploadConcat<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>): UploadConcat | undefined {
  const value = request.header('upload-concat')?.trim();
  if (value === undefined) return undefined;
  if (value === 'partial') return { type: 'partial' };
  if (!value.startsWith('final;')) throw new TusError('invalid_concat');
  const urls = value.slice('final;'.length).split(/\s+/).filter((url) => url !== '');
  if (urls.length === 0) throw new TusError('invalid_concat', 'Upload-Concat: final names no partial upload.');
  const base = uploadsBase(tus, request);
  return { type: 'final', parts: urls.map((url) => idOfUrl(tus, base, url)) };
}

/** Where this server's upload URLs start, as a URL: a part's URL must lie right below it. */
function uploadsBase<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>): URL {
  const origin = tus.originFor(request.header);
  return new URL(tus.urlFor('', origin), `${origin}/`);
}

function idOfUrl<Ctx>(tus: Engine<Ctx>, base: URL, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new TusError('invalid_concat', `${JSON.stringify(url)} is not a URL.`);
  }
  const id = parsed.pathname.slice(base.pathname.length).replace(/\/$/, '');
  if (parsed.origin !== base.origin || !parsed.pathname.startsWith(base.pathname) || !tus.isValidId(id)) {
    throw new TusError('invalid_concat', `${JSON.stringify(url)} is not an upload URL of this server.`);
  }
  return id;
}

/**
 * POST with `Upload-Concat: final;…`: checks that every part is a complete
 * partial upload, applies the content rule to the bytes the final upload
 * will start with, and has the store assemble it. The partials stay locked
 * meanwhile, so neither a DELETE nor the reaper removes one half-way.
 */
export async function handleFinalPost<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>, partIds: readonly string[]): Promise<TusResponse> {
  const store = tus.store;
  if (!isConcatenationStore(store)) throw new TusError('extension_unsupported');
  if (request.header('upload-length') !== undefined || request.header('upload-defer-length') !== undefined) {
    throw new TusError('invalid_concat', 'A final upload takes its length from its parts: it must not carry Upload-Length.');
  }
  if (request.header('transfer-encoding') !== undefined || Number(request.header('content-length') ?? 0) > 0) {
    throw new TusError('final_upload_immutable');
  }
  let metadata: Record<string, string>;
  try {
    metadata = parseUploadMetadata(request.header('upload-metadata'));
  } catch {
    throw new TusError('invalid_metadata');
  }
  // Checked before locking too: asking for a partial's lock would interrupt a PATCH still writing it.
  const size = sizeOf(await openParts(tus, partIds));
  if (size > tus.maxSize) throw new TusError('size_too_large');
  if (size < tus.minSize) throw new TusError('size_too_small', `Uploads must be at least ${tus.minSize} bytes.`);
  const changes = await tus.options.hooks?.onBeforeCreate?.({ size, metadata, context: request.context });
  const id = changes?.id ?? (tus.options.generateId ?? uuidv7)();
  if (!tus.isValidId(id)) throw new TusError('invalid_id');
  const createdAt = new Date();
  const concat: UploadConcat = { type: 'final', parts: [...partIds] };
  const upload = { id, size, metadata: { ...(changes?.metadata ?? metadata) }, createdAt, concat };
  const url = tus.urlFor(id, tus.originFor(request.header));
  return withLocks(tus, [...new Set(partIds)].sort(), async () => {
    const parts = await openParts(tus, partIds);
    // A part whose process stopped between its last byte and its finalization is finalized now.
    for (const part of parts) if (!part.info.finalized) await tus.complete(part, request.context);
    const info: UploadInfo = { ...upload, offset: 0, finalized: false };
    const media = tus.accept ? await checkHead(tus, tus.accept, request, info, parts) : undefined;
    const final = await store.concatenate(upload, parts);
    if (media) {
      await tus.options.hooks?.onMediaDetected?.({ upload: final.info, media, context: request.context });
      await final.update({ media });
    }
    if (tus.diagnostics.wants('tuskit:upload:created')) tus.diagnostics.publish('tuskit:upload:created', { id, size, upload: final.info });
    const object = await tus.complete(final, request.context);
    return tus.finishResponse(final.info, object, request.context, { status: 201, headers: { Location: url } });
  });
}

/** The `Upload-Concat` value HEAD answers for an upload; `undefined` for a plain upload. */
export function uploadConcatHeader<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>, concat: UploadConcat | undefined): string | undefined {
  if (!concat) return undefined;
  if (concat.type === 'partial') return 'partial';
  const origin = tus.originFor(request.header);
  return `final;${concat.parts.map((id) => tus.urlFor(id, origin)).join(' ')}`;
}

async function openParts<Ctx>(tus: Engine<Ctx>, ids: readonly string[]): Promise<UploadHandle[]> {
  const parts: UploadHandle[] = [];
  for (const id of ids) {
    const part = await tus.store.open(id);
    if (!part) throw new TusError('not_found', `The partial upload ${id} does not exist.`);
    if (tus.isExpired(part.info)) throw new TusError('expired', `The partial upload ${id} has expired.`);
    if (part.info.concat?.type !== 'partial') throw new TusError('concat_not_partial', `The upload ${id} is not a partial upload.`);
    if (!isComplete(part.info)) throw new TusError('concat_unfinished', `The partial upload ${id} is not complete.`);
    parts.push(part);
  }
  return parts;
}

function sizeOf(parts: readonly UploadHandle[]): number {
  // Complete parts: the offset is the length (a deferred one included).
  return parts.reduce((sum, part) => sum + part.info.offset, 0);
}

async function withLocks<Ctx, T>(tus: Engine<Ctx>, ids: readonly string[], work: () => Promise<T>): Promise<T> {
  const [first, ...rest] = ids;
  if (first === undefined) return work();
  return tus.withLock(first, () => {}, () => withLocks(tus, rest, work));
}

/**
 * The content rule, applied to the first bytes of the final upload: the
 * heads of its first parts. A partial upload is never checked on its own
 * (only the first one starts a file).
 */
async function checkHead<Ctx>(
  tus: Engine<Ctx>,
  rule: ContentRule,
  request: TusRequest<Ctx>,
  upload: UploadInfo,
  parts: readonly UploadHandle[],
): Promise<MediaInfo | undefined> {
  const { accepted, format } = await checkContent(await headOf(tus, parts), rule);
  if (accepted) return format && mediaInfoOf(format);
  if (tus.diagnostics.wants('tuskit:upload:rejected')) {
    tus.diagnostics.publish('tuskit:upload:rejected', { id: upload.id, mime: format?.mime, upload });
  }
  await tus.notify('onMediaRejected', { upload, detected: format, context: request.context });
  const what = format ? `${format.mime} (${format.ext})` : 'of no known format';
  throw new TusError('unsupported_media_type', `The final upload starts ${what}, not an accepted format.`);
}

/** Up to {@link HEAD_BYTES} from the start of the concatenated parts, read back range by range. */
async function headOf<Ctx>(tus: Engine<Ctx>, parts: readonly UploadHandle[]): Promise<Uint8Array> {
  const store = tus.store;
  if (!isReadableStore(store)) throw new Error('tuskit: a content rule on concatenation needs a store that reads objects back');
  const pieces: Buffer[] = [];
  let have = 0;
  for (const part of parts) {
    const take = Math.min(part.info.offset, HEAD_BYTES - have);
    if (take <= 0) continue;
    for await (const chunk of await store.read(part.info.id, { start: 0, end: take - 1 })) {
      pieces.push(Buffer.from(chunk as Uint8Array));
    }
    have = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
    if (have >= HEAD_BYTES) break;
  }
  return Buffer.concat(pieces).subarray(0, HEAD_BYTES);
}
