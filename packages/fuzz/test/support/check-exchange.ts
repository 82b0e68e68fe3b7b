import { checkCoreResponse, errorCode, invariant, isParserRejection } from './check-response.js';
import type { FuzzModel } from './model.js';
import { expectedStatuses } from './oracle.js';
import { headerOf, type RawResponse } from './raw-http.js';
import type { Exchange } from './render.js';
import type { Outcome } from './send.js';

/** Counters of a fuzz run, for the report. */
export interface Tally {
  requests: number;
  coreAnswers: number;
  parserRejections: number;
  unanswered: number;
  /** Valid requests with a body whose answer was lost to the connection reset. */
  resetAnswers: number;
  statuses: Record<number, number>;
}

/** A fresh {@link Tally}. */
export function newTally(): Tally {
  return { requests: 0, coreAnswers: 0, parserRejections: 0, unanswered: 0, resetAnswers: 0, statuses: {} };
}

/**
 * Checks one exchange's outcome against every per-request invariant and moves
 * the model. `concurrent` relaxes only what a racing request could change.
 */
export function checkExchange(exchange: Exchange, outcome: Outcome, model: FuzzModel, tally: Tally, concurrent: boolean): void {
  const { response } = outcome;
  const evidence = { request: exchange.request, valid: exchange.valid, response };
  tally.requests += outcome.requests;
  invariant(response !== 'timeout', 'no answer within 5 s and the connection was not closed', evidence);
  if (typeof response !== 'object') {
    tally.unanswered += 1;
    // With body bytes left unread the server's close may reset the connection before the
    // answer is read (findings.test.ts); without a body an answer is always due.
    invariant(!exchange.valid || exchange.request.body.sent > 0, 'a complete, valid request got no answer', evidence);
    if (exchange.valid) tally.resetAnswers += 1;
    noteLostAnswer(exchange, model);
    return;
  }
  tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1;
  if (isParserRejection(response)) {
    tally.parserRejections += 1;
    invariant(!exchange.valid, 'a valid request was rejected by the HTTP parser (connection desynchronised?)', evidence);
    noteLostAnswer(exchange, model);
    return;
  }
  tally.coreAnswers += 1;
  checkCoreResponse(response, exchange.request.method);
  checkAuthorization(exchange, response, evidence);
  const expected = expectedStatuses(exchange, concurrent);
  invariant(!expected || expected.includes(response.status), `expected ${expected?.join(' or ')}, got ${response.status}`, evidence);
  applyAnswer(exchange, response, model, concurrent, evidence);
  if (outcome.followUp !== undefined) checkFollowUp(outcome.followUp, evidence);
}

function checkAuthorization(exchange: Exchange, response: RawResponse, evidence: object): void {
  if (exchange.auth !== 'no' || exchange.method === 'OPTIONS') return;
  invariant(response.status < 200 || response.status >= 300, 'auth bypass: 2xx without the right key', evidence);
}

/** The answer after a kept-alive response must be the core's: anything else means the stream was misread. */
function checkFollowUp(followUp: RawResponse | string, evidence: object): void {
  invariant(typeof followUp === 'object', 'the HEAD after a kept-alive answer got no answer', { ...evidence, followUp });
  invariant(!isParserRejection(followUp), 'the HEAD after a kept-alive answer was misparsed (body left on the connection)', {
    ...evidence,
    followUp,
  });
  checkCoreResponse(followUp, 'HEAD');
}

function applyAnswer(exchange: Exchange, response: RawResponse, model: FuzzModel, concurrent: boolean, evidence: object): void {
  const { upload, method } = exchange;
  if (method === 'POST' && response.status === 201) return registerCreated(exchange, response, model, evidence);
  if (!upload) return;
  const code = response.status >= 400 ? errorCode(response) : undefined;
  invariant(
    code !== 'not_found' || upload.state !== 'live' || concurrent || exchange.auth !== 'yes',
    'a live upload answered 404',
    evidence,
  );
  if (method === 'DELETE' && response.status === 204) model.remove(upload, true);
  if (code === 'unsupported_media_type') model.remove(upload, true);
  if (method === 'HEAD' && response.status === 200) checkHead(exchange, response, model, evidence);
  if (method === 'PATCH' && response.status === 204) checkPatched(exchange, response, model, evidence);
}

function checkHead(exchange: Exchange, response: RawResponse, model: FuzzModel, evidence: object): void {
  const upload = exchange.upload!;
  const offset = Number(headerOf(response, 'upload-offset'));
  invariant(headerOf(response, 'upload-length') === String(upload.size), 'HEAD reports another Upload-Length', evidence);
  invariant(Number.isSafeInteger(offset) && offset <= upload.size, 'HEAD offset beyond the length', evidence);
  invariant(offset >= exchange.ackedBefore, 'HEAD reports less than was acknowledged: bytes lost', evidence);
  invariant(headerOf(response, 'cache-control') === 'no-store', 'HEAD without Cache-Control: no-store', evidence);
  invariant((headerOf(response, 'upload-expires') !== undefined) === offset < upload.size, 'Upload-Expires iff incomplete', evidence);
  model.observe(upload, offset);
}

function checkPatched(exchange: Exchange, response: RawResponse, model: FuzzModel, evidence: object): void {
  const upload = exchange.upload!;
  const patch = exchange.patch!;
  const offset = Number(headerOf(response, 'upload-offset'));
  invariant(Number.isSafeInteger(offset) && offset <= upload.size, 'PATCH acknowledged beyond the length', evidence);
  if (exchange.valid) {
    invariant(offset >= patch.offset && offset <= patch.offset + patch.sent, 'PATCH acknowledged bytes that were not sent', {
      ...evidence,
      patch,
    });
  }
  invariant((headerOf(response, 'upload-expires') !== undefined) === offset < upload.size, 'Upload-Expires iff incomplete', evidence);
  model.acknowledge(upload, offset);
}

function registerCreated(exchange: Exchange, response: RawResponse, model: FuzzModel, evidence: object): void {
  const id = headerOf(response, 'location')?.split('/').pop();
  // An upload of deferred length is one the model does not follow: counted like a POST whose answer was lost.
  if (exchange.seen('upload-length').length === 0 && exchange.seen('upload-defer-length').length > 0) {
    invariant(id !== undefined, '201 without a usable Location', evidence);
    model.unaccounted += 1;
    return;
  }
  const size = Number(exchange.seen('upload-length')[0]);
  invariant(id !== undefined && Number.isSafeInteger(size), '201 without a usable Location', evidence);
  invariant(model.get(id) === undefined, 'POST answered the id of an existing upload', evidence);
  model.add(id, size);
}

/** Without an answer the model cannot know whether a removal happened. */
function noteLostAnswer(exchange: Exchange, model: FuzzModel): void {
  const { upload, method, patch } = exchange;
  if (method === 'POST' && exchange.auth !== 'no') model.unaccounted += 1;
  if (!upload || exchange.auth === 'no') return;
  if (method === 'DELETE' || (patch?.notMedia && patch.offset === 0)) model.remove(upload, false);
  upload.dirty = true;
}
