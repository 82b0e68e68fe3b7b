import { describe, expect, it } from 'vitest';
import { formatUploadMetadata, headerReader, httpDate, parseNonNegativeInteger, parseUploadMetadata } from '../src/index.js';

describe('header helpers', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', undefined],
    ['-1', undefined],
    ['1.0', undefined],
    ['', undefined],
    [undefined, undefined],
    ['12345678901234567890', undefined],
  ])('parseNonNegativeInteger(%j) is %j', (value, expected) => {
    expect(parseNonNegativeInteger(value)).toBe(expected);
  });

  it('formats IMF-fixdate', () => {
    expect(httpDate(new Date(Date.UTC(2026, 4, 9, 8, 54, 55)))).toBe('Sat, 09 May 2026 08:54:55 GMT');
  });

  it('round-trips Upload-Metadata and refuses malformed values', () => {
    const metadata = { filename: 'clip ü.mp4', empty: '' };
    expect(parseUploadMetadata(formatUploadMetadata(metadata))).toEqual(metadata);
    expect(() => parseUploadMetadata('a b c')).toThrow();
    expect(() => parseUploadMetadata('a !!!')).toThrow();
    expect(() => parseUploadMetadata('a YQ==,a YQ==')).toThrow();
  });

  it('joins repeated headers so they never parse as one number', () => {
    const header = headerReader({ 'upload-offset': ['1', '2'] });
    expect(parseNonNegativeInteger(header('upload-offset'))).toBeUndefined();
  });
});
