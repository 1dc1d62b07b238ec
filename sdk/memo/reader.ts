/**
 * From the XML tree to the {@link Memo} model, checking the document's structure against the
 * schema table on the way: namespaces, element order, unknown elements, repeated single elements,
 * text where only elements belong, attributes, and the lexical form of booleans and base64 (which
 * the model holds decoded). Values are checked afterwards, on the model, by the validator.
 */
import { MemoParseError } from '../errors.ts';
import { Base64Decoder, type Base64Result, decodeBase64 } from './base64.ts';
import {
  checkLimitOption,
  DEFAULT_LIMITS,
  type LengthLimits,
  maxLengthOf,
  noteCutValue,
  type ReadLimitOptions,
  tooLongProblem,
} from './limits.ts';
import {
  type ComplexType,
  existsIn,
  isComplex,
  MEMO_NAMESPACES,
  MessageType,
  type Particle,
  type SimpleTypeName,
  segment,
} from './schema.ts';
import { collapseWhitespace, isCollapsed, isXsdDecimal, parseXsdBoolean } from './simple-types.ts';
import type { Memo, MemoIssue, MemoVersion } from './types.ts';
import {
  liftedIndex,
  nodeAttributes,
  nodeChildren,
  nodeName,
  readXml,
  type XmlDocument,
  type XmlNode,
} from './xml-reader.ts';
import { BoundedText, type ByteRange, readText } from './xml-text.ts';

const MEMO_NS = MEMO_NAMESPACES.memo;
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XS_NS = 'http://www.w3.org/2001/XMLSchema';
const DT_NS = 'https://data.gov.dk/model/dataTypes/';

/** The XSD type each simple MeMo type is declared with, as `namespace local`. */
const XSD_TYPE_NAMES: Record<SimpleTypeName, string> = {
  text: `${DT_NS} memoTextType`,
  comment: `${DT_NS} memoCommentType`,
  notification: `${DT_NS} memoNotificationType`,
  uuid: `${DT_NS} memoUuidType`,
  dateTime: `${DT_NS} memoDateTimeType`,
  date: `${XS_NS} date`,
  boolean: `${XS_NS} boolean`,
  language: `${DT_NS} memoLanguageType`,
  uri: `${DT_NS} memoUriType`,
  licenseNumber: `${DT_NS} memoLicenseNumberType`,
  gln: `${DT_NS} memoGLNType`,
  pNumber: `${DT_NS} memoPNumberType`,
  messageType: `${DT_NS} memoMessageType`,
  base64: `${XS_NS} base64Binary`,
};

/**
 * Options of {@link readMemo}. The limits are `validateMemo`'s: pass the same options to both. A
 * value beyond its limit is kept cut to the limit plus one character, its whole length noted for the
 * validator (limits.ts); without `notificationMaxLength` a notification is kept up to
 * `maxValueLength`, so that any limit up to that one can be applied afterwards.
 */
export interface ReadOptions extends ReadLimitOptions {
  /**
   * Read the document as this MeMo version whatever its `memoVersion` says (any decimal is then
   * accepted there), like validating against one version's XSD.
   */
  version?: MemoVersion;
  /** @internal Texts of at least this many bytes are read from the input bytes (tests: 1). */
  liftThreshold?: number;
}

export interface ReadResult {
  /** The model; parts the document lacks are missing from it too. */
  memo: Memo;
  /** Structural problems found while reading. */
  issues: MemoIssue[];
}

interface QName {
  ns: string;
  local: string;
}

/** Text as the reader gets it: strings from the XML parser, and texts lifted out of the document. */
type TextPart = string | ByteRange;

/** The simple types the reader reads as strings. */
type StringType = Exclude<SimpleTypeName, 'base64'>;

/** In-scope namespace declarations, with a cache of resolved names. */
class Scope {
  private readonly resolved = new Map<string, QName>();
  private readonly prefixes: Readonly<Record<string, string>>;
  /** Reads a namespace declaration's value (which may be lifted). */
  private readonly namespaceName: (raw: string) => string;

  constructor(prefixes: Readonly<Record<string, string>>, namespaceName: (raw: string) => string) {
    this.prefixes = prefixes;
    this.namespaceName = namespaceName;
  }

