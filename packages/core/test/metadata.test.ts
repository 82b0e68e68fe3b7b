// Metadata keys are checked where they enter (createUpload, the creation POST) and Upload-Metadata values
// are strict base64: nothing is stored that a HEAD could not send back as it came.
import { describe, expect, it } from 'vitest';
import { createTus, isTusError, MemoryStore, parseUploadMetadata } from '../src/index.js';

const tus = () => createTus({ store: new MemoryStore(), basePath: '/v1/uploads', publicUrl: 'https://api.example.com' });

describe('metadata keys and values', () => {
  it.each(['bad\r\nkey', 'two words', 'a,b', 'clé', '', 'tab\tkey'])('createUpload refuses the key %j with invalid_metadata', async (key) => {
    const error = await tus().createUpload({ size: 100, metadata: { [key]: 'x' } }).catch((e: unknown) => e);
    expect(isTusError(error) && [error.code, error.status]).toEqual(['invalid_metadata', 400]);
  });

  it('createUpload keeps valid keys, and a HEAD sends them back', async () => {
    const engine = tus();
    const { id } = await engine.createUpload({ size: 100, metadata: { filename: 'take 1.mp4', 'x-owner_7': 'u7' } });
    const head = await engine.handle({ method: 'HEAD', path: `/v1/uploads/${id}`, header: (n) => (n === 'tus-resumable' ? '1.0.0' : undefined), context: undefined });
    expect(head.status).toBe(200);
    expect(parseUploadMetadata(head.headers['Upload-Metadata'])).toEqual({ filename: 'take 1.mp4', 'x-owner_7': 'u7' });
  });

  it.each([
    'filename d29ybGQ', // padding missing
    'filename d29ybGR=', // unused bits set: decodes to the same bytes as d29ybGQ=
    'filename d29y bGQ=',
    'filename d29ybGQ==',
    'filename d2-ybGQ=',
  ])('Upload-Metadata %j is refused', (header) => {
    expect(() => parseUploadMetadata(header)).toThrow('malformed Upload-Metadata');
  });

  it('accepts canonical base64 and keys without a value', () => {
    expect({ ...parseUploadMetadata('filename d29ybGQ=,is_confidential') }).toEqual({ filename: 'world', is_confidential: '' });
  });
});
