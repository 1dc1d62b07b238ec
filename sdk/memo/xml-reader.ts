/**
 * Safe, bounded reading of a MeMo XML document into fast-xml-parser's ordered tree.
 *
 * fast-xml-parser needs some 40 bytes of memory per byte of text it parses, so it never sees a long
 * text. Before it runs, one scan over the input bytes
 * - rejects DOCTYPE and every other `<!…>` declaration (no entity is ever expanded), entity
 *   references other than the five XML ones, character references to non-characters, non-UTF-8
 *   encodings, UTF-8 errors and characters XML does not allow;
 * - lifts every text of {@link LIFT_THRESHOLD} bytes or more out of the document, leaving a
 *   placeholder: the character data between two tags (with any references, CDATA sections,
 *   comments and processing instructions in it) and attribute values. The reader then reads each
 *   from the input bytes, a slice at a time (xml-text.ts): a file's base64 straight into its decoded
 *   bytes, other values only up to their limit (limits.ts);
 * - drops what lies outside the root element (whitespace, comments, processing instructions);
 * - counts elements and attributes and measures names, against the reader's limits.
 * The parser then works on a document of a few kilobytes whatever the input's size: a 99 MB MeMo
 * costs its decoded files and little more, and a 99 MB label is read in slices and cut to 257
 * characters. fast-xml-parser's validator checks well-formedness (its positions are mapped back to
 * the input), and its parser builds the tree.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import { MemoParseError } from '../errors.ts';
import { MAX_MARKUP_BYTES, MAX_NAME_BYTES } from './limits.ts';
import { type ByteRange, indexOfByte, readReference } from './xml-text.ts';

/**
 * fast-xml-parser through its CommonJS build, from ES modules too: that is one bundled file, while
 * its ES module build is some 40 modules whose loading made up most of the cost of importing
 * `digitalpost/memo` (≈ 80 ms against ≈ 15 ms; docs/performance.md, "Import cost and package size").
 * Same code, same version, same types.
 */
const { XMLParser, XMLValidator } = createRequire(import.meta.url)(
  'fast-xml-parser',
) as typeof import('fast-xml-parser');

/** A node of fast-xml-parser's `preserveOrder` output: `{ [tagName]: children, ':@'?: attributes }`. */
export type XmlNode = Record<string, unknown>;

export interface XmlDocument {
  /** The root element node. */
  readonly root: XmlNode;
  /** The root element's qualified name. */
  readonly rootName: string;
  /** The input bytes (the lifted texts point into them). */
  readonly bytes: Buffer;
  /** The lifted texts; a placeholder names its text by index. */
  readonly lifted: readonly ByteRange[];
}

export interface XmlReadOptions {
  /** Most elements and attributes together; beyond it `XML_LIMIT_EXCEEDED`. */
  maxElements: number;
  /** Texts of at least this many bytes are lifted out (tests lift every text with 1). */
  liftThreshold?: number;
}

/** Texts and attribute values of at least this many bytes are lifted out before parsing. */
export const LIFT_THRESHOLD = 128;
/** Starts a placeholder, followed by the lifted text's index; U+FFFF cannot occur in an XML document. */
export const LIFTED_MARK = '\uffff';

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const ascii = new TextDecoder('latin1');

function malformed(message: string, position?: { line: number; column: number }): MemoParseError {
  return new MemoParseError('XML_MALFORMED', message, position);
}

/** Text outside the root element, worded like the parser's own well-formedness errors. */
function textOutsideRoot(position: { line: number; column: number }): MemoParseError {
  return malformed(
    `not well-formed XML at line ${position.line}, column ${position.column}: text outside the root element`,
    position,
  );
}

function limitExceeded(message: string, position?: { line: number; column: number }): MemoParseError {
  return new MemoParseError('XML_LIMIT_EXCEEDED', message, position);
}

/** Reads `input` (UTF-8 bytes or a string) into a tree, or throws {@link MemoParseError}. */
export function readXml(input: string | Uint8Array, options: XmlReadOptions): XmlDocument {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : toBuffer(input);
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw new MemoParseError('XML_ENCODING_UNSUPPORTED', 'the document is UTF-16; MeMo must be UTF-8');
  }
  if (bytes.length === start) throw malformed('the document is empty');

  const { skeleton, lifted } = scan(bytes, start, options);
  const text = utf8.decode(skeleton.bytes());

  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    const where = skeleton.positionOf(text, line, col);
    const message = msg.replace(
      /\(opened in line (\d+), col (\d+)\)/,
      (_all, openLine: string, openColumn: string) => {
        const opened = skeleton.positionOf(text, Number(openLine), Number(openColumn));
        return `(opened in line ${opened.line}, col ${opened.column})`;
      },
    );
    throw malformed(`not well-formed XML at line ${where.line}, column ${where.column}: ${message}`, where);
  }
  let nodes: XmlNode[];
  try {
    nodes = parser.parse(text) as XmlNode[];
  } catch (error) {
    // fast-xml-parser's own limits, e.g. elements nested deeper than 100 levels (a MeMo needs 8).
    throw malformed(`the document cannot be parsed: ${(error as Error).message}`);
  }
  let root: XmlNode | undefined;
  let rootName = '';
  for (const node of nodes) {
    const name = nodeName(node);
    // The scan dropped whatever lies outside the root element; text here would be a bug there.
    if (name === '#text') throw malformed('text outside the root element');
    if (root !== undefined) throw malformed(`a second root element <${name}> follows <${rootName}>`);
    root = node;
    rootName = name;
  }
  if (root === undefined) throw malformed('the document has no root element');
  return { root, rootName, bytes, lifted };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The tag name of a node (`#text` for text). */
