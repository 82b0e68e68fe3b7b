import type { TusRequest, TusResponse } from '../http.js';
import { formatUploadMetadata, httpDate } from '../http.js';
import type { Engine } from '../engine.js';
import { uploadConcatHeader } from './concat.js';
import { isComplete } from '../upload.js';

/** HEAD: the durable offset. Takes the lock so an interrupted writer persists first. */
export async function handleHead<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>, id: string): Promise<TusResponse> {
  return tus.withLock(id, () => {}, async () => {
    const handle = await tus.liveUpload(id);
    const upload = handle.info;
    // A crash between the last byte and finalization: finish the job now.
    if (isComplete(upload) && !upload.finalized) await tus.complete(handle, request.context);
    const headers: Record<string, string> = {
      'Upload-Offset': String(upload.offset),
      ...(upload.size === undefined ? { 'Upload-Defer-Length': '1' } : { 'Upload-Length': String(upload.size) }),
      'Cache-Control': 'no-store',
    };
    const expiresAt = tus.expiresAt(upload);
    if (expiresAt) headers['Upload-Expires'] = httpDate(expiresAt);
    const concat = uploadConcatHeader(tus, request, upload.concat);
    if (concat) headers['Upload-Concat'] = concat;
    if (Object.keys(upload.metadata).length > 0) headers['Upload-Metadata'] = formatUploadMetadata(upload.metadata);
    return { status: 200, headers };
  });
}