  /** A child scope when `attributes` declare namespaces, else this one. */
  enter(attributes: Record<string, string> | undefined): Scope {
    if (attributes === undefined) return this;
    let declared: Record<string, string> | undefined;
    for (const name in attributes) {
      if (name === '@_xmlns' || name.startsWith('@_xmlns:')) {
        declared ??= { ...this.prefixes };
        declared[name === '@_xmlns' ? '' : name.slice(8)] = this.namespaceName(attributes[name] ?? '');
      }
    }
    return declared === undefined ? this : new Scope(declared, this.namespaceName);
  }

  resolve(qualified: string): QName {
    let name = this.resolved.get(qualified);
    if (name === undefined) {
      const colon = qualified.indexOf(':');
      const prefix = colon === -1 ? '' : qualified.slice(0, colon);
      const ns =
        prefix === 'xml' ? XML_NS : prefix === '' ? (this.prefixes[''] ?? '') : this.prefixes[prefix];
      if (ns === undefined) {
        throw new MemoParseError(
          'XML_MALFORMED',
          `the namespace prefix "${prefix}" of <${qualified}> is not declared`,
        );
      }
      name = { ns, local: colon === -1 ? qualified : qualified.slice(colon + 1) };
      this.resolved.set(qualified, name);
    }
    return name;
  }

  /** Resolves an attribute name: unprefixed attributes are in no namespace. */
  resolveAttribute(qualified: string): QName {
    return qualified.includes(':') ? this.resolve(qualified) : { ns: '', local: qualified };
  }
}

function join(path: string, step: string): string {
  return path === '' ? step : `${path}/${step}`;
}

function describe(name: QName): string {
  return name.ns === '' ? `${name.local} (in no namespace)` : `${name.local} (namespace ${name.ns})`;
}

class MemoReader {
  readonly issues: MemoIssue[] = [];
  version: MemoVersion = '1.2';
  private readonly document: XmlDocument;
  private readonly limits: LengthLimits;

  constructor(document: XmlDocument, limits: LengthLimits) {
    this.document = document;
    this.limits = limits;
  }

  /** A text node's or attribute's value as a part: lifted, or the parser's string. */
  private part(text: string): TextPart {
    const index = liftedIndex(text);
    if (index === undefined) return text;
    const range = this.document.lifted[index];
    if (range === undefined) throw new Error(`reader: no lifted text ${index}`);
    return range;
  }

  /** Reads `parts` into `text`, chunk by chunk. */
  private append(text: BoundedText, parts: readonly TextPart[]): BoundedText {
    for (const part of parts) {
      if (typeof part === 'string') text.append(part);
      else
        readText(this.document.bytes, part, 'utf8', (chunk) => {
          text.append(chunk);
          return undefined;
        });
    }
    return text;
  }

  /**
   * The value of `parts` as `type`: whitespace collapsed if the type does, and whole — or, when it
   * is longer than its limit plus one character, cut to that, with its whole length. `empty`: the
   * element has no text at all (comments and processing instructions are none).
   */
  private stringValue(
    parts: readonly TextPart[],
    type: StringType,
  ): { value: string; wholeLength?: number; empty: boolean } {
    const max = maxLengthOf(type, this.limits);
    const only = parts.length === 0 ? '' : parts.length === 1 ? parts[0] : undefined;
    if (typeof only === 'string') {
      const value = isCollapsed(type) ? collapseWhitespace(only) : only;
      // UTF-16 units are never fewer than code points.
      if (value.length <= max + 1) return { value, empty: parts.length === 0 };
    }
    const text = this.append(new BoundedText(max + 1, isCollapsed(type)), parts);
    const { value, length, empty } = text;
    return length > max + 1 ? { value, wholeLength: length, empty } : { value, empty };
  }

  /**
   * An attribute's value (whitespace collapsed if `collapse`) and its length; the value is undefined
   * when it is longer than `maxValueLength`.
   */
  private attributeValue(raw: string, collapse: boolean): { value: string | undefined; length: number } {
    const max = this.limits.maxValueLength;
    const part = this.part(raw);
    if (typeof part === 'string') {
      const value = collapse ? collapseWhitespace(part) : part;
      if (value.length <= max) return { value, length: value.length };
    }
    const text = this.append(new BoundedText(max, collapse), [part]);
    return { value: text.length > max ? undefined : text.value, length: text.length };
  }

