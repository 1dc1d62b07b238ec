/**
 * The transcript: every request systems made to the simulator (NgDP's API over HTTP, SFTP
 * requests) and every call the simulator made to systems (pushes), in the order they ended — the
 * evidence by which a conformance suite judges a system. It is kept in memory, the last
 * `transcriptSize` entries (a ring), and emptied by a reset; sequence numbers go on across resets,
 * so a reader's cursor never meets an old number again.
 *
 * No API key and no body is ever kept: of a body its size and SHA-256, of the key only where it
 * showed (`credentials`). The adapters open a {@link Note} when a request starts and end it when it
 * is answered (or not); the engine's pushes do the same.
 */
import { createHash, type Hash } from 'node:crypto';
import { keyShapesIn, parseAuthorization, presentedKeyForms, secretMatches } from '../domain/auth.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';

/**
 * What a fault rule or chaos did to the call: closed the connection before or after doing it,
 * answered with a status of its own (an SFTP `FAILURE` too), only delayed it, or chaos's 503.
 */
export type TranscriptFault = 'drop-before' | 'drop-after' | 'status' | 'delay' | 'chaos-503';

/**
 * Where the caller's API key showed: only in the Authorization header, anywhere else (the URL,
 * another header, the start of the body), or nowhere.
 */
export type CredentialsPlace = 'authorization' | 'elsewhere' | 'none';

export interface TranscriptEntry {
  /** 1, 2, 3 … in the order entries ended; never used twice, also across resets. */
  seq: number;
  /** Simulator time when the request began. */
  at: number;
  /** Real time when the request began (epoch ms). */
  wallAt: number;
  /** `in`: a system called the simulator; `out`: the simulator called a system. */
  direction: 'in' | 'out';
  channel: 'http' | 'sftp';
  /** The system that called or was called; null when a caller could not be told. */
  systemId: string | null;
  /** `"POST /memos/"`, `"GET /memos/{id}"`, `"PUSH memo"`, `"SFTP RENAME"`, … */
  operation: string;
  /** The HTTP method; null for SFTP. */
  method: string | null;
  /** HTTP: the path with its query (in) or the endpoint URL (out); SFTP: the remote path. */
  path: string;
  /** HTTP status, or SFTP status code; null when no answer came (dropped, cut off, timed out). */
  status: number | null;
  /** Real milliseconds from the start of the request to its answer (or its end). */
  durationMs: number;
  messageUUID: string | null;
  /** Size of the request body (in) or of the pushed MeMo or receipt (out); null when none was read. */
  bodyBytes: number | null;
  /** SHA-256 (hex) of those bytes. */
  bodySha256: string | null;
  /** The ErrorMessage code answered (in), the pushed receipt's errorCode, an SFTP error file's code. */
  code: string | null;
  fault: TranscriptFault | null;
  credentials: CredentialsPlace;
}

/** The transcript's operation for an SFTP login attempt (no fault rule names it). */
export const SFTP_LOGIN = 'SFTP LOGIN';

/** The entries a reader asks for: after a sequence number, of one system, at most `limit`. */
export interface TranscriptQuery {
  systemId?: string | undefined;
  after?: number | undefined;
  limit?: number | undefined;
}

/** The most entries one read returns, and how many without a `limit`. */
export const MAX_TRANSCRIPT_PAGE = 10_000;
export const DEFAULT_TRANSCRIPT_PAGE = 1_000;
/** Paths are kept up to this length. */
const MAX_PATH = 2_000;
/** How much of a request body is searched for the caller's API key. */
const BODY_START = 16 * 1024;
const REDACTED = '[REDACTED]';

/** What a note needs of the transcript. */
interface NoteSink {
  now(): number;
  wallTime(): number;
  /** Numbers the entry (its `seq`) and keeps it. */
  append(entry: TranscriptEntry): void;
}

/** The fields of an entry that are known when its request starts. */
export interface NoteStart {
  direction: 'in' | 'out';
  channel: 'http' | 'sftp';
  systemId?: string | undefined;
  operation: string;
  method?: string | undefined;
  path: string;
  messageUUID?: string | undefined;
  code?: string | undefined;
  /** Where credentials showed, when the kind of request decides it at once (default `none`). */
  credentials?: CredentialsPlace;
}

