/**
 * Request bodies are taken as sent: a `Content-Encoding` (gzip, br, …) is refused instead of being
 * read as if it were the body itself. NgDP documents no compressed requests (a bulk container is
 * compressed already, as LZMA), and decoding would add a decompression bomb in front of every size
 * limit (docs/differences.md).
 */
import type { Request } from 'express';
import { reject } from '../engine/rejections.ts';

/**
 * @throws Rejection UNSUPPORTED_ENCODING when the request names a Content-Encoding other than
 *   `identity`.
 */
export function requireIdentityEncoding(request: Request): void {
  const encoding = (request.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity')
    throw reject.unsupportedEncoding(
      `Content-Encoding ${encoding.slice(0, 100)} is not supported; send the body uncompressed`,
    );
}
