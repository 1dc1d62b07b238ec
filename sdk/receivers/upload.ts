/**
 * The MeMo of a recipient PUSH (ngdp-api.md §5.1): multipart/form-data with one part named `file`,
 * whose filename is the bare messageUUID. Read with busboy, within the request limits, and hashed
 * (SHA-256) as it arrives, so that a redelivery can be told by its bytes without a second pass.
 */

import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type busboy from 'busboy';
import { ReceiverRefusal } from '../errors.ts';
import { admitBody, type BodySink, maskDigitRuns, parsedBody, shown, streamBody, tooLarge } from './http.ts';
import type { BodyLimits } from './limits.ts';

export interface Upload {
  /** The part's filename, when it has one. */
  filename: string | undefined;
  content: Buffer;
  /** SHA-256 of `content`, hex. */
  sha256: string;
}

const MULTIPART = /^\s*multipart\/form-data\s*(?:;|$)/i;

/** The part `file` of a multipart/form-data request, read within `limits`. */
export async function readUpload(req: IncomingMessage, limits: BodyLimits): Promise<Upload> {
  const type = req.headers['content-type'];
  if (type === undefined || !MULTIPART.test(type)) {
    throw new ReceiverRefusal(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `expected multipart/form-data with the MeMo in a part named "file", got ${shown(type)}`,
    );
  }
  // Loaded on the first upload, not with the package: most programs never receive one.
  const { default: parse } = await import('busboy');
  const parsed = parsedBody(req);
  if (parsed.found) {
    if (!Buffer.isBuffer(parsed.body)) {
      throw new ReceiverRefusal(
        500,
        'BODY_ALREADY_READ',
        'another middleware parsed the multipart body; mount this receiver before it, or use express.raw()',
      );
    }
    if (parsed.body.length > limits.maxBytes) throw tooLarge(limits.maxBytes);
    limits.claim.cover(parsed.body.length);
    const parser = new UploadParser(parse, req, limits.maxBytes, parsed.body.length);
    parser.end(parsed.body);
    return parser.result;
  }
  const declared = admitBody(req, limits);
  const parser = new UploadParser(parse, req, limits.maxBytes, declared);
  // Either may fail first: a body over a limit, or a malformed one.
  await Promise.all([streamBody(req, limits, parser.input), parser.result]);
  return parser.result;
}

/**
 * The bytes of one part, hashed as they come. With the body's length known they are copied into
 * one buffer of that size (a part is never larger than its body), so that no second copy is made
 * at the end; pages never written to are never resident.
 */
class PartContent {
  private readonly hash: Hash = createHash('sha256');
  private readonly chunks: Buffer[] = [];
  private readonly target: Buffer | undefined;
  private size = 0;

  constructor(capacity: number | undefined) {
    this.target = capacity === undefined ? undefined : Buffer.allocUnsafeSlow(capacity);
  }

  add(chunk: Buffer): void {
    this.hash.update(chunk);
    if (this.target !== undefined) chunk.copy(this.target, this.size);
    else this.chunks.push(chunk);
    this.size += chunk.length;
  }

  finish(): { content: Buffer; sha256: string } {
    const content =
      this.target === undefined ? Buffer.concat(this.chunks, this.size) : this.target.subarray(0, this.size);
    this.chunks.length = 0;
    return { content, sha256: this.hash.digest('hex') };
  }
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

  constructor(parse: typeof busboy, req: IncomingMessage, maxBytes: number, bodyLength: number | undefined) {
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = (error) => {
        this.failed = true;
        reject(error);
      };
    });
    // Settled either way by the caller; a rejection must not count as unhandled before it looks.
    this.result.catch(() => {});
    try {
      this.parser = parse({
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
      if (name !== 'file' || this.parts > 0) {
        if (name === 'file') this.parts += 1;
        stream.resume();
        return;
      }
      this.parts += 1;
      const content = new PartContent(bodyLength);
      stream.on('data', (chunk: Buffer) => content.add(chunk));
      stream.on('end', () => this.take(info.filename, content));
    });
    this.parser.on('field', (name, value) => {
      if (name !== 'file') return;
      this.parts += 1;
      const content = new PartContent(undefined);
      content.add(Buffer.from(value, 'utf8'));
      this.take(undefined, content);
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

  private take(filename: string | undefined, content: PartContent): void {
    this.upload ??= { filename, ...content.finish() };
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
  return new ReceiverRefusal(
    400,
    'MALFORMED_MULTIPART',
    `the multipart body cannot be read: ${maskDigitRuns(reason)}`,
  );
}
