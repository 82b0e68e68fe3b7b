import type { MetadataChoice, OffsetChoice, RequestAction, TargetChoice } from './arbitraries.js';
import { deliverable, renderBody } from './render-body.js';
import { FuzzModel, type UploadModel } from './model.js';
import { API_KEY, BASE_PATH } from './server-process.js';
import { allHeaders, isComplete, isStrictlyValid, type WireRequest } from './wire.js';

/** Whether a request carries the right key, by Node's rules (the first Authorization line wins). */
export type Authorization = 'yes' | 'no' | 'ambiguous';


/** A concrete request plus what the checks need to know about it. */
export interface Exchange {
  request: WireRequest;
  /** The method the core acts on: `X-HTTP-Method-Override` when present, else the request line's. */
  method: string;
  auth: Authorization;
  /** Node's parser must hand it to the core (see {@link isStrictlyValid}). */
  valid: boolean;
  /** Every byte was sent and the socket stays open: an answer is due. */
  complete: boolean;
  /** The upload named by a path that is exactly `{base}/{id}` (optionally with `/` or a query). */
  upload: UploadModel | undefined;
  /** The upload's acknowledged offset when the request was sent. */
  ackedBefore: number;
  /** For a PATCH of a known upload: where the body starts and how many bytes were sent. */
  patch: { offset: number; sent: number; notMedia: boolean } | undefined;
  /** POST that the spec says must create an upload (when authorized and versioned). */
  postExpectation: 'create' | 'refuse' | 'either' | undefined;
  /** Header values by lower-case name, as the server will parse them. */
  seen: (name: string) => string[];
}

/** Resolves an abstract action against the model into bytes and expectations. */
export function render(action: RequestAction, model: FuzzModel): Exchange {
  const upload = resolveUpload(action.target, model);
  const exact = upload !== undefined && ['', '/', '?x=1', '/?a=b&c'].includes(suffixOf(action.target));
  const offsetLines = upload ? renderOffset(action.offset, upload) : [];
  const request: WireRequest = {
    method: action.method,
    target: renderTarget(action.target, upload),
    httpVersion: action.httpVersion,
    headers: [
      ...action.host.map((v): [string, string] => ['Host', v]),
      ...action.auth.values.map((v): [string, string] => [action.auth.name, v.replaceAll('{KEY}', API_KEY)]),
      ...action.tusResumable.map((v): [string, string] => ['Tus-Resumable', v]),
      ...(action.method === 'PATCH' ? action.contentType.map((v): [string, string] => ['Content-Type', v]) : []),
      ...offsetLines.map((v): [string, string] => ['Upload-Offset', v]),
      ...(action.method === 'POST' ? postHeaders(action) : []),
      ...action.extras,
    ],
    body: { payload: Buffer.alloc(0), framing: 'none', sent: 0, ending: 'wait' },
  };
  // Judge the key as Node will see it: a CR LF inside a value starts a new header line.
  const seen = effectiveHeaders(request);
  const auth = authorization(seen('authorization'));
  const offsetValue = joined(seen('upload-offset'));
  const numeric = offsetValue !== undefined && /^\d{1,15}$/.test(offsetValue) ? Number(offsetValue) : undefined;
  const start = upload ? Math.min(numeric ?? upload.known, upload.size) : 0;
  request.body = renderBody(action.method, action.body, upload, start, auth);
  if (action.body.expectContinue && request.body.framing === 'length') request.headers.push(['Expect', '100-continue']);
  const method = joined(seen('x-http-method-override'))?.trim().toUpperCase() || action.method;
  const isPatch = method === 'PATCH' && action.method === 'PATCH' && upload !== undefined;
  const hasBody = request.body.framing === 'chunked' || request.body.payload.length > 0;
  return {
    request,
    method,
    auth,
    valid: isStrictlyValid(request),
    complete: isComplete(request),
    upload: exact ? upload : undefined,
    ackedBefore: upload?.acked ?? 0,
    patch: isPatch ? { offset: start, sent: deliverable(request.body), notMedia: action.body.source === 'not-media' } : undefined,
    // A POST body that is not an upload's first bytes is refused rather than dropped.
    postExpectation: method === 'POST' ? (hasBody ? 'refuse' : postExpectation(seen, action.metadata)) : undefined,
    seen,
  };
}

