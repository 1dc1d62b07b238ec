import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Bytes } from './base64.ts';

describe('strict base64 decoding', () => {
  it.each([
    ['', ''],
    ['QUJD', 'ABC'],
    ['QUI=', 'AB'],
    ['QQ==', 'A'],
    [' Q U\nJD \t', 'ABC'],
  ])('decodes %j', (text, expected) => {
    const result = decodeBase64(text);
    expect(result.ok && Buffer.from(result.bytes).toString()).toBe(expected);
  });

  it.each(['QUJ', 'QUJ=', 'QR==', '=QUJ', 'QU=D', 'QUJD====', 'QUJD!', 'QUJDQQ=', 'QUJDé'])(
    'rejects %j',
    (text) => {
      expect(decodeBase64(text).ok).toBe(false);
    },
  );

  it('names the offending character', () => {
    expect(decodeBase64('QU*D')).toEqual({ ok: false, reason: 'it contains the character "*"' });
  });

  it('decodes across chunk boundaries from bytes', () => {
    const data = Buffer.alloc(5 * 1024 * 1024 + 7);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const text = Buffer.from(data.toString('base64').replace(/.{76}/g, '$&\r\n'));
    const result = decodeBase64Bytes(text, 0, text.length);
    expect(result.ok && Buffer.from(result.bytes).equals(data)).toBe(true);
  });
});
