import type { Exchange } from './render.js';
import { joined } from './render.js';
import { BASE_PATH } from './server-process.js';

/**
 * The status protocol.md prescribes for a strictly valid request, from the
 * error table's order, where the model makes it certain; `undefined` when
 * it does not. Node keeps the first of repeated Authorization and
 * Content-Type lines and joins the others with ", ".
 */
export function expectedStatuses(exchange: Exchange, concurrent: boolean): readonly number[] | undefined {
  const { request, seen, method } = exchange;
  const path = request.target.split('?')[0] ?? '';
  const underBase = path === BASE_PATH || path.startsWith(`${BASE_PATH}/`);
  if (!exchange.valid) return undefined;
  if (!underBase) return [404];
  if (method === 'OPTIONS') return undefined;
  if (exchange.auth === 'no') return [401];
  if (exchange.auth !== 'yes') return undefined;
  if (joined(seen('tus-resumable')) !== '1.0.0') return [412];
  if (path === BASE_PATH || path === `${BASE_PATH}/`) return baseStatuses(exchange);
  const fresh = !exchange.upload && /^\/v1\/uploads\/[A-Za-z0-9_-]{1,128}$/.test(request.target) && !exchange.patch;
  if (fresh) return { HEAD: [404], PATCH: [404], DELETE: [204] }[method] ?? [405];
  const upload = exchange.upload;
  if (!upload || upload.state !== 'live' || concurrent) return undefined;
  if (method === 'HEAD') return [200];
  if (method !== 'PATCH') return method === 'DELETE' ? [204] : [405];
  const contentType = seen('content-type')[0]?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/offset+octet-stream') return [415];
  const offset = joined(seen('upload-offset'));
  if (offset === undefined || !/^\d+$/.test(offset) || !Number.isSafeInteger(Number(offset))) return [400];
  return undefined;
}

function baseStatuses(exchange: Exchange): readonly number[] {
  if (exchange.method !== 'POST') return [405];
  switch (exchange.postExpectation) {
    case 'create':
      return [201];
    case 'refuse':
      return [400, 413, 415];
    default:
      return [201, 400];
  }
}