/**
 * One request under way: what becomes known about it is set on it, and {@link Note.end} appends
 * its entry (once; later ends are ignored).
 */
export class Note {
  systemId: string | undefined;
  messageUUID: string | undefined;
  code: string | undefined;
  fault: TranscriptFault | undefined;
  protected readonly start: NoteStart;
  protected readonly sink: NoteSink;
  private readonly at: number;
  private readonly wallAt: number;
  private hash: Hash | undefined;
  private bytes = 0;
  private digest: string | undefined;
  private ended = false;

  constructor(sink: NoteSink, start: NoteStart) {
    this.sink = sink;
    this.start = start;
    this.systemId = start.systemId;
    this.messageUUID = start.messageUUID;
    this.code = start.code;
    this.at = sink.now();
    this.wallAt = sink.wallTime();
  }

  /** A piece of the request's body as it is read (hashed on the way, never kept). */
  body(chunk: Uint8Array): void {
    this.hash ??= createHash('sha256');
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  /** The body was read to its end (an empty one too). */
  bodyEnd(): void {
    this.hash ??= createHash('sha256');
  }

  /** The body is known whole already: its size and SHA-256 (a pushed MeMo's, from its content hash). */
  bodyKnown(bytes: number, sha256: string): void {
    this.bytes = bytes;
    this.digest = sha256;
  }

  /** Appends the entry: `status` answered, or null when no answer went (or came) back. */
  end(status: number | null): void {
    if (this.ended) return;
    this.ended = true;
    const read = this.digest !== undefined || this.hash !== undefined;
    const { systemId, path, messageUUID, credentials } = this.finish();
    // One literal of a fixed shape: 100,000 of them are kept, so each must stay small.
    this.sink.append({
      seq: 0,
      at: this.at,
      wallAt: this.wallAt,
      direction: this.start.direction,
      channel: this.start.channel,
      systemId,
      operation: this.start.operation,
      method: this.start.method ?? null,
      path: path.length > MAX_PATH ? path.slice(0, MAX_PATH) : path,
      status,
      durationMs: Math.max(0, Math.round(this.sink.wallTime() - this.wallAt)),
      messageUUID,
      bodyBytes: read ? this.bytes : null,
      bodySha256: this.digest ?? this.hash?.digest('hex') ?? null,
      code: this.code ?? null,
      fault: this.fault ?? null,
      credentials,
    });
  }

  /** What a kind of note decides at its end (a call into NgDP's API: where its credentials showed). */
  protected finish(): Pick<TranscriptEntry, 'systemId' | 'path' | 'messageUUID' | 'credentials'> {
    return {
      systemId: this.systemId ?? null,
      path: this.start.path,
      messageUUID: this.messageUUID ?? null,
      credentials: this.start.credentials ?? 'none',
    };
  }
}

/** A call into NgDP's API as it starts. */
export interface IncomingCall {
  operation: string;
  method: string;
  /** The path with its query, as sent. */
  path: string;
  messageUUID: string | undefined;
  /** The Authorization header; read to find its key elsewhere, never kept. */
  authorization: string | undefined;
  /** The header lines as sent, names and values alternating (`rawHeaders`). */
  rawHeaders: readonly string[];
}

/**
 * A call into NgDP's API: besides the rest, where its API key showed. The key presented in the
 * Authorization header is looked for in the path, the other headers and the start of the body;
 * without one, a key-shaped string anywhere that is a system's real key counts (and names the
 * system). A key found is cut out of the path kept.
 */
export class CallNote extends Note {
  private readonly call: IncomingCall;
  private readonly systemKnown: (systemId: string, secret: string | undefined) => boolean;
  /** The forms of the key presented in the Authorization header; undefined without one. */
  private readonly forms: string[] | undefined;
  /** Those forms found in the start of the body so far. */
  private readonly inBody = new Set<string>();
  /** Without a presented key: the start of the body, to search for any system's key at the end. */
  private readonly bodyStart: Buffer[] = [];
  private bodyStartBytes = 0;

