/**
 * MeMo model → XML. Elements in schema order, the `memo:` prefix with every other prefix used
 * declared on the root (SF1601-era receivers depend on the exact prefix), version-correct
 * attributes and defaults, escaped text, base64 file contents.
 *
 * The document is assembled from parts; file contents stay bytes until the end, so
 * {@link serializeMemoToBytes} base64-encodes them straight into the output buffer.
 */
import { MemoSerializeError } from '../errors.ts';
import { encodeBase64 } from './base64.ts';
import {
  type ComplexType,
  existsIn,
  isComplex,
  MEMO_NAMESPACES,
  MessageType,
  type NamespacePrefix,
} from './schema.ts';
import { NON_XML_CHARACTER } from './simple-types.ts';
import type { Memo } from './types.ts';

/** Options of {@link serializeMemo}. */
export interface SerializeOptions {
  /** Indent nested elements by this many spaces (default 0: no whitespace between elements). */
  indent?: number;
  /** Start with a UTF-8 byte order mark, as NgDP's own container tooling does (default false). */
  byteOrderMark?: boolean;
}

type Part = string | Uint8Array;

const ESCAPE_TEXT = /[&<>\r]/g;
const ESCAPE_ATTRIBUTE = /[&<>"\r\n\t]/g;
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;',
};

function escapeXml(value: string, pattern: RegExp, path: string): string {
  if (NON_XML_CHARACTER.test(value))
    throw new MemoSerializeError(path, 'contains a character that XML cannot carry');
  pattern.lastIndex = 0;
  return pattern.test(value) ? value.replace(pattern, (c) => ENTITY[c] ?? c) : value;
}

function join(path: string, step: string): string {
  return path === '' ? step : `${path}/${step}`;
}

class Writer {
  readonly parts: Part[] = [];
  readonly prefixes = new Set<NamespacePrefix>(['memo']);
  private readonly memo: Memo;
  private readonly indent: string;

  constructor(memo: Memo, indent: string) {
    this.memo = memo;
    this.indent = indent;
  }

  newline(depth: number): void {
    if (this.indent !== '') this.parts.push(`\n${this.indent.repeat(depth)}`);
  }

  writeComplex(object: Record<string, unknown>, type: ComplexType, path: string, depth: number): void {
    const { version } = this.memo;
    for (const particle of type.particles) {
      let value = object[particle.key];
      if (value === undefined || value === null) {
        if (particle.requiredIn !== version) continue;
        value = false;
      }
      const items = particle.max > 1 ? value : [value];
      if (!Array.isArray(items))
        throw new MemoSerializeError(join(path, particle.name), `${particle.key} must be an array`);
      if (items.length > 0 && !existsIn(particle, version)) {
        throw new MemoSerializeError(
          join(path, particle.name),
          `${particle.name} exists only in MeMo ${particle.only}; remove it or set version to "${particle.only}"`,
        );
      }
      const tag = `${particle.prefix}:${particle.name}`;
      if (items.length > 0) this.prefixes.add(particle.prefix);
      items.forEach((item: unknown, index) => {
        const itemPath = join(path, particle.max > 1 ? `${particle.name}[${index + 1}]` : particle.name);
        this.newline(depth);
        const { type: itemType } = particle;
        if (isComplex(itemType)) {
          if (typeof item !== 'object' || item === null)
            throw new MemoSerializeError(itemPath, 'must be an object');
          this.parts.push(`<${tag}>`);
          this.writeComplex(item as Record<string, unknown>, itemType, itemPath, depth + 1);
          this.newline(depth);
          this.parts.push(`</${tag}>`);
        } else if (itemType === 'base64') {
          if (!(item instanceof Uint8Array))
            throw new MemoSerializeError(itemPath, 'must be a Uint8Array or Buffer');
          this.parts.push(`<${tag}>`, item, `</${tag}>`);
        } else if (itemType === 'boolean') {
          if (typeof item !== 'boolean') throw new MemoSerializeError(itemPath, 'must be a boolean');
          this.parts.push(`<${tag}>${item}</${tag}>`);
        } else {
          if (typeof item !== 'string')
            throw new MemoSerializeError(itemPath, `must be a string, got ${typeof item}`);
          this.parts.push(`<${tag}>${escapeXml(item, ESCAPE_TEXT, itemPath)}</${tag}>`);
        }
      });
    }
  }

  /** The root start tag; written last because it declares the prefixes the body used. */
  rootStartTag(): string {
    const { version, schemaVersion } = this.memo;
    let tag = '<memo:Message';
    for (const prefix of Object.keys(MEMO_NAMESPACES) as NamespacePrefix[]) {
      if (this.prefixes.has(prefix)) tag += ` xmlns:${prefix}="${MEMO_NAMESPACES[prefix]}"`;
    }
    tag += ` memoVersion="${version}"`;
    if (version === '1.1')
      tag += ` memoSchVersion="${escapeXml(schemaVersion ?? '1.1.0', ESCAPE_ATTRIBUTE, '@memoSchVersion')}"`;
    return `${tag}>`;
  }
}

function write(memo: Memo, options: SerializeOptions): Part[] {
  if (memo.version !== '1.1' && memo.version !== '1.2') {
    throw new MemoSerializeError(
      '@memoVersion',
      `version must be "1.1" or "1.2", got ${JSON.stringify(memo.version)}`,
    );
  }
  const indent = ' '.repeat(options.indent ?? 0);
  const writer = new Writer(memo, indent);
  writer.writeComplex(memo as unknown as Record<string, unknown>, MessageType, '', 1);
  writer.newline(0);
  const declaration = `${options.byteOrderMark ? '\ufeff' : ''}<?xml version="1.0" encoding="UTF-8"?>${indent ? '\n' : ''}`;
  return [declaration, writer.rootStartTag(), ...writer.parts, '</memo:Message>'];
}

/**
 * Writes a MeMo as an XML string.
 *
 * @throws MemoSerializeError when a value cannot be written (wrong type, 1.2-only element in a 1.1
 *   message, a character XML cannot carry). Use {@link validateMemo} for the full rule check.
 */
export function serializeMemo(memo: Memo, options: SerializeOptions = {}): string {
  let xml = '';
  for (const part of write(memo, options)) xml += typeof part === 'string' ? part : encodeBase64(part);
  return xml;
}

/** Base64 is encoded in slices of this many input bytes (a multiple of 3). */
const BASE64_SLICE = 3 << 20;

/**
 * Writes a MeMo as UTF-8 bytes, ready to send: file contents are base64-encoded straight into the
 * output, so a large message costs its own size once plus small slices.
 */
export function serializeMemoToBytes(memo: Memo, options: SerializeOptions = {}): Buffer {
  const parts = write(memo, options);
  let size = 0;
  for (const part of parts) {
    size += typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : Math.ceil(part.byteLength / 3) * 4;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) {
    if (typeof part === 'string') {
      at += out.write(part, at, 'utf8');
      continue;
    }
    const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    for (let from = 0; from < bytes.length; from += BASE64_SLICE) {
      at += out.write(
        bytes.toString('base64', from, Math.min(from + BASE64_SLICE, bytes.length)),
        at,
        'latin1',
      );
    }
  }
  return out;
}
