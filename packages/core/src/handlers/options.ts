import type { TusResponse } from '../http.js';
import { TUS_VERSION } from '../http.js';
import type { CorsOptions } from '../options.js';
import type { Tus } from '../tus.js';

/** OPTIONS: what this server speaks. */
export function handleOptions(tus: Pick<Tus, 'extensions' | 'maxSize'>): TusResponse {
  return {
    status: 204,
    headers: {
      'Tus-Version': TUS_VERSION,
      'Tus-Extension': tus.extensions.join(','),
      'Tus-Max-Size': String(tus.maxSize),
    },
  };
}

const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
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
