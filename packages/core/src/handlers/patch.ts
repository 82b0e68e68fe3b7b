import { type InterruptReason, RequestBody, readHead, replay } from '../body.js';
import type { PatchEndReason } from '../diagnostics.js';
import { TusError } from '../errors.js';
import type { TusRequest, TusResponse } from '../http.js';
import { PATCH_CONTENT_TYPE, httpDate, parseNonNegativeInteger } from '../http.js';
import { HEAD_BYTES, checkContent, mediaInfoOf, type ContentRule } from '../media.js';
import type { UploadBody, UploadHandle } from '../store.js';
import type { Engine } from '../engine.js';
import { verifiedBody } from './checksum.js';
import { MIN_UPLOAD_SIZE, type UploadInfo } from '../upload.js';

/**
 * PATCH: stream the body into the store at the stored offset. The lock is
 * released only after the store has persisted what arrived, whether the body
 * ended, the client vanished or a newer request took over.
 */
export async function handlePatch<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>, id: string): Promise<TusResponse> {
  // The body exists only once the lock is held; an interruption before that waits for it here.
  let body: RequestBody | undefined;
  let interrupted: InterruptReason | undefined;
  const interrupt = (reason: InterruptReason) => {
    interrupted ??= reason;
    body?.interrupt(reason);
  };
  const onClientGone = () => interrupt('aborted');
  if (request.signal?.aborted) onClientGone();
  request.signal?.addEventListener('abort', onClientGone, { once: true });
  const untrack = tus.trackWriter(id, interrupt);
  const ending = tus.diagnostics.wants('tuskit:patch:end') ? { started: performance.now(), from: -1 } : undefined;
  let response: TusResponse | undefined;
  try {
    response = await tus.withLock(id, () => interrupt('takeover'), async () => {
      const upload = await tus.liveUpload(id);
      const offset = checkPatchHeaders(request, upload.info);
      const size = await declareLength(tus, request, upload, offset);
      if (ending) ending.from = offset;
      body = new RequestBody(request.body ?? noBody(), {
        // While the length is unknown, the bytes received are held to the largest upload.
        limit: (size ?? tus.maxSize) - offset,
        idleTimeoutMs: tus.options.idleTimeoutMs ?? 60_000,
        onChunk: progressReporter(tus, upload.info, offset, request.context),
        freeChunks: request.exclusiveBody === true && tus.options.freeChunks !== false,
      });
      if (interrupted) body.interrupt(interrupted);
      return writeBody(tus, request, upload, offset, body);
    });
    return response;
  } catch (error) {
    response = { ...tus.errorResponse(error), ...(body && { closeConnection: !body.complete }) };
    return response;
  } finally {
    untrack();
    request.signal?.removeEventListener('abort', onClientGone);
    if (ending && ending.from >= 0) publishPatchEnd(tus, id, body, response, ending);
  }
}

/** `tuskit:patch:end`: why the PATCH stopped and what it stored. */
function publishPatchEnd<Ctx>(
  tus: Engine<Ctx>,
  id: string,
  body: RequestBody | undefined,
  response: TusResponse | undefined,
  ending: { started: number; from: number },
): void {
  const stored = parseNonNegativeInteger(response?.headers['Upload-Offset']);
  const offset = stored ?? ending.from;
  const reason: PatchEndReason =
    body?.interrupted
      ? body.interrupted === 'error'
        ? 'aborted'
        : body.interrupted
      : body?.overflowed
        ? 'overflow'
        : response?.status === 204 && body?.complete
          ? 'complete'
          : 'refused';
  const durationMs = performance.now() - ending.started;
  tus.diagnostics.publish('tuskit:patch:end', { id, reason, offset, bytes: offset - ending.from, durationMs });
}

/** The header checks of a PATCH, in the spec's order; returns the client's offset. */
function checkPatchHeaders<Ctx>(request: TusRequest<Ctx>, upload: UploadInfo): number {
  if (upload.concat?.type === 'final') throw new TusError('final_upload_immutable');
  const contentType = request.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== PATCH_CONTENT_TYPE) throw new TusError('unsupported_content_type');
  const offset = parseNonNegativeInteger(request.header('upload-offset'));
  if (offset === undefined) throw new TusError('invalid_offset');
  if (offset !== upload.offset) throw new TusError('offset_mismatch');
  return offset;
}

/**
 * `creation-defer-length`: a PATCH may carry the length of an upload created
 * without one; it is stored once, before any byte of the PATCH. Then the
 * body's Content-Length is checked against the length (or, while it is
 * still unknown, against the largest upload). Returns the length, if known.
 */
async function declareLength<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>, upload: UploadHandle, offset: number): Promise<number | undefined> {
  const known = upload.info.size;
  const header = request.header('upload-length');
  const declared = header === undefined ? undefined : parseNonNegativeInteger(header);
  if (header !== undefined && declared === undefined) throw new TusError('invalid_length');
  if (declared !== undefined && known !== undefined && declared !== known) throw new TusError('length_mismatch');
  const declaring = declared !== undefined && known === undefined;
  if (declaring && declared < offset) throw new TusError('invalid_length', `Upload-Length is below the ${offset} bytes already stored.`);
  if (declaring) tus.checkSize(declared);
  const size = known ?? declared;
  const length = parseNonNegativeInteger(request.header('content-length'));
  if (length !== undefined && offset + length > (size ?? tus.maxSize)) throw new TusError(size === undefined ? 'size_too_large' : 'length_exceeded');
  if (declaring) await upload.update({ size: declared });
  return size;
}

