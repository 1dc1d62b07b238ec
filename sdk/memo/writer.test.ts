import { describe, expect, it } from 'vitest';
import { minimalMemo, richMemo } from '../../test/support/memos.ts';
import { MemoSerializeError } from '../errors.ts';
import { serializeMemo, serializeMemoToBytes } from './writer.ts';

describe('serializeMemo', () => {
  it('writes the memo: prefix and declares only the namespaces used, on the root', () => {
    const xml = serializeMemo(minimalMemo('1.2'));
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><memo:Message xmlns:memo="https:\/\/DigitalPost.dk\/MeMo-1" memoVersion="1.2">/,
    );
    expect(xml).not.toContain('xmlns:grd');
    const rich = serializeMemo(richMemo('1.2'));
    const root = rich.slice(0, rich.indexOf('>', rich.indexOf('<memo:Message')));
    for (const prefix of ['memo', 'grd', 'gln', 'kle', 'form', 'dmv', 'sor', 'udd'])
      expect(root).toContain(`xmlns:${prefix}=`);
    expect(rich.match(/xmlns:/g)).toHaveLength(8);
    expect(rich).toContain('<grd:CPRdata><grd:cprNumber>0101901234</grd:cprNumber>');
  });

  it('writes 1.1 with memoSchVersion and the required booleans', () => {
    const xml = serializeMemo(minimalMemo('1.1'));
    expect(xml).toContain('memoVersion="1.1" memoSchVersion="1.1.0"');
    expect(xml).toContain(
      '</memo:label><memo:mandatory>false</memo:mandatory><memo:legalNotification>false</memo:legalNotification><memo:Sender>',
    );
  });

  it('writes 1.2 without memoSchVersion and without defaulted booleans', () => {
    const xml = serializeMemo({ ...minimalMemo('1.2'), schemaVersion: '1.1.0' });
    expect(xml).not.toContain('memoSchVersion');
    expect(xml).not.toContain('mandatory');
  });

  it('writes elements in schema order whatever the object key order', () => {
    const memo = minimalMemo('1.2');
    const { sender, recipient, ...rest } = memo.messageHeader;
    memo.messageHeader = { recipient, sender, ...rest };
    expect(serializeMemo(memo).indexOf('<memo:Sender>')).toBeLessThan(
      serializeMemo(memo).indexOf('<memo:Recipient>'),
    );
  });

  it('escapes text and keeps carriage returns', () => {
    const memo = minimalMemo('1.2');
    memo.messageHeader.label = 'A & B <c> "d" \'e\' \r\n';
    expect(serializeMemo(memo)).toContain('<memo:label>A &amp; B &lt;c&gt; "d" \'e\' &#13;\n</memo:label>');
  });

  it('writes file content as base64', () => {
    const memo = minimalMemo('1.2');
    const file = memo.messageBody?.mainDocument.files[0];
    if (file) file.content = new Uint8Array([0, 1, 2, 250, 251, 252]);
    expect(serializeMemo(memo)).toContain('<memo:content>AAEC+vv8</memo:content>');
  });

  it('can start with a byte order mark', () => {
    expect(serializeMemoToBytes(minimalMemo('1.2'), { byteOrderMark: true }).subarray(0, 3)).toEqual(
      Buffer.from([0xef, 0xbb, 0xbf]),
    );
  });

  it('indents nested elements on request', () => {
    expect(serializeMemo(minimalMemo('1.2'), { indent: 2 })).toContain(
      '\n  <memo:MessageHeader>\n    <memo:messageType>',
    );
  });

  it('refuses 1.2-only elements in a 1.1 message', () => {
    const memo = richMemo('1.1');
    memo.messageHeader.sender.representative = { label: 'R' };
    expect(() => serializeMemo(memo)).toThrow(MemoSerializeError);
    expect(() => serializeMemo(memo)).toThrow(
      /MessageHeader\/Sender\/Representative: Representative exists only in MeMo 1\.2/,
    );
  });

  it('refuses values it cannot write', () => {
    const memo = minimalMemo('1.2');
    memo.messageHeader.label = 'nul\u0000';
    expect(() => serializeMemo(memo)).toThrow(
      /MessageHeader\/label: contains a character that XML cannot carry/,
    );
    expect(() => serializeMemo({ ...minimalMemo('1.2'), version: '2.0' as never })).toThrow(
      MemoSerializeError,
    );
    const wrongType = minimalMemo('1.2');
    (wrongType.messageHeader as unknown as Record<string, unknown>).reply = 'yes';
    expect(() => serializeMemo(wrongType)).toThrow(/reply: must be a boolean/);
  });

  it('writes a large file straight into the output bytes', () => {
    const memo = minimalMemo('1.2');
    const content = Buffer.alloc(7 * 1024 * 1024 + 1, 7);
    const file = memo.messageBody?.mainDocument.files[0];
    if (file) file.content = content;
    const bytes = serializeMemoToBytes(memo);
    expect(bytes.toString('utf8')).toBe(serializeMemo(memo));
  });
});
