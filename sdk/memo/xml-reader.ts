/**
 * Safe, bounded reading of a MeMo XML document into fast-xml-parser's ordered tree.
 *
 * Before fast-xml-parser sees the text, one scan over the bytes
 * - rejects DOCTYPE and every other `<!…>` declaration (no entity is ever expanded), entity
 *   references other than the five XML ones, character references to non-characters, non-UTF-8
 *   encodings and UTF-8 errors;
 * - lifts the text of large `content` elements (the base64 files) out of the document, leaving a
 *   placeholder. The parser then works on a document of a few kilobytes whatever the attachment
 *   sizes, and the files are decoded straight from the input bytes. That keeps a 99 MB MeMo at a
 *   few copies of itself in memory and makes parsing it take milliseconds instead of seconds.
 * fast-xml-parser's validator then checks well-formedness, and its parser builds the tree.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MemoParseError } from '../errors.ts';

/** A node of fast-xml-parser's `preserveOrder` output: `{ [tagName]: children, ':@'?: attributes }`. */
export type XmlNode = Record<string, unknown>;

/** A `content` text lifted out of the document: bytes `[start, end)` of the input. */
export interface LiftedText {
  readonly start: number;
  readonly end: number;
}

export interface XmlDocument {
  /** The root element node. */
  readonly root: XmlNode;
  /** The root element's qualified name. */
  readonly rootName: string;
  /** The input bytes (the lifted texts point into them). */
  readonly bytes: Uint8Array;
  readonly lifted: readonly LiftedText[];
}

/** Text of at least this many bytes in a `content` element is lifted out before parsing. */
const LIFT_THRESHOLD = 512;
/** Marks a lifted text in the parsed tree; U+FFFF cannot occur in an XML document. */
export const LIFTED_MARK = '\uffff';

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
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

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** For error positions only: counts columns even in bytes that are not UTF-8. */
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const ascii = new TextDecoder('latin1');

function malformed(message: string, position?: { line: number; column: number }): MemoParseError {
  return new MemoParseError('XML_MALFORMED', message, position);
}

/** Reads `input` (UTF-8 bytes or a string) into a tree, or throws {@link MemoParseError}. */
export function readXml(input: string | Uint8Array): XmlDocument {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : toBuffer(input);
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw new MemoParseError('XML_ENCODING_UNSUPPORTED', 'the document is UTF-16; MeMo must be UTF-8');
  }
  if (bytes.length === start) throw malformed('the document is empty');

  const { text, lifted } = scan(bytes, start);

  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw malformed(`not well-formed XML at line ${line}, column ${col}: ${msg}`, { line, column: col });
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
    if (name === '#text') {
      if (/[^\t\n\r ]/.test(String(node['#text']))) throw malformed('text outside the root element');
      continue;
    }
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
  return { line, column: lenientUtf8.decode(bytes.subarray(lineStart, at)).length + 1 };
}