async function writeBody<Ctx>(
  tus: Engine<Ctx>,
  request: TusRequest<Ctx>,
  upload: UploadHandle,
  offset: number,
  body: RequestBody,
): Promise<TusResponse> {
  let source: UploadBody = body;
  // A partial upload is a piece of a file: its final upload is checked instead.
  if (offset === 0 && tus.accept && upload.info.concat?.type !== 'partial') {
    const iterator = body[Symbol.asyncIterator]();
    const chunks = await validateFirstChunk(tus, tus.accept, request, upload, body, iterator);
    // Interrupted before a whole head arrived: nothing is stored, like any PATCH cut short.
    if (!chunks) return { status: 204, headers: patchHeaders(tus, upload.info, offset), closeConnection: true };
    source = replay(chunks, iterator, body.free);
  }
  const before = upload.info;
  const verified = await verifiedBody(tus, request, source, body);
  let newOffset: number;
  try {
    newOffset = await upload.write(offset, verified?.body() ?? source);
  } catch (error) {
    // The store kept what it wrote (a full disk, say): the client resumes from there.
    return { ...tus.errorResponse(error, patchHeaders(tus, upload.info, upload.info.offset)), closeConnection: !body.complete };
  } finally {
    await verified?.close();
  }
  const lastWriteAt = newOffset > offset ? new Date() : before.lastWriteAt;
  const written: UploadInfo = { ...upload.info, offset: newOffset, lastWriteAt };
  await tus.notify('onProgress', { upload: written, offset: newOffset, context: request.context });
  const finished = newOffset === written.size && !before.finalized ? await tus.complete(upload, request.context) : undefined;
  if (body.overflowed) throw new TusError(written.size === undefined ? 'size_too_large' : 'length_exceeded');
  const headers = patchHeaders(tus, written, newOffset);
  if (body.interrupted === 'stopped' && !finished) {
    return { ...tus.errorResponse(new TusError('upload_stopped'), headers), closeConnection: !body.complete };
  }
  const response: TusResponse = { status: 204, headers, closeConnection: !body.complete };
  return finished ? tus.finishResponse(written, finished, request.context, response) : response;
}

function patchHeaders<Ctx>(tus: Engine<Ctx>, upload: UploadInfo, offset: number): Record<string, string> {
  const headers: Record<string, string> = { 'Upload-Offset': String(offset) };
  const expiresAt = tus.expiresAt(upload);
  if (expiresAt) headers['Upload-Expires'] = httpDate(expiresAt);
  return headers;
}

/**
 * Reads the head of the first chunk and applies the host's content rule. A
 * refused upload is removed from the store and the rest of the body is never
 * read; `undefined` when the body was interrupted before a whole head arrived.
 */
async function validateFirstChunk<Ctx>(
  tus: Engine<Ctx>,
  rule: ContentRule,
  request: TusRequest<Ctx>,
  upload: UploadHandle,
  body: RequestBody,
  iterator: AsyncIterator<Uint8Array>,
): Promise<Uint8Array[] | undefined> {
  const { chunks, head } = await readHead(iterator, HEAD_BYTES);
  // An upload shorter than a detectable head is judged on all of it.
  if (head.byteLength < Math.min(MIN_UPLOAD_SIZE, upload.info.size ?? MIN_UPLOAD_SIZE)) {
    if (body.interrupted) return undefined;
    throw new TusError('first_chunk_too_short', `The first chunk must hold at least ${MIN_UPLOAD_SIZE} bytes.`);
  }
  const { accepted, format: detected } = await checkContent(head, rule);
  if (!accepted) {
    await upload.remove();
    if (tus.diagnostics.wants('tuskit:upload:rejected')) {
      tus.diagnostics.publish('tuskit:upload:rejected', { id: upload.info.id, mime: detected?.mime, upload: upload.info });
    }
    await tus.notify('onMediaRejected', { upload: upload.info, detected, context: request.context });
    const what = detected ? `${detected.mime} (${detected.ext})` : 'of no known format';
    throw new TusError('unsupported_media_type', `The first chunk is ${what}, not an accepted format.`);
  }
  if (detected) {
    const media = mediaInfoOf(detected);
    await tus.options.hooks?.onMediaDetected?.({ upload: upload.info, media, context: request.context });
    await upload.update({ media });
  }
  return chunks;
}

/** Calls `onProgress` at most once per interval while a body streams. */
function progressReporter<Ctx>(
  tus: Engine<Ctx>,
  upload: UploadInfo,
  offset: number,
  context: Ctx,
): ((bytesRead: number) => void) | undefined {
  const publishing = tus.diagnostics.wants('tuskit:upload:progress');
  if (!tus.options.hooks?.onProgress && !publishing) return undefined;
  const interval = tus.options.progressIntervalMs ?? 1000;
  let last = Date.now();
  return (bytesRead) => {
    if (publishing) {
      tus.diagnostics.publish('tuskit:upload:progress', { id: upload.id, offset: offset + bytesRead, bytes: bytesRead, size: upload.size });
    }
    if (!tus.options.hooks?.onProgress) return;
    const now = Date.now();
    if (now - last < interval) return;
    last = now;
    void tus.notify('onProgress', { upload, offset: offset + bytesRead, context });
  };
}

async function* noBody(): AsyncIterable<Uint8Array> {}