  /** A namespace declaration's value; one too long to read refuses the document. */
  private namespaceName(raw: string): string {
    const { value } = this.attributeValue(raw, false);
    if (value === undefined) {
      throw new MemoParseError(
        'XML_LIMIT_EXCEEDED',
        `a namespace name is longer than ${this.limits.maxValueLength} characters (maxValueLength)`,
      );
    }
    return value;
  }

  /** Whether `part` holds anything but XML whitespace. */
  private hasNonWhitespace(part: TextPart): boolean {
    if (typeof part === 'string') return NON_WHITESPACE.test(part);
    let found = false;
    readText(this.document.bytes, part, 'utf8', (chunk) => {
      found = NON_WHITESPACE.test(chunk);
      return !found;
    });
    return found;
  }

  private issue(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  read(options: ReadOptions): Memo {
    const { root, rootName } = this.document;
    const attributes = nodeAttributes(root);
    const scope = new Scope({}, (raw) => this.namespaceName(raw)).enter(attributes);
    const name = scope.resolve(rootName);
    if (name.ns !== MEMO_NS || name.local !== 'Message') {
      throw new MemoParseError(
        'NOT_A_MEMO',
        `the root element is ${describe(name)}; a MeMo's root is Message in namespace ${MEMO_NS}`,
      );
    }
    const { version, schemaVersion } = this.readRootAttributes(attributes ?? {}, scope, options);
    this.version = version;
    const content = this.readComplex(nodeChildren(root, rootName), MessageType, '', scope);
    const memo = {
      version,
      ...(schemaVersion === undefined ? {} : { schemaVersion: schemaVersion.value }),
      ...content,
    };
    if (schemaVersion?.wholeLength !== undefined)
      noteCutValue(memo, 'schemaVersion', schemaVersion.wholeLength);
    return memo as unknown as Memo;
  }

  private readRootAttributes(
    attributes: Record<string, string>,
    scope: Scope,
    options: ReadOptions,
  ): { version: MemoVersion; schemaVersion: { value: string; wholeLength?: number } | undefined } {
    let versionText: string | undefined;
    let schemaVersion: { value: string; wholeLength?: number } | undefined;
    for (const key in attributes) {
      if (key === '@_xmlns' || key.startsWith('@_xmlns:')) continue;
      const qualified = key.slice(2);
      const value = attributes[key] ?? '';
      if (qualified === 'memoVersion') versionText = value;
      else if (qualified === 'memoSchVersion') schemaVersion = this.stringValue([this.part(value)], 'text');
      else this.checkForeignAttribute(qualified, value, scope, '');
    }

    let declared: MemoVersion | undefined;
    const { value: text, length } =
      versionText === undefined ? { value: undefined, length: 0 } : this.attributeValue(versionText, true);
    if (versionText === undefined) {
      this.issue('@memoVersion', 'MISSING_ATTRIBUTE', 'Message must have the attribute memoVersion');
    } else if (text === undefined) {
      const problem = tooLongProblem(length, this.limits.maxValueLength);
      this.issue('@memoVersion', problem.code, `memoVersion ${problem.message}`);
    } else {
      if (!isXsdDecimal(text)) {
        this.issue('@memoVersion', 'INVALID_DECIMAL', `memoVersion must be a decimal number, got "${text}"`);
      } else if (Number(text) === 1.1) declared = '1.1';
      else if (Number(text) === 1.2) declared = '1.2';
      else if (options.version === undefined) {
        this.issue(
          '@memoVersion',
          'UNSUPPORTED_VERSION',
          `memoVersion ${text} is not supported; use 1.1 or 1.2`,
        );
      }
    }
    const version = options.version ?? declared ?? (schemaVersion === undefined ? '1.2' : '1.1');
    if (version === '1.1' && schemaVersion === undefined) {
      this.issue(
        '@memoSchVersion',
        'MISSING_ATTRIBUTE',
        'a MeMo 1.1 Message must have the attribute memoSchVersion',
      );
    }
    return { version, schemaVersion };
  }

  /**
   * Attributes MeMo does not declare: xsi's schema location hints are tolerated, and xsi:type when
   * it names the element's own declared type (as XSD allows); anything else is reported.
   */
  private checkForeignAttribute(
    qualified: string,
    value: string,
    scope: Scope,
    path: string,
    particle?: Particle,
  ): void {
    const name = scope.resolveAttribute(qualified);
    if (name.ns === XSI_NS && (name.local === 'schemaLocation' || name.local === 'noNamespaceSchemaLocation'))
      return;
    if (name.ns === XSI_NS && name.local === 'type' && particle !== undefined && !isComplex(particle.type)) {
      const typeName = this.attributeValue(value, true).value;
      try {
        const type = typeName === undefined ? undefined : scope.resolve(typeName);
        if (type !== undefined && `${type.ns} ${type.local}` === XSD_TYPE_NAMES[particle.type]) return;
      } catch {
        // An undeclared prefix names no type, so certainly not the declared one.
      }
    }
    const where = path === '' ? 'Message' : path.slice(path.lastIndexOf('/') + 1);
    this.issue(
      join(path, `@${name.local}`),
      'UNEXPECTED_ATTRIBUTE',
      `${where} may not have the attribute ${qualified}`,
    );
  }

  private checkAttributes(
    attributes: Record<string, string>,
    scope: Scope,
    path: string,
    particle?: Particle,
  ): void {
    for (const key in attributes) {
      if (key !== '@_xmlns' && !key.startsWith('@_xmlns:')) {
        this.checkForeignAttribute(key.slice(2), attributes[key] ?? '', scope, path, particle);
      }
    }
  }

  private readComplex(
    children: XmlNode[],
    type: ComplexType,
    path: string,
    scope: Scope,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let slot = -1;
    let previous = '';
    for (const node of children) {
      const tag = nodeName(node);
      if (tag === '#text') {
        if (this.hasNonWhitespace(this.part(node['#text'] as string))) {
          this.issue(path, 'UNEXPECTED_TEXT', `${type.name} may contain elements only, not text`);
        }
        continue;
      }
      const attributes = nodeAttributes(node);
      const childScope = scope.enter(attributes);
      const name = childScope.resolve(tag);
      const particle = type.byName.get(`${name.ns} ${name.local}`);
      if (particle === undefined) {
        this.unexpectedElement(type, name, path);
        continue;
      }
      const current = out[particle.key];
      const repeatable = particle.max > 1;
      const index = repeatable ? ((current as unknown[] | undefined)?.length ?? 0) : 0;
      // Paths are built only when needed: most elements never have an issue.
      if (attributes !== undefined) {
        this.checkAttributes(attributes, childScope, join(path, segment(particle, index)), particle);
      }
      if (particle.slot < slot) {
        this.issue(
          join(path, segment(particle, index)),
          'ELEMENT_OUT_OF_ORDER',
          `${particle.name} must come before ${previous} in ${type.name}`,
        );
      } else {
        slot = particle.slot;
        previous = particle.name;
      }
      if (!repeatable && current !== undefined) {
        this.issue(
          join(path, particle.name),
          'TOO_MANY_ELEMENTS',
          `${type.name} may contain only one ${particle.name}`,
        );
        continue;
      }
      const grandchildren = nodeChildren(node, tag);
      const value = isComplex(particle.type)
        ? this.readComplex(grandchildren, particle.type, join(path, segment(particle, index)), childScope)
        : this.readLeaf(grandchildren, particle, path, index, childScope, out);
      if (repeatable) {
        if (current === undefined) out[particle.key] = [value];
        else (current as unknown[]).push(value);
      } else out[particle.key] = value;
    }
    for (const particle of type.particles) {
      // Elements the serializer defaults (1.1's mandatory, legalNotification) are only missing here.
      if (particle.requiredIn === this.version && out[particle.key] === undefined) {
        this.issue(
          join(path, particle.name),
          'MISSING_ELEMENT',
          `${type.name} must contain ${particle.name} in MeMo ${this.version}`,
        );
      }
    }
    return out;
  }

  private unexpectedElement(type: ComplexType, name: QName, path: string): void {
    const sameLocal = type.particles.find((p) => p.name === name.local);
    if (sameLocal !== undefined) {
      this.issue(
        join(path, name.local),
        'WRONG_NAMESPACE',
        `${name.local} in ${type.name} must be in namespace ${sameLocal.namespace}, not ${name.ns || 'no namespace'}`,
      );
    } else {
      const allowed = type.particles.filter((p) => existsIn(p, this.version)).map((p) => p.name);
      this.issue(
        join(path, name.local),
        'UNEXPECTED_ELEMENT',
        `${describe(name)} is not allowed in ${type.name}; allowed: ${allowed.join(', ')}`,
      );
    }
  }

  private readLeaf(
    children: XmlNode[],
    particle: Particle,
    parentPath: string,
    index: number,
    scope: Scope,
    owner: Record<string, unknown>,
  ): unknown {
    const path = (): string => join(parentPath, segment(particle, index));
    const parts: TextPart[] = [];
    for (const child of children) {
      const tag = nodeName(child);
      if (tag === '#text') parts.push(this.part(child['#text'] as string));
      else {
        this.issue(
          join(path(), scope.enter(nodeAttributes(child)).resolve(tag).local),
          'UNEXPECTED_ELEMENT',
          `${particle.name} must contain text only`,
        );
      }
    }
    const type = particle.type as SimpleTypeName;
    if (type === 'base64') {
      const decoded = this.decodeBase64(parts);
      if (decoded.ok) return decoded.bytes;
      this.issue(path(), 'INVALID_BASE64', `${particle.name} is not valid base64: ${decoded.reason}`);
      return new Uint8Array(0);
    }
    const { value, wholeLength, empty } = this.stringValue(parts, type);
    if (type === 'boolean') {
      // An element without characters takes its schema default (false for every MeMo flag).
      if (empty) return false;
      const flag = wholeLength === undefined ? parseXsdBoolean(value) : undefined;
      if (flag !== undefined) return flag;
      this.issue(path(), 'INVALID_BOOLEAN', `${particle.name} must be true or false, got "${value}"`);
      return false;
    }
    if (wholeLength !== undefined) noteCutValue(owner, particle.key, wholeLength);
    return value;
  }

  /** Decodes base64 `parts`; a lifted text straight from the input bytes. */
  private decodeBase64(parts: readonly TextPart[]): Base64Result {
    const only = parts.length === 0 ? '' : parts.length === 1 ? parts[0] : undefined;
    if (typeof only === 'string') return decodeBase64(only);
    let size = 0;
    for (const part of parts) size += typeof part === 'string' ? part.length : part.end - part.start;
    const decoder = new Base64Decoder(size);
    for (const part of parts) {
      if (typeof part === 'string') decoder.write(part);
      else
        readText(this.document.bytes, part, 'latin1', (chunk) => {
          decoder.write(chunk);
          return undefined;
        });
    }
    return decoder.end();
  }
}

const NON_WHITESPACE = /[^\t\n\r ]/;

/** The reader's limits from `options`, checked. */
function readLimits(options: ReadOptions): LengthLimits & { maxElements: number } {
  const limit = (name: keyof ReadLimitOptions): number | undefined =>
    options[name] === undefined ? undefined : checkLimitOption(options[name], name, 'readMemo');
  const maxValueLength = limit('maxValueLength') ?? DEFAULT_LIMITS.maxValueLength;
  return {
    maxValueLength,
    notificationMaxLength: limit('notificationMaxLength') ?? maxValueLength,
    maxElements: limit('maxElements') ?? DEFAULT_LIMITS.maxElements,
  };
}

/**
 * Reads a MeMo document into the model and reports structural problems. Throws
 * {@link MemoParseError} when the input is not a MeMo document at all.
 */
export function readMemo(input: string | Uint8Array, options: ReadOptions = {}): ReadResult {
  const limits = readLimits(options);
  const document = readXml(input, {
    maxElements: limits.maxElements,
    ...(options.liftThreshold === undefined ? {} : { liftThreshold: options.liftThreshold }),
  });
  const reader = new MemoReader(document, limits);
  const memo = reader.read(options);
  return { memo, issues: reader.issues };
}