export function nodeName(node: XmlNode): string {
  for (const key in node) if (key !== ':@') return key;
  return '';
}

/** The attributes of a node, keyed `@_name`. */
export function nodeAttributes(node: XmlNode): Record<string, string> | undefined {
  return node[':@'] as Record<string, string> | undefined;
}

/** The child nodes of an element node. */
export function nodeChildren(node: XmlNode, name: string): XmlNode[] {
  return node[name] as XmlNode[];
}

/** The index of the lifted text a placeholder names, or undefined when `text` is no placeholder. */
export function liftedIndex(text: string): number | undefined {
  return text.startsWith(LIFTED_MARK) ? Number.parseInt(text.slice(LIFTED_MARK.length), 10) : undefined;
}

const DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>$/;

/** The XML declaration `<?xml version="1.x" encoding="…" standalone="…"?>`; only UTF-8 is accepted. */
function checkDeclaration(declaration: string): void {
  const match = DECLARATION.exec(declaration);
  if (match === null)
    throw malformed(`the XML declaration is malformed: ${declaration.slice(0, 80)}`, { line: 1, column: 1 });
  const encoding = match[3];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    throw new MemoParseError(
      'XML_ENCODING_UNSUPPORTED',
      `the document declares encoding "${encoding}"; MeMo must be UTF-8`,
    );
  }
}

