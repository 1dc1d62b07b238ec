import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoValidationError } from '../errors.ts';
import { parseMemo } from './parse.ts';
import { validateMemo } from './validate.ts';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../test/fixtures/memo/${name}`, import.meta.url), 'utf8');

const minimal12 = fixture('minimal-1.2.xml');
const minimal11 = fixture('minimal-1.1.xml');

function issuesOf(xml: string, options = {}) {
  return validateMemo(xml, { rules: 'schema', ...options }).issues.map(({ path, code }) => ({ path, code }));
}

describe('parseMemo', () => {
  it.each(['minimal-1.1.xml', 'minimal-1.2.xml', 'nemsms-1.2.xml', 'rich-1.2.xml'])(
    'parses and validates %s',
    (name) => {
      const xml = fixture(name);
      expect(() => parseMemo(xml, { rules: 'ngdp' })).not.toThrow();
    },
  );

  it('reads MeMo 1.1 with its schema version and defaults', () => {
    const memo = parseMemo(minimal11);
    expect(memo.version).toBe('1.1');
    expect(memo.schemaVersion).toBe('1.1.0');
    expect(memo.messageHeader.mandatory).toBe(false);
    expect(memo.messageHeader.legalNotification).toBe(false);
  });

  it('keeps identifiers as strings with their leading zeros', () => {
    const memo = parseMemo(minimal12);
    expect(memo.messageHeader.recipient.recipientID).toBe('0101901234');
  });

  it('decodes file content from base64', () => {
    const memo = parseMemo(minimal12);
    expect(Buffer.from(memo.messageBody?.mainDocument.files[0]?.content ?? []).toString('latin1')).toMatch(
      /^%PDF-1\.4/,
    );
  });

  it('accepts any namespace prefix', () => {
    const xml = minimal12.replaceAll('memo:', 'dp:').replace('xmlns:memo=', 'xmlns:dp=');
    expect(parseMemo(xml).messageHeader.label).toBe('Afgørelse om boligstøtte');
  });

  it('accepts a default namespace', () => {
    const xml = minimal12.replaceAll('memo:', '').replace('xmlns:memo=', 'xmlns=');
    expect(parseMemo(xml).messageHeader.sender.senderID).toBe('12345678');
  });

  it('accepts namespaces declared on inner elements', () => {
    const xml = minimal12
      .replace('<memo:Sender>', '<s:Sender xmlns:s="https://DigitalPost.dk/MeMo-1">')
      .replace('</memo:Sender>', '</s:Sender>');
    expect(parseMemo(xml).messageHeader.sender.label).toBe('Eksempel Kommune');
  });

  it('tolerates a UTF-8 byte order mark in a string and in bytes', () => {
    expect(parseMemo(`\ufeff${minimal12}`).version).toBe('1.2');
    expect(parseMemo(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(minimal12)])).version).toBe(
      '1.2',
    );
  });

  it('accepts a lower-case cpr idType', () => {
    const xml = minimal12.replace('<memo:idType>CPR</memo:idType>', '<memo:idType>cpr</memo:idType>');
    expect(validateMemo(xml).issues).toEqual([]);
    expect(parseMemo(xml).messageHeader.recipient.idType).toBe('cpr');
  });

  it('decodes entities and character references', () => {
    const xml = minimal12.replace('Eksempel Kommune', 'A &amp; B &#229;&#x00E6; &lt;x&gt; <![CDATA[<ok>]]>');
    expect(parseMemo(xml).messageHeader.sender.label).toBe('A & B åæ <x> <ok>');
  });

  it('normalizes CRLF line ends in text as XML requires', () => {
    const xml = minimal12.replace('Eksempel Kommune', 'line one\r\nline two');
    expect(parseMemo(xml).messageHeader.sender.label).toBe('line one\nline two');
  });

  it('throws MemoValidationError listing every structural problem', () => {
    const xml = minimal12
      .replace('<memo:label>Afgørelse om boligstøtte</memo:label>', '')
      .replace('<memo:idType>CVR</memo:idType>', '<memo:idType>CVR</memo:idType><memo:bogus/>');
    try {
      parseMemo(xml);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MemoValidationError);
      expect((error as MemoValidationError).issues.map((i) => i.code).sort()).toEqual([
        'MISSING_ELEMENT',
        'UNEXPECTED_ELEMENT',
      ]);
    }
  });

  it('returns what it could read when lenient', () => {
    const xml = minimal12.replace(
      '<memo:idType>CVR</memo:idType>',
      '<memo:idType>CVR</memo:idType><memo:bogus/>',
    );
    expect(parseMemo(xml, { lenient: true }).messageHeader.sender.label).toBe('Eksempel Kommune');
  });
});

describe('structural checks while reading', () => {
  it('reports an element out of order', () => {
    const xml = minimal12
      .replace('<memo:label>Afgørelse om boligstøtte</memo:label>\n', '')
      .replace('</memo:Recipient>', '</memo:Recipient><memo:label>Afgørelse</memo:label>');
    expect(issuesOf(xml)).toEqual([{ path: 'MessageHeader/label', code: 'ELEMENT_OUT_OF_ORDER' }]);
  });

  it('reports an unknown element with the allowed ones', () => {
    const xml = minimal12.replace('<memo:Sender>', '<memo:Sender><memo:nickname>x</memo:nickname>');
    const result = validateMemo(xml, { rules: 'schema' });
    expect(result.issues[0]).toMatchObject({
      path: 'MessageHeader/Sender/nickname',
      code: 'UNEXPECTED_ELEMENT',
    });
    expect(result.issues[0]?.message).toContain('allowed: senderID, idType');
  });

  it('reports an element in the wrong namespace', () => {
    const xml = minimal12
      .replace('<memo:MessageHeader>', '<memo:MessageHeader xmlns:grd="https://data.gov.dk/model/core/">')
      .replace(
        '<memo:messageType>DIGITALPOST</memo:messageType>',
        '<grd:messageType>DIGITALPOST</grd:messageType>',
      );
    expect(issuesOf(xml)).toEqual([
      { path: 'MessageHeader/messageType', code: 'WRONG_NAMESPACE' },
      { path: 'MessageHeader/messageType', code: 'MISSING_ELEMENT' },
    ]);
  });

  it('reports a single element that occurs twice', () => {
    const xml = minimal12.replace(
      '<memo:messageType>DIGITALPOST</memo:messageType>',
      '<memo:messageType>DIGITALPOST</memo:messageType><memo:messageType>NEMSMS</memo:messageType>',
    );
    expect(issuesOf(xml)).toEqual([{ path: 'MessageHeader/messageType', code: 'TOO_MANY_ELEMENTS' }]);
  });

  it('reports text where only elements belong', () => {
    const xml = minimal12.replace('<memo:Sender>', '<memo:Sender>hello');
    expect(issuesOf(xml)).toEqual([{ path: 'MessageHeader/Sender', code: 'UNEXPECTED_TEXT' }]);
  });

  it('reports an element inside a text element', () => {
    const xml = minimal12.replace(
      '<memo:label>Eksempel Kommune</memo:label>',
      '<memo:label>Eksempel <memo:b>Kommune</memo:b></memo:label>',
    );
    expect(issuesOf(xml)).toEqual([{ path: 'MessageHeader/Sender/label/b', code: 'UNEXPECTED_ELEMENT' }]);
  });

  it('reports attributes MeMo does not declare', () => {
    const xml = minimal12
      .replace('<memo:Sender>', '<memo:Sender id="1">')
      .replace('memoVersion="1.2"', 'memoVersion="1.2" lang="da"');
    expect(issuesOf(xml)).toEqual([
      { path: '@lang', code: 'UNEXPECTED_ATTRIBUTE' },
      { path: 'MessageHeader/Sender/@id', code: 'UNEXPECTED_ATTRIBUTE' },
    ]);
  });

  it('tolerates xsi:schemaLocation', () => {
    const xml = minimal12.replace(
      'memoVersion="1.2"',
      'memoVersion="1.2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="https://DigitalPost.dk/MeMo-1 MeMo_core.xsd"',
    );
    expect(issuesOf(xml)).toEqual([]);
  });

  it('reports a missing memoVersion', () => {
    expect(issuesOf(minimal12.replace(' memoVersion="1.2"', ''))).toEqual([
      { path: '@memoVersion', code: 'MISSING_ATTRIBUTE' },
    ]);
  });

  it('reports an unsupported memoVersion unless a version is forced', () => {
    const xml = minimal12.replace('memoVersion="1.2"', 'memoVersion="1.3"');
    expect(issuesOf(xml)).toEqual([{ path: '@memoVersion', code: 'UNSUPPORTED_VERSION' }]);
    expect(issuesOf(xml, { version: '1.2' })).toEqual([]);
  });

  it('reads memoVersion as a decimal', () => {
    expect(validateMemo(minimal12.replace('memoVersion="1.2"', 'memoVersion=" 1.20 "')).version).toBe('1.2');
  });

  it('requires memoSchVersion, mandatory and legalNotification in 1.1', () => {
    const xml = minimal11
      .replace(' memoSchVersion="1.1.0"', '')
      .replace('<memo:mandatory>false</memo:mandatory>', '')
      .replace('<memo:legalNotification>false</memo:legalNotification>', '');
    expect(issuesOf(xml)).toEqual([
      { path: '@memoSchVersion', code: 'MISSING_ATTRIBUTE' },
      { path: 'MessageHeader/mandatory', code: 'MISSING_ELEMENT' },
      { path: 'MessageHeader/legalNotification', code: 'MISSING_ELEMENT' },
    ]);
  });

  it('rejects memoSchVersion and Representative by version', () => {
    expect(
      issuesOf(minimal12.replace('memoVersion="1.2"', 'memoVersion="1.2" memoSchVersion="1.1.0"')),
    ).toEqual([{ path: '@memoSchVersion', code: 'NOT_ALLOWED_IN_VERSION' }]);
    const representative =
      '<memo:Representative><memo:label>R</memo:label></memo:Representative></memo:Sender>';
    expect(issuesOf(minimal11.replace('</memo:Sender>', representative))).toEqual([
      { path: 'MessageHeader/Sender/Representative', code: 'NOT_ALLOWED_IN_VERSION' },
    ]);
    expect(issuesOf(minimal12.replace('</memo:Sender>', representative))).toEqual([]);
  });

  it('reports booleans and base64 that are not', () => {
    const xml = minimal12
      .replace('</memo:label>', '</memo:label><memo:reply>yes</memo:reply>')
      .replace('JVBERi0xLjQKJcOkw7zDtsOfCg==', 'JVBERi0xLjQKJcOkw7zDtsOfCg=');
    expect(issuesOf(xml)).toEqual([
      { path: 'MessageHeader/reply', code: 'INVALID_BOOLEAN' },
      { path: 'MessageBody/MainDocument/File[1]/content', code: 'INVALID_BASE64' },
    ]);
  });

  it('gives an empty flag element its schema default, false', () => {
    const xml = minimal11.replace('<memo:mandatory>false</memo:mandatory>', '<memo:mandatory/>');
    expect(issuesOf(xml)).toEqual([]);
    expect(parseMemo(xml).messageHeader.mandatory).toBe(false);
    const blank = minimal11.replace(
      '<memo:mandatory>false</memo:mandatory>',
      '<memo:mandatory> </memo:mandatory>',
    );
    expect(issuesOf(blank)).toEqual([{ path: 'MessageHeader/mandatory', code: 'INVALID_BOOLEAN' }]);
  });

  it('collapses only XML whitespace, not other Unicode spaces', () => {
    expect(
      issuesOf(minimal12.replace('</memo:label>', '</memo:label><memo:reply>\n true </memo:reply>')),
    ).toEqual([]);
    expect(
      issuesOf(minimal12.replace('</memo:label>', '</memo:label><memo:reply>true&#160;</memo:reply>')),
    ).toEqual([{ path: 'MessageHeader/reply', code: 'INVALID_BOOLEAN' }]);
  });

  it('accepts xsi:type naming the declared type, and nothing else', () => {
    const typed = (type: string) =>
      minimal12.replace(
        '<memo:label>Afgørelse om boligstøtte</memo:label>',
        `<memo:label xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:dt="https://data.gov.dk/model/dataTypes/" xsi:type="${type}">x</memo:label>`,
      );
    expect(issuesOf(typed('dt:memoTextType'))).toEqual([]);
    expect(issuesOf(typed('dt:memoCommentType'))).toEqual([
      { path: 'MessageHeader/label/@type', code: 'UNEXPECTED_ATTRIBUTE' },
    ]);
  });

  it('numbers repeated elements in paths', () => {
    const file =
      '<memo:File><memo:encodingFormat>application/pdf</memo:encodingFormat><memo:filename>b.pdf</memo:filename><memo:language>d1</memo:language><memo:content></memo:content></memo:File>';
    const xml = minimal12.replace('</memo:MainDocument>', `${file}</memo:MainDocument>`);
    expect(issuesOf(xml)).toEqual([
      { path: 'MessageBody/MainDocument/File[2]/language', code: 'INVALID_LANGUAGE' },
    ]);
  });
});
