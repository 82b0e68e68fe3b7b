import fc from 'fast-check';

/** How an Upload-Offset is chosen and written. */
export interface OffsetChoice {
  /** Which number: the model's (what a good client sends), another, or a literal. */
  base: 'known' | 'acked' | 'zero' | 'size' | 'literal';
  delta: number;
  /** How the number is written. */
  format: 'plain' | 'zeros' | 'spaces' | 'plus' | 'exponent' | 'hex' | 'fraction' | 'fullwidth';
  /** A second Upload-Offset line: none, the same value, or another. */
  duplicate: 'none' | 'same' | 'other';
  literal: string;
}

/** Upload-Metadata of a POST. */
export interface MetadataChoice {
  /** Key/value pairs, encoded as the spec says (the oracle expects 201 for these)… */
  pairs: Array<[string, string]>;
  /** …or a raw header value (possibly malformed), when set. */
  raw: string | undefined;
}

/**
 * The clean value most of the time, a hostile one about once in `odds + 1`,
 * so that most requests carry a single oddity and still reach deep into the core.
 */
export function mostly<T>(clean: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>, odds = 16): fc.Arbitrary<T> {
  return fc.oneof({ weight: odds, arbitrary: clean }, { weight: 1, arbitrary: hostile });
}

/** Strings with the bytes attackers like: CR, LF, NUL, DEL, obs-text, raw UTF-8, quotes. */
export const hostile = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')),
  fc.constantFrom('\r\nX-Injected: 1', '\nSet-Cookie: a=b', 'a\rb', 'a\x00b', '\x7f', '\xff\xfe', 'é', '１', ' ', '\t'),
);

type Lines = readonly string[];

export const host = mostly<Lines>(
  fc.constant(['127.0.0.1']),
  fc.oneof(
    fc.constantFrom([], ['a', 'b'], ['evil.example:8080'], ['[::1]'], ['a b'], ['h\r\nX-Injected: 1']),
    hostile.map((s) => [s]),
  ),
);

/** Authorization lines; `{KEY}` stands for the right key. */
export const authorization = fc.record({
  name: mostly(fc.constant('Authorization'), fc.constantFrom('authorization', 'AUTHORIZATION'), 8),
  values: mostly<Lines>(
    fc.constant(['Bearer {KEY}']),
    fc.oneof(
      fc.constantFrom(
        [], ['Bearer wrong'], ['bearer {KEY}'], ['Bearer {KEY}x'], ['Bearer  {KEY}'], ['Basic {KEY}'], ['{KEY}'],
        ['Bearer'], [''], [' Bearer {KEY}\t'], ['Bearer wrong', 'Bearer {KEY}'], ['Bearer {KEY}', 'Bearer wrong'],
        ['Bearer {KEY}\r\nX-Injected: 1'], ['Bearer {KEY}, Bearer {KEY}'],
      ),
      hostile.map((s) => [`Bearer ${s}`]),
    ),
    8,
  ),
});

export const tusResumable = mostly<Lines>(
  fc.constant(['1.0.0']),
  fc.oneof(
    fc.constantFrom([], ['0.2.2'], ['1.0.0', '1.0.0'], [' 1.0.0 '], ['1.0'], ['1.0.0,'], ['１.0.0'], ['1.0.0\r\nX-Injected: 1']),
    hostile.map((s) => [s]),
  ),
);

export const contentType = mostly<Lines>(
  fc.constant(['application/offset+octet-stream']),
  fc.oneof(
    fc.constantFrom(
      [], ['APPLICATION/OFFSET+OCTET-STREAM'], ['application/offset+octet-stream; charset=utf-8'],
      [' application/offset+octet-stream '], ['application/octet-stream'], ['text/plain'],
      ['multipart/form-data; boundary=x'], ['application/offset+octet-stream', 'text/plain'],
      ['text/plain', 'application/offset+octet-stream'], [''], ['application/offset+octet-stream;;;'],
    ),
    hostile.map((s) => [s]),
  ),
);

export const offset: fc.Arbitrary<OffsetChoice> = fc.record({
  base: mostly(fc.constant('known' as const), fc.constantFrom('acked' as const, 'zero' as const, 'size' as const, 'literal' as const), 8),
  delta: mostly(fc.constant(0), fc.integer({ min: -100, max: 100 }), 10),
  format: mostly(
    fc.constant('plain' as const),
    fc.constantFrom('zeros', 'spaces', 'plus', 'exponent', 'hex', 'fraction', 'fullwidth') as fc.Arbitrary<OffsetChoice['format']>,
  ),
  duplicate: mostly(fc.constant('none' as const), fc.constantFrom('same' as const, 'other' as const)),
  literal: fc.oneof(
    fc.constantFrom(
      '-1', '-0', '9007199254740992', '9007199254740993', '99999999999999999999', '18446744073709551616', '', 'NaN',
      'Infinity', '1e3', '0x10', '٣', '1_000', '0.0', `1${'0'.repeat(400)}`,
    ),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    hostile,
  ),
});

export const uploadLength = mostly<Lines>(
  fc.integer({ min: 64, max: 20_000 }).map((n) => [String(n)]),
  fc.oneof(
    fc.constantFrom([], ['0'], ['63'], ['53687091200'], ['53687091201'], ['9007199254740993'], ['-64'], ['1e4'], ['100', '100'], [' 100 ']),
    hostile.map((s) => [s]),
  ),
  4,
);

/** Spec-valid keys (printable ASCII without space or comma), including the names of Object.prototype. */
const metadataKey = fc.oneof(
  fc.stringMatching(/^[\x21-\x2b\x2d-\x7e]{1,12}$/),
  fc.constantFrom('filename', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'filetype'),
);

export const metadata: fc.Arbitrary<MetadataChoice> = fc.record({
  pairs: fc.uniqueArray(fc.tuple(metadataKey, fc.string({ maxLength: 20 })), { maxLength: 4, selector: ([key]) => key }),
  raw: mostly(
    fc.constant(undefined),
    fc.oneof(
      fc.constantFrom('k', 'k ', 'k a b', 'k !!!', 'k,k', ',', 'k d29ybGQ=,k d29ybGQ=', 'é d29ybGQ=', 'k d29y\r\nX-Injected: 1'),
      hostile,
    ),
    4,
  ),
});

/** Other header lines: CORS, overrides, forwarding, injection attempts, junk. */
export const extras = mostly<Array<[string, string]>>(
  fc.constant([]),
  fc.array(
    fc.oneof(
      fc.constantFrom<[string, string]>(
        ['Origin', 'http://evil.example'], ['Access-Control-Request-Method', 'PATCH'], ['X-HTTP-Method-Override', 'DELETE'],
        ['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-Proto', 'gopher'], ['Upload-Defer-Length', '1'],
        ['Connection', 'close'], ['Connection', 'keep-alive'], ['Cookie', 'a=b'], ['X-Long', 'x'.repeat(4000)],
      ),
      fc.tuple(fc.constantFrom('X-Injected', 'Set-Cookie', 'Location', 'X-Fuzz', 'Origin'), hostile),
      fc.tuple(mostly(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/), fc.string({ minLength: 1, maxLength: 10 }), 6), fc.string({ maxLength: 10 })),
    ),
    { minLength: 1, maxLength: 4 },
  ),
  3,
);
