import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoParseError } from '../errors.ts';
import { parseMemo } from './parse.ts';
import { validateMemo } from './validate.ts';
import { LIFTED_MARK, nodeChildren, nodeName, readXml, type XmlNode } from './xml-reader.ts';

const minimal = readFileSync(new URL('../../test/fixtures/memo/minimal-1.2.xml', import.meta.url), 'utf8');

function parseError(input: string | Uint8Array): MemoParseError {
  try {
    parseMemo(input);
  } catch (error) {
    if (error instanceof MemoParseError) return error;
    throw error;
  }
  throw new Error('expected a MemoParseError');
}

describe('input that is not a MeMo document', () => {
  it.each([
    ['plain text', 'hello'],
    ['an empty document', ''],
    ['only whitespace', '  \n'],
    ['a truncated document', minimal.slice(0, minimal.length / 2)],
    ['a document cut inside a tag', minimal.slice(0, minimal.indexOf('<memo:Sender>') + 7)],
    ['mismatched tags', minimal.replace('</memo:label>', '</memo:labels>')],
    ['two root elements', `${minimal}<other/>`],
    ['text after the root', `${minimal}trailing`],
    ['a duplicate attribute', minimal.replace('memoVersion="1.2"', 'memoVersion="1.2" memoVersion="1.1"')],
    ['a bare ampersand', minimal.replace('Eksempel Kommune', 'A & B')],
    ['an undefined entity', minimal.replace('Eksempel Kommune', 'A &nbsp; B')],
    ['a reference to a non-character', minimal.replace('Eksempel Kommune', 'A &#0; B')],
    ['a control character', minimal.replace('Eksempel Kommune', 'A \u0001 B')],
    ['U+FFFF', minimal.replace('Eksempel Kommune', 'A \uffff B')],
    ['a "<" in an attribute', minimal.replace('memoVersion="1.2"', 'memoVersion="1<2"')],
    [
      'an undeclared prefix',
      minimal.replace('<memo:Sender>', '<x:Sender>').replace('</memo:Sender>', '</x:Sender>'),
    ],
    ['"]]>" in text', minimal.replace('Eksempel Kommune', 'a]]>b')],
    ['"--" in a comment', minimal.replace('<memo:Sender>', '<!-- a -- b --><memo:Sender>')],
    ['a comment ending in "--->"', minimal.replace('<memo:Sender>', '<!-- a ---><memo:Sender>')],
    [
      'an XML declaration after the start',
      minimal.replace('<memo:Sender>', '<?xml version="1.0"?><memo:Sender>'),
    ],
    ['a processing instruction named like xml', minimal.replace('<memo:Sender>', '<?XmL x?><memo:Sender>')],
    ['a malformed XML declaration', minimal.replace('<?xml version="1.0"', '<?xml versio="1.0"')],
    ['elements nested 150 deep', `${'<a>'.repeat(150)}${'</a>'.repeat(150)}`],
    ['bytes that are not UTF-8 at all', new Uint8Array([0xff, 0x3c, 0x61, 0x2f, 0x3e])],
  ])('rejects %s as XML_MALFORMED', (_what, input) => {
    const error = parseError(input);
    expect(error.code).toBe('XML_MALFORMED');
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('says where a well-formedness error is', () => {
    const error = parseError(minimal.replace('</memo:label>', '</memo:labels>'));
    expect(error.line).toBe(6);
    expect(error.message).toMatch(/line 6/);
  });

  it('rejects invalid UTF-8', () => {
    const bytes = Buffer.from(minimal);
    bytes[bytes.indexOf('Eksempel')] = 0xff;
    expect(parseError(bytes).message).toMatch(/not valid UTF-8/);
  });

  it('rejects UTF-16 and declared non-UTF-8 encodings', () => {
    expect(parseError(Buffer.from(`\ufeff${minimal}`, 'utf16le')).code).toBe('XML_ENCODING_UNSUPPORTED');
    expect(parseError(minimal.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')).code).toBe(
      'XML_ENCODING_UNSUPPORTED',
    );
  });

  it('rejects another root element', () => {
    const error = parseError('<memo:Letter xmlns:memo="https://DigitalPost.dk/MeMo-1"/>');
    expect(error.code).toBe('NOT_A_MEMO');
    expect(error.message).toContain('Letter');
  });

  it('rejects a Message in another namespace', () => {
    expect(
      parseError(minimal.replace('https://DigitalPost.dk/MeMo-1', 'https://example.com/memo')).code,
    ).toBe('NOT_A_MEMO');
    expect(
      parseError(minimal.replaceAll('memo:', '').replace('xmlns:memo="https://DigitalPost.dk/MeMo-1"', ''))
        .code,
    ).toBe('NOT_A_MEMO');
  });

  it('reports an unreadable document as one issue from validateMemo', () => {
    const result = validateMemo('not xml');
    expect(result).toMatchObject({ valid: false, memo: undefined, version: undefined });
    expect(result.issues).toEqual([{ path: '', code: 'XML_MALFORMED', message: expect.any(String) }]);
  });
});

describe('unsafe XML', () => {
  it('rejects a billion-laughs entity bomb without expanding it', () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
${minimal.replace('<?xml version="1.0" encoding="UTF-8"?>', '').replace('Eksempel Kommune', '&lol9;')}`;
    const error = parseError(bomb);
    expect(error.code).toBe('XML_FORBIDDEN_MARKUP');
    expect(error.message).toContain('DOCTYPE');
    // Stopped where the DOCTYPE begins, before the first entity declaration on the next line.
    expect({ line: error.line, column: error.column }).toEqual({ line: 2, column: 1 });
  });

  it('rejects an external entity (XXE) without reading the file', () => {
    const xxe = minimal
      .replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
      )
      .replace('Eksempel Kommune', '&x;');
    const error = parseError(xxe);
    expect(error.code).toBe('XML_FORBIDDEN_MARKUP');
    expect(error.message).not.toContain('root:');
  });

  it('rejects a DOCTYPE hidden inside the root element', () => {
    const hidden = minimal.replace(
      '<memo:MessageHeader>',
      '<!DOCTYPE m [<!ENTITY e "boom">]><memo:MessageHeader>',
    );
    expect(parseError(hidden).code).toBe('XML_FORBIDDEN_MARKUP');
  });

  it('rejects a bare entity declaration', () => {
    expect(
      parseError(minimal.replace('<memo:MessageHeader>', '<!ENTITY e "x"><memo:MessageHeader>')).code,
    ).toBe('XML_FORBIDDEN_MARKUP');
  });

  it('takes an element with only a comment for empty, and an empty CDATA section for text', () => {
    const reply = (content: string): string =>
      minimal.replace('</memo:label>', `</memo:label><memo:reply>${content}</memo:reply>`);
    expect(parseMemo(reply('<!-- c --><?p?>')).messageHeader.reply).toBe(false);
    // As libxml2 (xmllint) does: '' is not a boolean.
    expect(validateMemo(reply('<![CDATA[]]>'), { rules: 'schema' }).issues).toEqual([
      expect.objectContaining({ code: 'INVALID_BOOLEAN' }),
    ]);
  });

  it('allows comments, CDATA and processing instructions', () => {
    const xml = minimal
      .replace('<memo:MessageHeader>', '<!-- a <!DOCTYPE in a comment --><?app data?><memo:MessageHeader>')
      .replace('Eksempel Kommune', '<![CDATA[<!DOCTYPE & friends>]]>');
    expect(parseMemo(xml).messageHeader.sender.label).toBe('<!DOCTYPE & friends>');
  });

  it('fails fast on a huge document that is not XML', () => {
    const huge = parseError(Buffer.alloc(50 * 1024 * 1024, 'a'));
    expect(huge.code).toBe('XML_MALFORMED');
    // Refused at its first character, as one byte of it is: the other 50 MiB make no difference.
    expect({ line: huge.line, column: huge.column }).toEqual({ line: 1, column: 1 });
    expect(huge.message).toBe(parseError('a').message);
  });
});

describe('large file contents', () => {
  /** The file's content node as the XML parser saw it, and how many texts were lifted out. */
  const contentAsParsed = (xml: string): { text: unknown; lifted: number } => {
    const document = readXml(xml, { maxElements: 10_000 });
    const find = (node: XmlNode): XmlNode | undefined => {
      const name = nodeName(node);
      if (name === 'memo:content') return node;
      if (name === '#text') return undefined;
      for (const child of nodeChildren(node, name)) {
        const found = find(child);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const content = find(document.root);
    return {
      text: content && nodeChildren(content, 'memo:content')[0]?.['#text'],
      lifted: document.lifted.length,
    };
  };
  const content = Buffer.alloc(300_000, 0x41);
  const base64 = content.toString('base64');
  const withContent = (text: string): string => minimal.replace('JVBERi0xLjQKJcOkw7zDtsOfCg==', text);

  it('decodes a large content lifted out before parsing', () => {
    const memo = parseMemo(Buffer.from(withContent(base64)));
    expect(Buffer.from(memo.messageBody?.mainDocument.files[0]?.content ?? []).equals(content)).toBe(true);
  });

  it('decodes base64 with line breaks and keeps later line numbers right', () => {
    const wrapped = base64.replace(/.{76}/g, '$&\n');
    const memo = parseMemo(withContent(wrapped));
    expect(memo.messageBody?.mainDocument.files[0]?.content.byteLength).toBe(content.byteLength);
    const broken = withContent(wrapped).replace('</memo:MainDocument>', '</memo:MainDocuments>');
    const expectedLine = broken.slice(0, broken.indexOf('</memo:MainDocuments>')).split('\n').length;
    expect(parseError(broken).line).toBe(expectedLine);
  });

  it('reports invalid base64 in a large content', () => {
    const result = validateMemo(withContent(`${base64.slice(0, -4)}!!!!`), { rules: 'schema' });
    expect(result.issues).toEqual([
      expect.objectContaining({ path: 'MessageBody/MainDocument/File[1]/content', code: 'INVALID_BASE64' }),
    ]);
  });

  it.each([
    [
      'character references',
      `${base64.slice(0, 1000)}${[...base64.slice(1000, 1004)].map((c, i) => (i % 2 ? `&#${c.charCodeAt(0)};` : `&#x${c.charCodeAt(0).toString(16)};`)).join('')}${base64.slice(1004)}`,
    ],
    ['a CDATA section', `<![CDATA[${base64}]]>`],
    [
      'CDATA sections, comments and line breaks',
      `<![CDATA[${base64.slice(0, 77)}]]>\r\n<!-- x -->${base64.slice(77)}`,
    ],
  ])('lifts a large content with %s out of the document, and decodes it', (_what, text) => {
    expect(contentAsParsed(withContent(text))).toEqual({ text: `${LIFTED_MARK}0`, lifted: 1 });
    const memo = parseMemo(withContent(text));
    expect(Buffer.from(memo.messageBody?.mainDocument.files[0]?.content ?? []).equals(content)).toBe(true);
  });

  it('leaves a short text to the XML parser', () => {
    expect(contentAsParsed(minimal)).toEqual({ text: 'JVBERi0xLjQKJcOkw7zDtsOfCg==', lifted: 0 });
  });

  it('says where a well-formedness error is, line and column, past lifted texts', () => {
    const xml = withContent(base64.replace(/.{76}/g, '$&\n')).replace(
      '</memo:content>',
      '</memo:content><memo:x></memo:y>',
    );
    const at = xml.indexOf('</memo:y>');
    const line = xml.slice(0, at).split('\n').length;
    const column = at - xml.lastIndexOf('\n', at);
    const opened = xml.indexOf('<memo:x>');
    const error = parseError(xml);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toContain(
      `(opened in line ${line}, col ${opened - xml.lastIndexOf('\n', opened)})`,
    );
  });

  it('does not lift a content element in a comment', () => {
    const xml = withContent(base64).replace(
      '<memo:MessageHeader>',
      `<!-- <memo:content>${base64}</memo:content> --><memo:MessageHeader>`,
    );
    expect(parseMemo(xml).messageBody?.mainDocument.files[0]?.content.byteLength).toBe(content.byteLength);
  });
});
