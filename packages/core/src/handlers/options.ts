import { CHECKSUM_ALGORITHMS } from '../checksum.js';
import type { TusResponse } from '../http.js';
import { TUS_VERSION } from '../http.js';
import type { Tus } from '../tus.js';

/** OPTIONS: what this server speaks. */
export function handleOptions(tus: Pick<Tus, 'extensions' | 'maxSize'>): TusResponse {
  const headers: Record<string, string> = {
    'Tus-Version': TUS_VERSION,
    'Tus-Extension': tus.extensions.join(','),
    'Tus-Max-Size': String(tus.maxSize),
  };
  if (tus.extensions.includes('checksum')) headers['Tus-Checksum-Algorithm'] = CHECKSUM_ALGORITHMS.join(',');
  return { status: 204, headers };
}

/** The extra headers of an answer to a CORS preflight. */
export function preflightHeaders(allowedMethods: string): Record<string, string> {
  return {
    'Access-Control-Allow-Methods': allowedMethods,
    'Access-Control-Allow-Headers':
      'Authorization, Content-Type, Trailer, Tus-Resumable, Upload-Offset, Upload-Length, Upload-Metadata, Upload-Defer-Length, Upload-Checksum, Upload-Concat, X-HTTP-Method-Override, X-Requested-With',
    'Access-Control-Max-Age': '86400',
  };
}
