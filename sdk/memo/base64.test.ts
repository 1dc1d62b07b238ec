import { describe, expect, it } from 'vitest';
import { Base64Decoder, decodeBase64 } from './base64.ts';

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

  it('decodes text handed to it in pieces of any size, split anywhere', () => {
    const data = Buffer.alloc(5 * 1024 * 1024 + 7);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const text = data.toString('base64').replace(/.{76}/g, '$&\r\n');
    const decoder = new Base64Decoder(text.length);
    for (let at = 0, size = 1; at < text.length; at += size, size = (size * 7 + 3) % 200_003)
      decoder.write(text.slice(at, at + size));
    const result = decoder.end();
    expect(result.ok && Buffer.from(result.bytes).equals(data)).toBe(true);
  });
});