  constructor(
    sink: NoteSink,
    call: IncomingCall,
    systemKnown: (systemId: string, secret: string | undefined) => boolean,
  ) {
    super(sink, {
      direction: 'in',
      channel: 'http',
      operation: call.operation,
      method: call.method,
      path: call.path,
      messageUUID: call.messageUUID,
    });
    this.call = call;
    this.systemKnown = systemKnown;
    this.forms = presentedKeyForms(call.authorization);
  }

  override body(chunk: Uint8Array): void {
    super.body(chunk);
    if (this.bodyStartBytes >= BODY_START) return;
    const part = chunk.subarray(0, BODY_START - this.bodyStartBytes);
    this.bodyStartBytes += part.byteLength;
    const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    // A presented key is looked for as the body is read; otherwise the start is kept (a copy: the
    // body's own bytes may go to another thread) for the search of the end.
    if (this.forms === undefined) this.bodyStart.push(Buffer.from(bytes));
    else for (const form of this.forms) if (bytes.includes(form)) this.inBody.add(form);
  }

  protected override finish(): Pick<TranscriptEntry, 'systemId' | 'path' | 'messageUUID' | 'credentials'> {
    const { call, forms } = this;
    const decoded = call.path.includes('%') ? decodedOrUndefined(call.path) : undefined;
    let shown: string[] = [];
    let owner: string | undefined;
    if (forms !== undefined) {
      shown = forms.filter(
        (form) =>
          this.inBody.has(form) ||
          holds(call.path, form) ||
          (decoded !== undefined && holds(decoded, form)) ||
          headersHold(call.rawHeaders, form),
      );
    } else {
      // No key where it belongs: one elsewhere is recognised by its shape and checked.
      const texts = [call.path, decoded ?? '', ...headersBut(call.rawHeaders)];
      texts.push(Buffer.concat(this.bodyStart).toString('latin1'));
      this.bodyStart.length = 0;
      for (const text of texts) {
        const key = keyShapesIn(text).find((shape) => this.systemKnown(shape.systemId, shape.secret));
        if (key === undefined) continue;
        shown = [key.shown, key.secret];
        owner = key.systemId;
        break;
      }
    }
    const credentials: CredentialsPlace =
      shown.length > 0 ? 'elsewhere' : call.authorization === undefined ? 'none' : 'authorization';
    const messageUUID = this.messageUUID;
    return {
      systemId: this.systemId ?? owner ?? this.claimed() ?? null,
      path: redacted(call.path, decoded, shown),
      messageUUID: messageUUID === undefined || shown.includes(messageUUID) ? null : messageUUID,
      credentials,
    };
  }

  /** The system a Basic header names, when there is one by that id (its key may still be wrong). */
  private claimed(): string | undefined {
    const systemId = parseAuthorization(this.call.authorization)?.systemId;
    return systemId !== undefined && this.systemKnown(systemId, undefined) ? systemId : undefined;
  }
}

/** Whether `text` holds `form` (most texts are too short to: no search then). */
function holds(text: string, form: string): boolean {
  return text.length >= form.length && text.includes(form);
}

/** Whether a header name, or a value of any header but Authorization, holds `form`. */
function headersHold(rawHeaders: readonly string[], form: string): boolean {
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    if (holds(name, form)) return true;
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') {
      if (holds(rawHeaders[index + 1] as string, form)) return true;
    }
  }
  return false;
}

function decodedOrUndefined(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** Every header name and value but the Authorization header's value. */
function headersBut(rawHeaders: readonly string[]): string[] {
  const texts: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    texts.push(name);
    if (name.toLowerCase() !== 'authorization') texts.push(rawHeaders[index + 1] as string);
  }
  return texts;
}

