import { TusError } from '../errors.js';
import type { TusRequest, TusResponse } from '../http.js';
import { parseNonNegativeInteger, parseUploadMetadata } from '../http.js';
import type { Tus } from '../tus.js';

/** POST to the base path: the optional standard `creation` extension. */
export async function handlePost<Ctx>(tus: Tus<Ctx>, request: TusRequest<Ctx>): Promise<TusResponse> {
  if (request.header('upload-defer-length') !== undefined) throw new TusError('invalid_length');
  const size = parseNonNegativeInteger(request.header('upload-length'));
  if (size === undefined) throw new TusError('invalid_length');
  let metadata: Record<string, string>;
  try {
    metadata = parseUploadMetadata(request.header('upload-metadata'));
  } catch {
    throw new TusError('invalid_metadata');
  }
  const created = await tus.createUpload({ size, metadata, origin: tus.originFor(request.header) });
  return { status: 201, headers: { Location: created.url, 'Upload-Expires': created.headers['Upload-Expires'] } };
}
