import type { RequestBody } from '../body.js';
import { parseChecksum } from '../checksum.js';
import { TusError } from '../errors.js';
import type { TusRequest } from '../http.js';
import { Spool } from '../spool.js';
import type { UploadBody } from '../store.js';
import type { Engine } from '../engine.js';

/** True when the request announces `Upload-Checksum` among its trailers. */
export function announcesChecksumTrailer<Ctx>(request: TusRequest<Ctx>): boolean {
  return (request.header('trailer') ?? '').toLowerCase().split(',').some((name) => name.trim() === 'upload-checksum');
}

/**
 * For a PATCH with `Upload-Checksum` (as a header or a trailer): the body,
 * spooled apart from the store and checked, ready to be written; `undefined`
 * for a PATCH without one. A mismatch is 460 and a body that did not arrive
 * whole cannot match: either way none of its bytes reach the store.
 */
export async function verifiedBody<Ctx>(
  tus: Engine<Ctx>,
  request: TusRequest<Ctx>,
  source: UploadBody,
  body: RequestBody,
): Promise<Spool | undefined> {
  const header = request.header('upload-checksum');
  if (header === undefined && !announcesChecksumTrailer(request)) return undefined;
  const announced = header === undefined ? undefined : parseChecksum(header);
  const spool = await Spool.fill(source, tus.spoolDirectory, announced?.algorithm);
  try {
    if (body.overflowed) throw new TusError('length_exceeded', 'The body goes past Upload-Length; none of it was stored.');
    if (!body.complete) throw new TusError('checksum_mismatch', 'The body did not arrive whole; none of it was stored.');
    const expected = announced ?? parseChecksum(trailerChecksum(request));
    if (!(await spool.digest(expected.algorithm)).equals(expected.digest)) throw new TusError('checksum_mismatch');
    return spool;
  } catch (error) {
    await spool.close();
    throw error;
  }
}

function trailerChecksum<Ctx>(request: TusRequest<Ctx>): string {
  const value = request.trailer?.('upload-checksum');
  if (value === undefined) throw new TusError('invalid_checksum', 'Upload-Checksum was announced as a trailer but not sent.');
  return value;
}
