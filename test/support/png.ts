/** PNG files for tests of logo uploads (and the docs blocks' `logo.png`). */
import { crc32, deflateSync } from 'node:zlib';

/** A real PNG of `width` × `height` grey pixels, `padding` bytes of an extra chunk making it larger. */
export function png(width: number, height: number, padding = 0): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let row = 0; row < height; row++) rows[row * (width + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    ...(padding > 0 ? [chunk('tEXt', Buffer.alloc(padding, 0x41))] : []),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