/** Line and column (1-based) of byte offset `at`. */
function positionOf(bytes: Buffer, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1 && i < at; i = bytes.indexOf(NEWLINE, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  // For error positions only: counts columns even in bytes that are not UTF-8.
  return { line, column: utf8.decode(bytes.subarray(lineStart, at)).length + 1 };
}

function startsWithAscii(bytes: Buffer, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function isNameEnd(byte: number | undefined): boolean {
  return byte === undefined || isWhitespace(byte) || byte === SLASH || byte === GT;
}

function isAttributeNameEnd(byte: number | undefined): boolean {
  return isNameEnd(byte) || byte === EQUALS || byte === LT || byte === 0x22 || byte === 0x27;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * The document as the XML parser sees it: the input with lifted texts replaced by placeholders and
 * what lies outside the root element dropped, kept as views of the input until {@link bytes}. It
 * maps its own offsets back to the input's, for the parser's error positions.
 */
class Skeleton {
  private readonly source: Buffer;
  private readonly parts: Buffer[] = [];
  /** Per part: its offset here, the input offset it comes from, whether it is a placeholder. */
  private readonly origins: { at: number; from: number; placeholder: boolean }[] = [];
  private size = 0;
  private cursor: number;

  constructor(source: Buffer, start: number) {
    this.source = source;
    this.cursor = start;
  }

  /** Replaces input bytes `[from, to)` by `replacement`, or drops them. */
  replace(from: number, to: number, replacement?: Buffer): void {
    this.add(this.source.subarray(this.cursor, from), this.cursor, false);
    if (replacement !== undefined) this.add(replacement, from, true);
    this.cursor = to;
  }

  bytes(): Buffer {
    this.replace(this.source.length, this.source.length);
    return this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
  }

  /** The input position of line `line`, column `column` of the skeleton's `text`. */
  positionOf(text: string, line: number, column: number): { line: number; column: number } {
    let lineStart = 0;
    for (let n = 1; n < line && lineStart !== -1; n++) {
      const newline = text.indexOf('\n', lineStart);
      lineStart = newline === -1 ? -1 : newline + 1;
    }
    const index = lineStart === -1 ? text.length : Math.min(lineStart + column - 1, text.length);
    const offset = Buffer.byteLength(text.slice(0, index));
    let origin = this.origins[0];
    for (const candidate of this.origins) {
      if (candidate.at > offset) break;
      origin = candidate;
    }
    if (origin === undefined) return { line: 1, column: 1 };
    return positionOf(this.source, origin.from + (origin.placeholder ? 0 : offset - origin.at));
  }

  private add(part: Buffer, from: number, placeholder: boolean): void {
    if (part.length === 0) return;
    if (this.size + part.length > MAX_MARKUP_BYTES) {
      throw limitExceeded(
        `the document has more than ${MAX_MARKUP_BYTES} bytes of markup (tags, and texts shorter than ${LIFT_THRESHOLD} bytes)`,
        positionOf(this.source, from),
      );
    }
    this.origins.push({ at: this.size, from, placeholder });
    this.parts.push(part);
    this.size += part.length;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const CHECK_SLICE = 1 << 16;
/** U+FFFE and U+FFFF start with these bytes in UTF-8. */
const EF_BF = Buffer.from([0xef, 0xbf]);

/** UTF-8 and the characters XML allows, over the whole input. */
function checkCharacters(source: Buffer, start: number): void {
  if (!isUtf8(source.subarray(start))) throw malformed('the document is not valid UTF-8');
  const forbidden = (at: number, code: number): MemoParseError =>
    malformed(
      `the document contains U+${code.toString(16).toUpperCase().padStart(4, '0')}, which XML does not allow`,
      positionOf(source, at),
    );
  for (let at = start; at < source.length; at += CHECK_SLICE) {
    const slice = source.toString('latin1', at, Math.min(at + CHECK_SLICE, source.length));
    const match = FORBIDDEN_CONTROL.exec(slice);
    if (match !== null) throw forbidden(at + match.index, match[0].charCodeAt(0));
  }
  for (let at = source.indexOf(EF_BF, start); at !== -1; at = source.indexOf(EF_BF, at + 1)) {
    const last = source[at + 2];
    if (last === 0xbe || last === 0xbf) throw forbidden(at, last === 0xbe ? 0xfffe : 0xffff);
  }
}

/**
 * One pass over the markup: forbidden declarations, references, limits, lifting texts and dropping
 * what lies outside the root element. Returns the skeleton to parse and the lifted texts.
 */
function scan(
  source: Buffer,
  start: number,
  options: XmlReadOptions,
): { skeleton: Skeleton; lifted: ByteRange[] } {
  const threshold = Math.max(1, options.liftThreshold ?? LIFT_THRESHOLD);
  const skeleton = new Skeleton(source, start);
  const lifted: ByteRange[] = [];
  let nodes = 0;
  let depth = 0;
  let pos = start;
  let runStart = start;
  let nextAmp = source.indexOf(AMP, start);

  const lift = (from: number, to: number): void => {
    skeleton.replace(from, to, Buffer.from(`${LIFTED_MARK}${lifted.length}`, 'utf8'));
    lifted.push({ start: from, end: to });
  };
  const count = (at: number): void => {
    if (++nodes > options.maxElements) {
      throw limitExceeded(
        `the document has more than ${options.maxElements} elements and attributes`,
        positionOf(source, at),
      );
    }
  };
  /** The end of the name starting at `from` (which ends where `isEnd` says), within the limit. */
  const nameEnd = (from: number, isEnd: (byte: number | undefined) => boolean): number => {
    let at = from;
    while (!isEnd(source[at])) {
      if (++at - from > MAX_NAME_BYTES)
        throw limitExceeded(`a name is longer than ${MAX_NAME_BYTES} bytes`, positionOf(source, from));
    }
    return at;
  };
  /** The text between two tags ends at `at`: lift it, or drop it outside the root element. */
  const endRun = (at: number): void => {
    if (at === runStart) return;
    if (depth <= 0) skeleton.replace(runStart, at);
    else if (at - runStart >= threshold) lift(runStart, at);
  };

  const checkReferences = (from: number, to: number): void => {
    if (nextAmp !== -1 && nextAmp < from) nextAmp = source.indexOf(AMP, from);
    while (nextAmp !== -1 && nextAmp < to) {
      const reference = readReference(source, nextAmp, to);
      if (reference === undefined) {
        throw malformed(
          'an "&" that does not start &lt; &gt; &amp; &apos; &quot; or a character reference (other entities are not allowed)',
          positionOf(source, nextAmp),
        );
      }
      if (!isXmlChar(reference.code))
        throw malformed(
          `a reference to a character XML cannot carry: ${ascii.decode(source.subarray(nextAmp, reference.end))}`,
          positionOf(source, nextAmp),
        );
      nextAmp = indexOfByte(source, AMP, reference.end);
    }
  };
  let nextCdataEnd = source.indexOf(']]>', start);
  /** Character data between markup: references, no "]]>", and only whitespace outside the root. */
  const checkText = (from: number, to: number): void => {
    if (depth <= 0) {
      for (let at = from; at < to; at++) {
        if (!isWhitespace(source[at])) throw textOutsideRoot(positionOf(source, at));
      }
    }
    checkReferences(from, to);
    if (nextCdataEnd !== -1 && nextCdataEnd < from) nextCdataEnd = source.indexOf(']]>', from);
    if (nextCdataEnd !== -1 && nextCdataEnd < to)
      throw malformed('"]]>" is not allowed in text', positionOf(source, nextCdataEnd));
  };
  const skipTo = (from: number, terminator: string, what: string): number => {
    const end = source.indexOf(terminator, from);
    if (end === -1) throw malformed(`unterminated ${what}`, positionOf(source, from));
    return end + terminator.length;
  };
  /** The `>` ending the start tag at `lt` when its attributes cannot be told apart; the parser says why. */
  const plainTagEnd = (lt: number, from: number): number => {
    let quote = 0;
    for (let at = from; at < source.length; at++) {
      const byte = source[at];
      if (quote !== 0) {
        if (byte === quote) quote = 0;
      } else if (byte === 0x22 || byte === 0x27) quote = byte as number;
      else if (byte === GT) return at;
    }
    throw malformed('unterminated start tag', positionOf(source, lt));
  };
  /** Reads the start tag at `lt`: counts it and its attributes, lifts long values; returns its `>`. */
  const startTag = (lt: number): number => {
    let at = nameEnd(lt + 1, isNameEnd);
    count(lt);
    for (;;) {
      while (isWhitespace(source[at])) at++;
      const byte = source[at];
      if (byte === GT || (byte === SLASH && source[at + 1] === GT)) return byte === GT ? at : at + 1;
      const attributeStart = at;
      at = nameEnd(at, isAttributeNameEnd);
      if (at === attributeStart) return plainTagEnd(lt, at);
      while (isWhitespace(source[at])) at++;
      if (source[at] !== EQUALS) return plainTagEnd(lt, at);
      at++;
      while (isWhitespace(source[at])) at++;
      const quote = source[at];
      if (quote !== 0x22 && quote !== 0x27) return plainTagEnd(lt, at);
      const valueEnd = source.indexOf(quote, at + 1);
      if (valueEnd === -1) throw malformed('unterminated start tag', positionOf(source, lt));
      count(attributeStart);
      checkReferences(at + 1, valueEnd);
      if (valueEnd - (at + 1) >= threshold) lift(at + 1, valueEnd);
      at = valueEnd + 1;
    }
  };

  for (;;) {
    const lt = source.indexOf(LT, pos);
    checkText(pos, lt === -1 ? source.length : lt);
    if (lt === -1) {
      endRun(source.length);
      break;
    }
    const next = source[lt + 1];
    if (next === BANG) {
      if (startsWithAscii(source, lt, '<!--')) {
        pos = skipTo(lt + 4, '-->', 'comment');
        const doubleHyphen = source.indexOf('--', lt + 4);
        if (doubleHyphen < pos - 3 || (pos - 7 > lt && source[pos - 4] === 0x2d)) {
          throw malformed('"--" is not allowed inside a comment', positionOf(source, lt));
        }
      } else if (startsWithAscii(source, lt, '<![CDATA[')) {
        if (depth <= 0) throw textOutsideRoot(positionOf(source, lt));
        pos = skipTo(lt + 9, ']]>', 'CDATA section');
      } else {
        const what = startsWithAscii(source, lt, '<!DOCTYPE') ? 'a DOCTYPE' : 'a markup declaration';
        throw new MemoParseError(
          'XML_FORBIDDEN_MARKUP',
          `the document contains ${what}; DOCTYPEs and entity declarations are not allowed in a MeMo`,
          positionOf(source, lt),
        );
      }
      continue;
    }
    if (next === QUESTION) {
      pos = skipTo(lt + 2, '?>', 'processing instruction');
      let targetEnd = lt + 2;
      while (!isNameEnd(source[targetEnd]) && source[targetEnd] !== QUESTION) targetEnd++;
      if (ascii.decode(source.subarray(lt + 2, targetEnd)).toLowerCase() === 'xml') {
        if (lt !== start)
          throw malformed(
            'an XML declaration is allowed only at the start of the document',
            positionOf(source, lt),
          );
        checkDeclaration(ascii.decode(source.subarray(lt, pos)));
      }
      continue;
    }
    endRun(lt);
    if (next === SLASH) {
      nameEnd(lt + 2, isNameEnd);
      pos = skipTo(lt + 2, '>', 'end tag');
      depth--;
    } else {
      const nextLt = source.indexOf(LT, lt + 1);
      const tagEnd = startTag(lt);
      if (nextLt !== -1 && nextLt < tagEnd) throw malformed('a "<" inside a tag', positionOf(source, nextLt));
      if (source[tagEnd - 1] !== SLASH) depth++;
      pos = tagEnd + 1;
    }
    runStart = pos;
  }
  checkCharacters(source, start);
  return { skeleton, lifted };
}