function startsWithAscii(bytes: Buffer, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function isNameEnd(byte: number | undefined): boolean {
  return (
    byte === undefined ||
    byte === 0x20 ||
    byte === 0x09 ||
    byte === 0x0a ||
    byte === 0x0d ||
    byte === SLASH ||
    byte === GT
  );
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe]/;
const REFERENCE = /^&(?:(lt|gt|amp|apos|quot)|#([0-9]+)|#x([0-9a-fA-F]+));/;

/**
 * One pass over the markup: forbidden declarations, references, and lifting `content` texts.
 * Returns the document text to parse (with lifted texts replaced by placeholders).
 */
function scan(source: Buffer, start: number): { text: string; lifted: LiftedText[] } {
  const lifted: LiftedText[] = [];
  const kept: Uint8Array[] = [];
  let keptFrom = start;
  let pos = start;
  let nextAmp = source.indexOf(AMP, start);

  const checkReferences = (from: number, to: number): void => {
    if (nextAmp !== -1 && nextAmp < from) nextAmp = source.indexOf(AMP, from);
    while (nextAmp !== -1 && nextAmp < to) {
      const reference = REFERENCE.exec(ascii.decode(source.subarray(nextAmp, Math.min(nextAmp + 32, to))));
      const code = reference?.[2]
        ? Number(reference[2])
        : reference?.[3]
          ? Number.parseInt(reference[3], 16)
          : 0x20;
      if (reference === null) {
        throw malformed(
          'an "&" that does not start &lt; &gt; &amp; &apos; &quot; or a character reference (other entities are not allowed)',
          positionOf(source, nextAmp),
        );
      }
      if (!isXmlChar(code))
        throw malformed(
          `a reference to a character XML cannot carry: ${reference[0]}`,
          positionOf(source, nextAmp),
        );
      nextAmp = source.indexOf(AMP, nextAmp + 1);
    }
  };
  let nextCdataEnd = source.indexOf(']]>', start);
  /** Character data between markup: references, and no "]]>" outside a CDATA section. */
  const checkText = (from: number, to: number): void => {
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

  for (;;) {
    const lt = source.indexOf(LT, pos);
    if (lt === -1) {
      checkText(pos, source.length);
      break;
    }
    checkText(pos, lt);
    const next = source[lt + 1];
    if (next === BANG) {
      if (startsWithAscii(source, lt, '<!--')) {
        pos = skipTo(lt + 4, '-->', 'comment');
        const doubleHyphen = source.indexOf('--', lt + 4);
        if (doubleHyphen < pos - 3 || (pos - 7 > lt && source[pos - 4] === 0x2d)) {
          throw malformed('"--" is not allowed inside a comment', positionOf(source, lt));
        }
      } else if (startsWithAscii(source, lt, '<![CDATA[')) pos = skipTo(lt + 9, ']]>', 'CDATA section');
      else {
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
    if (next === SLASH) {
      pos = skipTo(lt + 2, '>', 'end tag');
      continue;
    }
    let nameEnd = lt + 1;
    while (!isNameEnd(source[nameEnd])) nameEnd++;
    let tagEnd = nameEnd;
    let quote = 0;
    for (; tagEnd < source.length; tagEnd++) {
      const byte = source[tagEnd];
      if (quote !== 0) {
        if (byte === quote) quote = 0;
      } else if (byte === 0x22 || byte === 0x27) quote = byte;
      else if (byte === GT) break;
    }
    if (tagEnd === source.length) throw malformed('unterminated start tag', positionOf(source, lt));
    const nextLt = source.indexOf(LT, nameEnd);
    if (nextLt !== -1 && nextLt < tagEnd) throw malformed('a "<" inside a tag', positionOf(source, nextLt));
    checkReferences(nameEnd, tagEnd);
    pos = tagEnd + 1;
    if (source[tagEnd - 1] === SLASH || !isContentElement(source, lt + 1, nameEnd)) continue;

    const textEnd = nextLt;
    if (textEnd - pos < LIFT_THRESHOLD || !isEndTagOf(source, textEnd, lt + 1, nameEnd)) continue;
    if (nextAmp !== -1 && nextAmp < pos) nextAmp = source.indexOf(AMP, pos);
    if (nextAmp !== -1 && nextAmp < textEnd) continue;
    kept.push(
      source.subarray(keptFrom, pos),
      placeholder(lifted.length, countNewlines(source, pos, textEnd)),
    );
    lifted.push({ start: pos, end: textEnd });
    keptFrom = textEnd;
    pos = textEnd;
  }

  const rest =
    lifted.length === 0 ? source.subarray(start) : Buffer.concat([...kept, source.subarray(keptFrom)]);
  let text: string;
  try {
    text = utf8.decode(rest);
  } catch {
    throw malformed('the document is not valid UTF-8');
  }
  const forbidden = FORBIDDEN_CHARACTER.exec(text);
  if (forbidden !== null) {
    const code = forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw malformed(`the document contains U+${code}, which XML does not allow`);
  }
  let marks = 0;
  for (let at = text.indexOf(LIFTED_MARK); at !== -1; at = text.indexOf(LIFTED_MARK, at + 1)) marks++;
  if (marks !== lifted.length) throw malformed('the document contains U+FFFF, which XML does not allow');
  return { text, lifted };
}

/** Whether the tag name in `bytes[from, to)` has the local name `content`. */
function isContentElement(bytes: Buffer, from: number, to: number): boolean {
  const localStart = to - 7;
  if (localStart < from || !startsWithAscii(bytes, localStart, 'content')) return false;
  return localStart === from || bytes[localStart - 1] === 0x3a;
}

/** Whether an end tag for the name `bytes[from, to)` starts at `at`. */
function isEndTagOf(bytes: Buffer, at: number, from: number, to: number): boolean {
  if (bytes[at + 1] !== SLASH) return false;
  const length = to - from;
  if (bytes.compare(bytes, from, to, at + 2, at + 2 + length) !== 0) return false;
  const after = bytes[at + 2 + length];
  return after === GT || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d;
}

function countNewlines(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE, from); i !== -1 && i < to; i = bytes.indexOf(NEWLINE, i + 1)) count++;
  return count;
}

/** Placeholder text: the mark, the lifted text's index, and its newlines (so line numbers hold). */
function placeholder(index: number, newlines: number): Buffer {
  return Buffer.from(`${LIFTED_MARK}${index}${'\n'.repeat(newlines)}`, 'utf8');
}
