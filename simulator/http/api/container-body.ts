/**
 * The body of a bulk `POST /memos/` (docs/bulk-and-sftp.md, "The container format"): a `.tar.lzma` container sent raw as
 * `application/x-lzma`, or as the multipart/form-data part `file` whose own type is
 * `application/x-lzma`. Either is read whole (within the container limit, held against the memory
 * budget) and handed to the engine, which decompresses it on a worker thread.
 */
import busboy from 'busboy';
import type { Request } from 'express';
import type { Hold } from '../../engine/memory-budget.ts';
import { type Rejection, reject } from '../../engine/rejections.ts';
import { readBody } from '../support.ts';

export const LZMA_TYPE = 'application/x-lzma';

/** Room for multipart boundaries and part headers on top of the container limit. */
const MULTIPART_OVERHEAD = 64 * 1024;

function tooLarge(limit: number): Rejection {
  return reject.tooLarge(`the part "file" is larger than ${limit} bytes`);
}

/** The raw body (`application/x-lzma`), refusing more than `limit` bytes. */
export function rawContainer(request: Request, limit: number, hold: Hold): Promise<Buffer> {
  return readBody(request, limit, 'the container', hold);
}

/**
 * The part `file` (of type application/x-lzma) of a multipart/form-data body. The body and the
 * part's copy of it are both held against `hold`.
 */
export function multipartContainer(request: Request, limit: number, hold: Hold): Promise<Buffer> {
  return multipartFile(request, limit, hold, LZMA_TYPE);
}

/** The part `file` of a multipart upload, with the name and type its part header gave. */
export interface UploadedFile {
  data: Buffer;
  filename: string;
  mimeType: string;
}

/**
 * The part `file` of a multipart/form-data body (of type `type`, when given): NgDP's uploads of
 * containers, SSH keys and certificates. The body and the part's copy of it are both held against
 * `hold`.
 */
export async function multipartFile(
  request: Request,
  limit: number,
  hold: Hold,
  type?: string,
): Promise<Buffer> {
  return (await multipartUpload(request, limit, hold, type)).data;
}

/** {@link multipartFile} with the part's file name and type (documentation uploads keep them). */
export async function multipartUpload(
  request: Request,
  limit: number,
  hold: Hold,
  type?: string,
): Promise<UploadedFile> {
  if (!request.headers['content-type']?.toLowerCase().startsWith('multipart/form-data')) {
    request.resume();
    throw reject.contentTypeNotSupported('the body must be multipart/form-data with a part named "file"');
  }
  const body = await readBody(request, limit + MULTIPART_OVERHEAD, 'the multipart body', hold);
  hold.grow(body.length);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      limits: { fileSize: limit, parts: 20, headerPairs: 100 },
    });
  } catch (error) {
    throw malformed(error);
  }
  return new Promise<UploadedFile>((resolve, refuse) => {
    let found: UploadedFile | undefined;
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
      const partType = info.mimeType.toLowerCase();
      if (type !== undefined && partType !== type) {
        stream.resume();
        fail(
          reject.contentTypeNotSupported(`the part "file" must have Content-Type ${type}, not ${partType}`),
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
        found = { data: Buffer.concat(chunks), filename: info.filename ?? '', mimeType: partType };
      });
    });
    parser.on('field', (name) => {
      if (name === 'file') {
        fail(
          reject.contentTypeNotSupported(
            `the part "file" must be a file part${type === undefined ? '' : ` with Content-Type ${type}`}`,
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
