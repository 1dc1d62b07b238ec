/**
 * The body of a bulk `POST /memos/` (docs/bulk-and-sftp.md, "The container format"): a `.tar.lzma` container sent raw as
 * `application/x-lzma`, or as the multipart/form-data part `file` whose own type is
 * `application/x-lzma`. The raw form is streamed into the container reader; the multipart form is
 * read whole (within the same limit) and its part handed on.
 */
import busboy from 'busboy';
import type { Request } from 'express';
import { type Rejection, reject } from '../../engine/rejections.ts';
import { readBody } from '../support.ts';

export const LZMA_TYPE = 'application/x-lzma';

/** Room for multipart boundaries and part headers on top of the container limit. */
const MULTIPART_OVERHEAD = 64 * 1024;

function tooLarge(limit: number): Rejection {
  return reject.tooLarge(`the container is larger than ${limit} bytes`);
}

/** The raw body as a stream, and the limit failure when the body broke it. */
export interface RawContainer {
  chunks: AsyncIterable<Uint8Array>;
  /**
   * Set once the body went over the limit. The container reader may report that as an unreadable
   * container (its input simply stopped); this says what really happened.
   */
  failure(): Rejection | undefined;
}

/**
 * The raw body as a stream of chunks, refusing more than `limit` bytes. A declared Content-Length
 * over the limit is refused before anything is read.
 */
export function rawContainer(request: Request, limit: number): RawContainer {
  const declared = Number(request.headers['content-length']);
  if (request.headers['content-length'] !== undefined && Number.isInteger(declared) && declared > limit) {
    throw tooLarge(limit);
  }
  let failure: Rejection | undefined;
  return {
    chunks: (async function* () {
      let size = 0;
      // Not destroyed when the reader stops early: the rest is drained and the answer still goes out
      // on a connection that stays usable.
      for await (const chunk of request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) {
          failure = tooLarge(limit);
          throw failure;
        }
        yield chunk;
      }
    })(),
    failure: () => failure,
  };
}

/** The part `file` (of type application/x-lzma) of a multipart/form-data body. */
export async function multipartContainer(request: Request, limit: number): Promise<Buffer> {
  const body = await readBody(request, limit + MULTIPART_OVERHEAD);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      limits: { fileSize: limit, parts: 20, headerPairs: 100 },
    });
  } catch (error) {
    throw malformed(error);
  }
  return new Promise<Buffer>((resolve, refuse) => {
    let found: Buffer | undefined;
    let failure: Rejection | undefined;
    const fail = (error: Rejection): void => {
      failure ??= error;
    };
    parser.on('file', (name, stream, info) => {
      stream.on('error', () => {});
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const type = info.mimeType.toLowerCase();
      if (type !== LZMA_TYPE) {
        stream.resume();
        fail(
          reject.contentTypeNotSupported(`the part "file" must have Content-Type ${LZMA_TYPE}, not ${type}`),
        );
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge(limit)));
      stream.on('end', () => {
        if (found !== undefined) {
          fail(reject.badRequest('the request has more than one part named "file"'));
        }
        found = Buffer.concat(chunks);
      });
    });
    parser.on('field', (name) => {
      if (name === 'file') {
        fail(
          reject.contentTypeNotSupported(
            `the part "file" must be a file part with Content-Type ${LZMA_TYPE}`,
          ),
        );
      }
    });
    parser.on('partsLimit', () => fail(malformed(new Error('more than 20 parts'))));
    parser.on('error', (error) => refuse(malformed(error)));
    parser.on('close', () => {
      if (failure !== undefined) refuse(failure);
      else if (found === undefined) {
        refuse(reject.containerMissing());
      } else resolve(found);
    });
    parser.end(body);
  });
}

function malformed(error: unknown): Rejection {
  return reject.malformedMultipart(error instanceof Error ? error.message : String(error));
}
