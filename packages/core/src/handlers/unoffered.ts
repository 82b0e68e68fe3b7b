import { TusError } from '../errors.js';
import type { TusRequest } from '../http.js';
import { parseChecksum } from '../checksum.js';
import { announcesChecksumTrailer } from './checksum.js';

/** Request headers that belong to an extension, by the extension. */
const EXTENSION_HEADERS = [
  ['upload-concat', 'concatenation'],
  ['upload-defer-length', 'creation-defer-length'],
  ['upload-checksum', 'checksum'],
] as const;

/**
 * Refuses a request that relies on an extension the server does not offer
 * (honouring it in part would drop data or a check the client asked for while
 * answering success), and extension headers it cannot parse.
 */
export function checkExtensionHeaders<Ctx>(extensions: readonly string[], request: TusRequest<Ctx>): void {
  for (const [header, extension] of EXTENSION_HEADERS) {
    if (request.header(header) !== undefined && !extensions.includes(extension)) {
      throw new TusError('extension_unsupported', `${header} needs the ${extension} extension, which this server does not offer.`);
    }
  }
  if (announcesChecksumTrailer(request) && (!extensions.includes('checksum-trailer') || !request.trailer)) {
    throw new TusError('extension_unsupported', 'Upload-Checksum as a trailer needs the checksum-trailer extension, which this server (or its framework adapter) does not offer.');
  }
  // A malformed checksum or an unknown algorithm is refused before any byte is read.
  const checksum = request.header('upload-checksum');
  if (checksum !== undefined) parseChecksum(checksum);
}
