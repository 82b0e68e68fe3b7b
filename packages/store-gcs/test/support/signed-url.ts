import { createHash, generateKeyPairSync, verify } from 'node:crypto';

/** A throwaway service-account key: enough for the client to sign URLs locally. */
export interface FakeServiceAccount {
  credentials: { client_email: string; private_key: string };
  publicKey: string;
}

/**
 * Generates an RSA key pair posing as a service account's key.
 *
 * @example
 * ```ts
 * const account = fakeServiceAccount();
 * new Storage({ apiEndpoint, credentials: account.credentials });
 * ```
 */
export function fakeServiceAccount(): FakeServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { credentials: { client_email: 'uploads@tuskit-test.iam.gserviceaccount.com', private_key: privateKey }, publicKey };
}

/**
 * Checks a V4 signed URL the way GCS would (GOOG4-RSA-SHA256, only `host`
 * signed, unsigned payload), since the emulator does not verify signatures.
 * Built from GCS's documentation of the canonical request, not from the client.
 *
 * @example
 * ```ts
 * expect(isValidV4Signature(new URL(url), account.publicKey)).toBe(true);
 * ```
 */
export function isValidV4Signature(url: URL, publicKey: string): boolean {
  const params = [...url.searchParams].filter(([key]) => key !== 'X-Goog-Signature');
  const query = params
    .map(([key, value]) => [strictEncode(key), strictEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalRequest = ['GET', url.pathname, query, `host:${url.hostname}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const credential = url.searchParams.get('X-Goog-Credential') ?? '';
  const scope = credential.slice(credential.indexOf('/') + 1);
  const stringToSign = [
    'GOOG4-RSA-SHA256',
    url.searchParams.get('X-Goog-Date'),
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const signature = Buffer.from(url.searchParams.get('X-Goog-Signature') ?? '', 'hex');
  return verify('RSA-SHA256', Buffer.from(stringToSign), publicKey, signature);
}

/** RFC 3986 percent-encoding, as the canonical query string requires. */
function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