/** The path with every `shown` string cut out (from its decoded form when only that shows one). */
function redacted(path: string, decoded: string | undefined, shown: readonly string[]): string {
  if (shown.length === 0) return path;
  let result = shown.some((text) => !path.includes(text) && decoded?.includes(text))
    ? (decoded as string)
    : path;
  // A key's base64 padding goes with it.
  for (const text of shown)
    result = result.replace(new RegExp(`${escapeRegExp(text)}(?:=|%3D){0,2}`, 'gi'), REDACTED);
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export class Transcript {
  private readonly context: EngineContext;
  private readonly capacity: number;
  private readonly ring: Array<TranscriptEntry | undefined>;
  private nextSeq = 1;
  private size = 0;
  private readonly sink: NoteSink;

  constructor(context: EngineContext) {
    this.context = context;
    this.capacity = context.settings.transcriptSize;
    this.ring = new Array(this.capacity);
    this.sink = {
      now: () => context.now(),
      wallTime: () => context.wallTime(),
      append: (entry) => this.append(entry),
    };
  }

  /** Starts the entry of a call into NgDP's API. */
  call(call: IncomingCall): CallNote {
    return new CallNote(this.sink, call, (systemId, secret) => {
      const system = this.context.store.getSystem(systemId);
      return secret === undefined ? system !== undefined : secretMatches(system, secret);
    });
  }

  /** Starts the entry of an SFTP request by the logged-in system (its key login: `authorization`). */
  sftp(start: { systemId: string; operation: string; path: string; messageUUID?: string | undefined }): Note {
    return new Note(this.sink, { ...start, direction: 'in', channel: 'sftp', credentials: 'authorization' });
  }

  /**
   * Records an SFTP login attempt that decided something: a signed public-key login accepted (SFTP
   * status 0), or any attempt refused (3, `UNAUTHENTICATED`) — a password, another method, a key
   * not registered. The client's `none` probe and its question whether a key would do are not
   * attempts. `path` is the method; `systemId` the system the user name is, when there is one.
   */
  sftpLogin(attempt: { systemId: string | undefined; method: string; accepted: boolean }): void {
    const { systemId, method, accepted } = attempt;
    new Note(this.sink, {
      direction: 'in',
      channel: 'sftp',
      systemId,
      operation: SFTP_LOGIN,
      path: method,
      credentials: accepted ? 'authorization' : 'none',
      ...(accepted ? {} : { code: 'UNAUTHENTICATED' }),
    }).end(accepted ? 0 : 3);
  }

  /** Starts the entry of a call the simulator makes to a system's endpoint. */
  push(start: {
    systemId: string;
    operation: string;
    url: string;
    messageUUID?: string | undefined;
    code?: string | undefined;
  }): Note {
    const { url, ...rest } = start;
    return new Note(this.sink, {
      ...rest,
      direction: 'out',
      channel: 'http',
      method: 'POST',
      path: withoutUserInfo(url),
    });
  }

  /**
   * The entries after `after` (default 0: all kept), of `systemId` when given, at most `limit`
   * (default 1,000; at most 10,000), oldest first; `next` is the last one's `seq` (or `after` when
   * there is none), to ask for what follows.
   *
   * @throws Rejection INVALID_PARAMETER for a negative `after` or a `limit` outside 1..10,000.
   */
  list(query: TranscriptQuery = {}): { entries: TranscriptEntry[]; next: number } {
    const after = query.after ?? 0;
    const limit = query.limit ?? DEFAULT_TRANSCRIPT_PAGE;
    if (!Number.isSafeInteger(after) || after < 0)
      throw reject.invalidParameter('after', 'must be a sequence number (an integer from 0)', after);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRANSCRIPT_PAGE)
      throw reject.invalidParameter('limit', `must be an integer from 1 to ${MAX_TRANSCRIPT_PAGE}`, limit);
    const systemId = query.systemId?.toLowerCase();
    const entries: TranscriptEntry[] = [];
    const oldest = this.nextSeq - this.size;
    for (let seq = Math.max(after + 1, oldest); seq < this.nextSeq && entries.length < limit; seq++) {
      const entry = this.ring[seq % this.capacity] as TranscriptEntry;
      if (systemId === undefined || entry.systemId === systemId) entries.push(entry);
    }
    return { entries, next: entries.at(-1)?.seq ?? after };
  }

  /** Forgets every entry (a reset); numbering goes on. */
  clear(): void {
    this.ring.fill(undefined);
    this.size = 0;
  }

  private append(entry: TranscriptEntry): void {
    if (this.capacity === 0) return;
    entry.seq = this.nextSeq++;
    this.ring[entry.seq % this.capacity] = entry;
    this.size = Math.min(this.size + 1, this.capacity);
  }
}

/** A URL without `user:password@`, which is the endpoint owner's secret. */
function withoutUserInfo(url: string): string {
  const at = url.indexOf('@');
  if (at === -1) return url;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
