/**
 * The MeMo of a recipient PUSH (ngdp-api.md §5.1): multipart/form-data with one part named `file`,
 * whose filename is the bare messageUUID. Read with busboy, within a size limit.
 */

import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ReceiverRefusal } from '../errors.ts';
import { type BodySink, parsedBody, shown, streamBody, tooLarge } from './http.ts';

export interface Upload {
  /** The part's filename, when it has one. */
  filename: string | undefined;
  content: Buffer;
}

const MULTIPART = /^\s*multipart\/form-data\s*(?:;|$)/i;

/** The part `file` of a multipart/form-data request whose body is at most `maxBytes`. */
export async function readUpload(req: IncomingMessage, maxBytes: number): Promise<Upload> {
  const type = req.headers['content-type'];
  if (type === undefined || !MULTIPART.test(type)) {
    throw new ReceiverRefusal(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `expected multipart/form-data with the MeMo in a part named "file", got ${shown(type)}`,
    );
  }
  const parser = new UploadParser(req, maxBytes);
  const parsed = parsedBody(req);
  if (parsed.found) {
    if (!Buffer.isBuffer(parsed.body)) {
      throw new ReceiverRefusal(
        500,
        'BODY_ALREADY_READ',
        'another middleware parsed the multipart body; mount this receiver before it, or use express.raw()',
      );
    }
    if (parsed.body.length > maxBytes) throw tooLarge(maxBytes);
    parser.end(parsed.body);
  } else {
    // Either may fail first: a body over the limit, or a malformed one.
    await Promise.all([streamBody(req, maxBytes, parser.input), parser.result]);
  }
  return parser.result;
}

/** busboy collecting the one part `file` (a file part, or a plain field without a filename). */
class UploadParser {
  readonly result: Promise<Upload>;
  private readonly parser: busboy.Busboy;
  private upload: Upload | undefined;
  private parts = 0;
  private failed = false;
  private resolve: (upload: Upload) => void = () => {};
  private reject: (error: unknown) => void = () => {};

  constructor(req: IncomingMessage, maxBytes: number) {
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = (error) => {
        this.failed = true;
        reject(error);
      };
    });
    try {
      this.parser = busboy({
        headers: req.headers,
        // The body limit bounds every part; a field `file` may be as large as the body.
        limits: { fieldSize: maxBytes, parts: 100, headerPairs: 100 },
      });
    } catch (error) {
      throw malformed(error);
    }
    this.parser.on('file', (name, stream, info) => {
      // busboy destroys an unfinished part's stream with the parser's own error, reported below.
      stream.on('error', () => {});
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => this.take({ filename: info.filename, content: Buffer.concat(chunks) }));
    });
    this.parser.on('field', (name, value) => {
      if (name === 'file') this.take({ filename: undefined, content: Buffer.from(value, 'utf8') });
    });
    this.parser.on('partsLimit', () => this.reject(malformed(new Error('more than 100 parts'))));
    this.parser.on('error', (error) => this.reject(malformed(error)));
    this.parser.on('close', () => this.finish());
  }

  /** Where the body goes; once the parser has failed, the rest of it is dropped. */
  readonly input: BodySink = {
    write: (chunk) => this.failed || this.parser.write(chunk),
    end: () => this.parser.end(),
    once: (event, listener) => this.parser.once(event, listener),
  };

  end(body: Buffer): void {
    this.parser.end(body);
  }

  private take(upload: Upload): void {
    this.parts += 1;
    this.upload ??= upload;
  }

  private finish(): void {
    if (this.parts > 1) {
      this.reject(
        new ReceiverRefusal(400, 'MEMO_AMBIGUOUS', 'the request has more than one part named "file"'),
      );
    } else if (this.upload === undefined) {
      // NgDP's reference recipient answers exactly this.
      this.reject(new ReceiverRefusal(400, 'MEMO_MISSING', 'MeMo is not present in request'));
    } else this.resolve(this.upload);
  }
}

function malformed(error: unknown): ReceiverRefusal {
  const reason = error instanceof Error ? error.message : String(error);
  return new ReceiverRefusal(400, 'MALFORMED_MULTIPART', `the multipart body cannot be read: ${reason}`);
}