/** Header values by lower-case name as the server parses them (lines split at CR LF, values trimmed). */
function effectiveHeaders(request: WireRequest): (name: string) => string[] {
  const lines = allHeaders(request)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')
    .split('\r\n');
  const pairs = lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
  });
  return (name) => pairs.filter(([n]) => n === name).map(([, v]) => v);
}

/** A repeated header as Node joins it. */
export function joined(values: readonly string[]): string | undefined {
  return values.length > 0 ? values.join(', ') : undefined;
}

function resolveUpload(target: TargetChoice, model: FuzzModel): UploadModel | undefined {
  if (target.kind !== 'upload') return undefined;
  return FuzzModel.pick(target.includeGone ? model.uploads : model.live(), target.pick);
}

function suffixOf(target: TargetChoice): string {
  return target.kind === 'upload' ? target.suffix : '#';
}

function renderTarget(target: TargetChoice, upload: UploadModel | undefined): string {
  if (target.kind === 'literal') return target.path;
  if (target.kind === 'fresh') return `${BASE_PATH}/${target.id}`;
  return `${BASE_PATH}/${upload?.id ?? 'no-upload-yet'}${target.suffix}`;
}

function authorization(values: readonly string[]): Authorization {
  const right = (v: string) => v === `Bearer ${API_KEY}`;
  if (values[0] !== undefined && right(values[0])) return 'yes';
  return values.some(right) ? 'ambiguous' : 'no';
}

function renderOffset(choice: OffsetChoice, upload: UploadModel): string[] {
  if (choice.base === 'literal') return [choice.literal];
  const base = { known: upload.known, acked: upload.acked, zero: 0, size: upload.size }[choice.base];
  const n = Math.max(0, base + choice.delta);
  const text = formatNumber(n, choice.format);
  if (choice.duplicate === 'none') return [text];
  return [text, choice.duplicate === 'same' ? text : String(n + 1)];
}

function formatNumber(n: number, format: OffsetChoice['format']): string {
  switch (format) {
    case 'plain':
      return String(n);
    case 'zeros':
      return `000${n}`;
    case 'spaces':
      return ` ${n}\t`;
    case 'plus':
      return `+${n}`;
    case 'exponent':
      return n.toExponential();
    case 'hex':
      return `0x${n.toString(16)}`;
    case 'fraction':
      return `${n}.0`;
    case 'fullwidth':
      return Buffer.from(String(n).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), 'utf8').toString('latin1');
  }
}

function postHeaders(action: RequestAction): Array<[string, string]> {
  const lines: Array<[string, string]> = action.uploadLength.map((v) => ['Upload-Length', v]);
  const metadata = metadataValue(action.metadata);
  if (metadata !== undefined) lines.push(['Upload-Metadata', metadata]);
  return lines;
}

function metadataValue(choice: MetadataChoice): string | undefined {
  if (choice.raw !== undefined) return choice.raw;
  if (choice.pairs.length === 0) return undefined;
  return choice.pairs.map(([k, v]) => (v === '' ? k : `${k} ${Buffer.from(v).toString('base64')}`)).join(',');
}

/**
 * What the TUS creation extension says a POST must get, given that it is
 * authorized, versioned and aimed at the base path: a spec-valid length and
 * metadata create; anything malformed is refused.
 */
function postExpectation(seen: Exchange['seen'], metadata: MetadataChoice): Exchange['postExpectation'] {
  const length = joined(seen('upload-length'));
  // creation-defer-length: exactly `1`, without Upload-Length, creates an upload of unknown length.
  if (seen('upload-defer-length').length > 0) {
    const deferred = joined(seen('upload-defer-length')) === '1' && length === undefined;
    return deferred && metadata.raw === undefined ? 'create' : deferred ? 'either' : 'refuse';
  }
  if (length === undefined || !/^\d{1,15}$/.test(length)) return 'refuse';
  if (Number(length) < 64 || Number(length) > 53_687_091_200) return 'refuse';
  return metadata.raw === undefined ? 'create' : 'either';
}
