import { TusError } from '../errors.js';
import type { TusRequest, TusResponse } from '../http.js';
import { PATCH_CONTENT_TYPE, parseNonNegativeInteger, parseUploadMetadata } from '../http.js';
import type { Engine } from '../engine.js';
import { handleFinalPost, parseUploadConcat } from './concat.js';
import { handlePatch } from './patch.js';

/**
 * POST to the base path: the `creation` extension, and `creation-with-upload`
 * when the request carries the first bytes.
 */
export async function handlePost<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>): Promise<TusResponse> {
  const concat = parseUploadConcat(tus, request);
  if (concat?.type === 'final') return handleFinalPost(tus, request, concat.parts);
  const size = requestedLength(request);
  let metadata: Record<string, string>;
  try {
    metadata = parseUploadMetadata(request.header('upload-metadata'));
  } catch {
    throw new TusError('invalid_metadata');
  }
  const withUpload = carriesUpload(request);
  const changes = await tus.options.hooks?.onBeforeCreate?.({ size, metadata, context: request.context });
  const created = await tus.createUpload({
    size,
    metadata: changes?.metadata ?? metadata,
    ...(changes?.id !== undefined && { id: changes.id }),
    ...(concat && { partial: true }),
    origin: tus.originFor(request.header),
  });
  const headers = { Location: created.url, 'Upload-Expires': created.headers['Upload-Expires'] };
  if (!withUpload) return { status: 201, headers };
  const written = await handlePatch(tus, asFirstPatch(request), created.id);
  if (written.status >= 400) return written;
  // 204 is the PATCH's own success; another status is what `onBeforeFinish` chose.
  return { ...written, status: written.status === 204 ? 201 : written.status, headers: { ...headers, ...written.headers } };
}

/**
 * True when the POST brings bytes (`creation-with-upload`). Bytes of any other
 * type would otherwise be dropped: they are refused before anything is created.
 */
function carriesUpload<Ctx>(request: TusRequest<Ctx>): boolean {
  const contentType = request.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType === PATCH_CONTENT_TYPE) return true;
  const length = request.header('content-length');
  const hasBody = request.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
  if (hasBody) throw new TusError('unsupported_content_type');
  return false;
}

/** The POST's body as the PATCH at offset 0 of the upload it created. */
function asFirstPatch<Ctx>(request: TusRequest<Ctx>): TusRequest<Ctx> {
  const header = request.header;
  return { ...request, method: 'PATCH', header: (name) => (name === 'upload-offset' ? '0' : header(name)) };
}

/** Upload-Length, or `undefined` for `Upload-Defer-Length: 1` (`creation-defer-length`). */
function requestedLength<Ctx>(request: TusRequest<Ctx>): number | undefined {
  const length = request.header('upload-length');
  const deferred = request.header('upload-defer-length');
  if (deferred === undefined) {
    const size = parseNonNegativeInteger(length);
    if (size === undefined) throw new TusError('invalid_length');
    return size;
  }
  if (deferred.trim() !== '1' || length !== undefined) {
    throw new TusError('invalid_length', 'Upload-Defer-Length must be 1, and comes without Upload-Length.');
  }
  return undefined;
}
