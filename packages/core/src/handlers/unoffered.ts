import { TusError } from '../errors.js';
import type { TusRequest } from '../http.js';

/** Request headers that belong to an extension, by the extension. */
const EXTENSION_HEADERS = [
  ['upload-concat', 'concatenation'],
  ['upload-defer-length', 'creation-defer-length'],
  ['upload-checksum', 'checksum'],
] as const;

/**
 * Refuses a request that relies on an extension the server does not offer:
 * honouring it in part would drop data or a check the client asked for
 * (a checksum, a concatenation) while answering success.
 */
export function refuseUnofferedExtensions<Ctx>(extensions: readonly string[], request: TusRequest<Ctx>): void {
  for (const [header, extension] of EXTENSION_HEADERS) {
    if (request.header(header) !== undefined && !extensions.includes(extension)) {
      throw new TusError('extension_unsupported', `${header} needs the ${extension} extension, which this server does not offer.`);
    }
  }
  const trailers = request.header('trailer')?.toLowerCase();
  if (trailers?.includes('upload-checksum') && !extensions.includes('checksum-trailer')) {
    throw new TusError('extension_unsupported', 'Upload-Checksum as a trailer needs the checksum-trailer extension, which this server does not offer.');
  }
}
