import fc from 'fast-check';
import {
  authorization,
  contentType,
  extras,
  host,
  hostile,
  metadata,
  mostly,
  offset,
  tusResumable,
  uploadLength,
  type MetadataChoice,
  type OffsetChoice,
} from './header-arbitraries.js';

export type { MetadataChoice, OffsetChoice } from './header-arbitraries.js';

/**
 * What fast-check draws: an abstract request. Whatever depends on the
 * server's state (which upload, which offset, which bytes) is drawn as a
 * choice and resolved against the model when the request is sent (render.ts),
 * so a seed replays the same sequence of decisions.
 */
export interface RequestAction {
  method: string;
  target: TargetChoice;
  httpVersion: '1.0' | '1.1';
  /** Host header values (none, one, or several lines). */
  host: readonly string[];
  /** Authorization lines; `{KEY}` stands for the right key. */
  auth: { name: string; values: readonly string[] };
  tusResumable: readonly string[];
  contentType: readonly string[];
  offset: OffsetChoice;
  uploadLength: readonly string[];
  metadata: MetadataChoice;
  extras: Array<[string, string]>;
  body: BodyChoice;
  /** Send a well-formed HEAD on the same connection after the answer, if it stays open. */
  followUp: boolean;
  /** Split points of the bytes into separate writes, as fractions. */
  splits: number[];
}

/** A known upload (by a fraction of the list), a fresh valid id, or a literal path. */
export type TargetChoice =
  | { kind: 'upload'; pick: number; includeGone: boolean; suffix: string }
  | { kind: 'fresh'; id: string }
  | { kind: 'literal'; path: string };

/** The body of a request and how it is framed, cut and ended. */
export interface BodyChoice {
  source: 'content' | 'not-media';
  size: 'zero' | 'tiny' | 'part' | 'rest' | 'over';
  fraction: number;
  framing: 'none' | 'length' | 'chunked';
  declared: 'exact' | 'less' | 'more' | 'junk';
  junkLength: string;
  /** Fraction of the body actually sent (1 = all). */
  cut: number;
  ending: 'wait' | 'fin' | 'rst';
  chunkSizes: number[];
  chunkFault: 'none' | 'bad-size' | 'missing-crlf' | 'huge-size';
  chunkExtras: boolean;
  expectContinue: boolean;
}

const BASE = '/v1/uploads';

const target: fc.Arbitrary<TargetChoice> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('upload' as const),
      pick: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      includeGone: mostly(fc.constant(false), fc.constant(true), 4),
      suffix: mostly(fc.constant(''), fc.constantFrom('/', '?x=1', '/?a=b&c', '#f', '/extra', '%00', '.json', '/..', '..', '%2F..'), 8),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fresh' as const), id: fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('literal' as const),
      path: fc.oneof(
        fc.constantFrom(
          BASE, `${BASE}/`, '/', '/v1', `${BASE}X/abc`, '/V1/UPLOADS/abc', `${BASE}/../uploads`, `${BASE}/..`,
          `${BASE}/%2e%2e`, `${BASE}/..%2f..%2fetc%2fpasswd`, `${BASE}/../../../../etc/passwd`, `${BASE}//`, '*',
          `http://127.0.0.1${BASE}/abc`, `${BASE}/${'a'.repeat(129)}`, `${BASE}/a%0d%0aSet-Cookie:%20x=1`,
          `${BASE}/a b`, `${BASE}/\r\nX-Injected: 1`, `${BASE}/é`, `${BASE}/store`, `${BASE}/abc.json`, `${BASE}/.`,
        ),
        hostile.map((s) => `${BASE}/${s}`),
        hostile.map((s) => `${BASE}/${encodeURIComponent(s)}`),
      ),
    }),
  },
);

/** POSTs mostly aim at the base path, where creation lives. */
const postTarget = mostly<TargetChoice>(
  fc.constantFrom<TargetChoice>({ kind: 'literal', path: BASE }, { kind: 'literal', path: `${BASE}/` }),
  target,
  4,
);

const body: fc.Arbitrary<BodyChoice> = fc.record({
  source: mostly(fc.constant('content' as const), fc.constant('not-media' as const), 12),
  size: fc.constantFrom('zero', 'tiny', 'part', 'part', 'rest', 'over') as fc.Arbitrary<BodyChoice['size']>,
  fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  framing: mostly(fc.constant('length' as const), fc.constantFrom('none' as const, 'chunked' as const, 'chunked' as const), 2),
  declared: mostly(fc.constant('exact' as const), fc.constantFrom('less' as const, 'more' as const, 'junk' as const), 12),
  junkLength: fc.constantFrom('-1', '+5', '0x10', '1e3', '', ' ', 'abc', '99999999999999999999', '5, 5', '9007199254740993'),
  cut: mostly(fc.constant(1), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), 6),
  ending: mostly(fc.constant('wait' as const), fc.constantFrom('fin' as const, 'rst' as const), 6),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 4 }),
  chunkFault: mostly(fc.constant('none' as const), fc.constantFrom('bad-size' as const, 'missing-crlf' as const, 'huge-size' as const), 10),
  chunkExtras: fc.boolean(),
  expectContinue: fc.boolean(),
});

const method = fc.oneof(
  { weight: 30, arbitrary: fc.constant('PATCH') },
  { weight: 15, arbitrary: fc.constant('HEAD') },
  { weight: 4, arbitrary: fc.constantFrom('OPTIONS', 'POST') },
  { weight: 2, arbitrary: fc.constant('DELETE') },
  { weight: 2, arbitrary: fc.constantFrom('GET', 'PUT', 'PROPFIND', 'TRACE') },
  { weight: 1, arbitrary: fc.constantFrom('patch', 'FOO', 'P\xc3\x84TCH', 'CONNECT', 'PRI', 'PATCH\t', '', 'HEAD /x') },
);

/** One fuzzed request. */
export const requestAction: fc.Arbitrary<RequestAction> = method.chain((chosen) =>
  fc.record({
    method: fc.constant(chosen),
    target: chosen === 'POST' ? postTarget : target,
    httpVersion: mostly(fc.constant('1.1' as const), fc.constant('1.0' as const)),
    host,
    auth: authorization,
    tusResumable,
    contentType,
    offset,
    uploadLength,
    metadata,
    extras,
    body,
    followUp: fc.boolean(),
    splits: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
  }),
);

/** A group of requests sent at once (mostly one; a few race each other). */
export const requestGroup = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(requestAction) },
  { weight: 1, arbitrary: fc.array(requestAction, { minLength: 2, maxLength: 3 }) },
);

/** Sizes of uploads the host pre-allocates. */
export const uploadSize = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 64, max: 16_384 }) },
  fc.integer({ min: 16_385, max: 262_144 }),
);
