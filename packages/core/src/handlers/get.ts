import contentDisposition from 'content-disposition';
import parseRange from 'range-parser';
import { TusError, isTusError } from '../errors.js';
import type { TusRequest, TusResponse } from '../http.js';
import { isDownloadUrlStore, isReadableStore } from '../store.js';
import type { Engine } from '../engine.js';
import { isComplete, type UploadInfo } from '../upload.js';

/**
 * GET: the bytes of a finished upload (the opt-in `download` option), by
 * redirect to the store's own download URL where it has one, else streamed
 * from `read()` with a single `Range`.
 */
export async function handleGet<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>, id: string): Promise<TusResponse> {
  const options = tus.downloadOptions;
  if (!options) throw new TusError('method_not_allowed');
  const upload = (await tus.store.open(id))?.info;
  if (!upload || !isComplete(upload) || !upload.finalized) throw new TusError('not_found');
  // Complete: the offset is the length.
  const size = upload.offset;
  const contentType = upload.media?.mime ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'Content-Type': contentType, 'Cache-Control': 'private, no-cache' };
  const filename = upload.metadata.filename ?? upload.metadata.name;
  if (filename) {
    // `content-disposition` keeps the file name's last path segment and quotes it safely; an ASCII fallback keeps
    // the header ASCII while the exact name travels in RFC 8187 `filename*`.
    const fallback = filename.replace(/[^\x20-\x7e]/g, '_');
    headers['Content-Disposition'] = contentDisposition(filename, { type: options.disposition, fallback });
  }
  if (isDownloadUrlStore(tus.store) && options.redirect) {
    const signing = { expiresInSeconds: options.urlTtlSeconds, contentType, contentDisposition: headers['Content-Disposition'] };
    const url = await tus.store.downloadUrl(id, signing).catch((error: unknown) => {
      // A store outage is the client's to retry; credentials that cannot sign leave streaming as the way.
      if (isTusError(error)) throw error;
      tus.reportError(error);
      return undefined;
    });
    if (url) return { status: 302, headers: { ...headers, Location: url, 'Content-Length': '0' } };
  }
  if (!isReadableStore(tus.store)) throw new TusError('method_not_allowed');
  const etag = entityTag(upload);
  headers.ETag = etag;
  headers['Accept-Ranges'] = 'bytes';
  if (request.header('if-none-match')?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    return { status: 304, headers: { ETag: etag, 'Cache-Control': headers['Cache-Control'] ?? '' } };
  }
  const range = wantedRange(request, etag, size);
  if (range === 'unsatisfiable') {
    return tus.errorResponse(new TusError('range_not_satisfiable'), { 'Content-Range': `bytes */${size}` });
  }
  if (size === 0) return { status: 200, headers: { ...headers, 'Content-Length': '0' }, body: '' };
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const body = await tus.store.read(id, { start, end });
  headers['Content-Length'] = String(end - start + 1);
  if (!range) return { status: 200, headers, body };
  headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  return { status: 206, headers, body };
}

/** A strong validator: a finished upload's bytes never change, and a new upload under the same id has another creation time. */
function entityTag(upload: UploadInfo): string {
  return `"${upload.offset.toString(36)}-${upload.createdAt.getTime().toString(36)}"`;
}

/**
 * The one range to serve, `undefined` for the whole body (no `Range`, an
 * `If-Range` that no longer matches, several ranges, or a header that is not
 * a byte range), or `'unsatisfiable'`.
 */
function wantedRange<Ctx>(
  request: TusRequest<Ctx>,
  etag: string,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const header = request.header('range');
  if (header === undefined) return undefined;
  const ifRange = request.header('if-range');
  if (ifRange !== undefined && ifRange.trim() !== etag) return undefined;
  const ranges = parseRange(size, header, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  return ranges[0];
}
