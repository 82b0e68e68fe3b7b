import { CHECKSUM_ALGORITHMS } from '../checksum.js';
import type { TusResponse } from '../http.js';
import { TUS_VERSION } from '../http.js';
import type { CorsOptions } from '../options.js';
import type { Engine } from '../engine.js';

/** OPTIONS: what this server speaks. */
export function handleOptions(tus: Pick<Engine<unknown>, 'extensions' | 'maxSize'>): TusResponse {
  const headers: Record<string, string> = {
    'Tus-Version': TUS_VERSION,
    'Tus-Extension': tus.extensions.join(','),
    'Tus-Max-Size': String(tus.maxSize),
  };
  if (tus.extensions.includes('checksum')) headers['Tus-Checksum-Algorithm'] = CHECKSUM_ALGORITHMS.join(',');
  return { status: 204, headers };
}

const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Trailer',
  'Tus-Resumable',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Checksum',
  'Upload-Concat',
  'X-HTTP-Method-Override',
  'X-Requested-With',
];

/** The extra headers of an answer to a CORS preflight. */
export function preflightHeaders(allowedMethods: string, cors: CorsOptions): Record<string, string> {
  return {
    'Access-Control-Allow-Methods': allowedMethods,
    'Access-Control-Allow-Headers': [...ALLOWED_HEADERS, ...(cors.allowedHeaders ?? [])].join(', '),
    'Access-Control-Max-Age': String(cors.maxAgeSeconds ?? 86_400),
  };
}
