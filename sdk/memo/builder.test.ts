import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DigitalPostError, InvalidOptionsError, MemoValidationError } from '../errors.ts';
import {
  createLetter,
  createNemSms,
  createReply,
  newMessageUUID,
  toCopenhagenDate,
  toMemoDateTime,
} from './builder.ts';
import { parseMemo } from './parse.ts';
import { serializeMemo } from './writer.ts';

const sender = { cvr: '12345678', label: 'Eksempel Kommune' };
const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');

describe('createLetter', () => {
  it('builds a valid letter with a generated v4 UUID and creation time', async () => {
    const memo = await createLetter({
      sender,
      recipient: { cpr: '0101901234' },
      label: 'Brev',
      document: { content: pdf, filename: 'brev.pdf' },
    });
    expect(memo.version).toBe('1.2');
    expect(memo.messageHeader.messageUUID).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(memo.messageBody?.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(memo.messageBody?.mainDocument.files[0]).toMatchObject({
      encodingFormat: 'application/pdf',
      filename: 'brev.pdf',
      language: 'da',
    });
  });

  it('reads documents and attachments from paths, Buffers and Uint8Arrays', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memo-'));
    await writeFile(join(dir, 'afgørelse.pdf'), pdf);
    await writeFile(join(dir, 'bilag.txt'), 'bilag');
    const memo = await createLetter({
      sender,
      recipient: { cvr: '87654321' },
      label: 'Afgørelse',
      document: join(dir, 'afgørelse.pdf'),
      attachments: [
        { path: join(dir, 'bilag.txt'), filename: 'Bilag 1.txt' },
        {
          content: new Uint8Array([1, 2, 3]),
          filename: 'data.bin',
          encodingFormat: 'application/octet-stream',
        },
        { files: [{ content: pdf, filename: 'plan.pdf' }], label: 'Situationsplan', id: 'DOC-3' },
      ],
    });
    const body = memo.messageBody;
    expect(Buffer.from(body?.mainDocument.files[0]?.content ?? []).equals(pdf)).toBe(true);
    expect(body?.additionalDocuments?.map((d) => d.files[0]?.filename)).toEqual([
      'Bilag 1.txt',
      'data.bin',
      'plan.pdf',
    ]);
    expect(body?.additionalDocuments?.[0]?.files[0]?.encodingFormat).toBe('text/plain');
    expect(body?.additionalDocuments?.[2]).toMatchObject({
      additionalDocumentID: 'DOC-3',
      label: 'Situationsplan',
    });
    expect(memo.messageHeader.recipient).toEqual({ recipientID: '87654321', idType: 'CVR' });
  });

  it('sets a value date from a string or from a Date in Copenhagen time', async () => {
    const base = {
      sender,
      recipient: { cpr: '0101901234' },
      label: 'x',
      document: { content: pdf, filename: 'a.pdf' },
    } as const;
    expect(
      (await createLetter({ ...base, doNotDeliverUntil: '2025-06-02' })).messageHeader.doNotDeliverUntilDate,
    ).toBe('2025-06-02');
    // 22:30 UTC on 1 June is 00:30 on 2 June in Copenhagen (summer time).
    const memo = await createLetter({ ...base, doNotDeliverUntil: new Date('2025-06-01T22:30:00Z') });
    expect(memo.messageHeader.doNotDeliverUntilDate).toBe('2025-06-02');
  });

  it('writes version 1.1 when asked, with its defaults', async () => {
    const memo = await createLetter({
      version: '1.1',
      sender,
      recipient: { cpr: '0101901234' },
      label: 'x',
      document: { content: pdf, filename: 'a.pdf' },
    });
    expect(serializeMemo(memo)).toContain('memoSchVersion="1.1.0"');
  });

  it('throws MemoValidationError for an invalid result', async () => {
    const promise = createLetter({
      sender,
      recipient: { cpr: '123' },
      label: 'x',
      document: { content: pdf, filename: 'a:b.pdf' },
    });
    await expect(promise).rejects.toBeInstanceOf(MemoValidationError);
    await expect(promise).rejects.toMatchObject({
      issues: [{ code: 'CPR_INVALID' }, { code: 'FILENAME_FORBIDDEN_CHARACTER' }],
    });
  });

  it('explains a missing file and an unknown file type', async () => {
    const base = { sender, recipient: { cpr: '0101901234' }, label: 'x' } as const;
    await expect(createLetter({ ...base, document: '/no/such/file.pdf' })).rejects.toThrow(
      /cannot read the file "\/no\/such\/file.pdf": ENOENT/,
    );
    await expect(createLetter({ ...base, document: { content: pdf, filename: 'a.xyz' } })).rejects.toThrow(
      DigitalPostError,
    );
    await expect(createLetter({ ...base, document: { content: pdf, filename: 'a.xyz' } })).rejects.toThrow(
      /pass encodingFormat/,
    );
  });

  it('rejects a recipient with both or neither of cpr and cvr', async () => {
    await expect(
      createLetter({
        sender,
        recipient: { cpr: '0101901234', cvr: '12345678' } as never,
        label: 'x',
        document: { content: pdf, filename: 'a.pdf' },
      }),
    ).rejects.toThrow(InvalidOptionsError);
  });
});

describe('createNemSms', () => {
  it('puts the text in notification and has no body', () => {
    const memo = createNemSms({
      sender,
      recipient: { cpr: '0101901234' },
      label: 'Påmindelse',
      text: 'Husk din tid i morgen kl. 10',
    });
    expect(memo.messageHeader).toMatchObject({
      messageType: 'NEMSMS',
      notification: 'Husk din tid i morgen kl. 10',
    });
    expect(memo.messageBody).toBeUndefined();
  });

  it('rejects a text over 150 characters', () => {
    expect(() =>
      createNemSms({ sender, recipient: { cpr: '0101901234' }, label: 'x', text: 'x'.repeat(151) }),
    ).toThrow(MemoValidationError);
  });
});

describe('createReply', () => {
  it('answers a citizen: swaps the parties and points at the original', async () => {
    const original = parseMemo(
      serializeMemo({
        version: '1.2',
        messageHeader: {
          messageType: 'DIGITALPOST',
          messageUUID: newMessageUUID(),
          messageID: 'BORGER-1',
          label: 'Spørgsmål til min sag',
          sender: { senderID: '0101901234', idType: 'CPR', label: 'Jens Jensen' },
          recipient: {
            recipientID: '12345678',
            idType: 'CVR',
            label: 'Eksempel Kommune',
            contactPoint: { contactPointID: 'cp-1' },
          },
        },
        messageBody: {
          createdDateTime: '2025-06-01T08:00:00Z',
          mainDocument: {
            files: [{ encodingFormat: 'text/plain', filename: 'q.txt', language: 'da', content: pdf }],
          },
        },
      }),
    );
    const reply = await createReply(original, {
      label: 'Svar',
      document: { content: pdf, filename: 'svar.pdf' },
    });
    expect(reply.messageHeader.sender).toMatchObject({
      senderID: '12345678',
      idType: 'CVR',
      label: 'Eksempel Kommune',
      contactPoint: { contactPointID: 'cp-1' },
    });
    expect(reply.messageHeader.recipient).toMatchObject({ recipientID: '0101901234', idType: 'CPR' });
    expect(reply.messageHeader.replyData).toEqual([
      {
        messageID: 'BORGER-1',
        messageUUID: original.messageHeader.messageUUID,
        senderID: '0101901234',
        recipientID: '12345678',
        contactPointID: 'cp-1',
      },
    ]);
  });
});

describe('date helpers', () => {
  it('formats UTC date-times with Z and no zero milliseconds', () => {
    expect(toMemoDateTime(new Date('2025-06-01T08:30:00Z'))).toBe('2025-06-01T08:30:00Z');
    expect(toMemoDateTime(new Date('2025-06-01T08:30:00.250Z'))).toBe('2025-06-01T08:30:00.250Z');
  });

  // Summer time begins on the last Sunday of March (02:00 CET becomes 03:00 CEST, at 01:00 UTC) and
  // ends on the last Sunday of October (03:00 CEST becomes 02:00 CET, at 01:00 UTC). Midnight in
  // Copenhagen is 23:00 UTC the day before in winter and 22:00 UTC in summer.
  it.each([
    // 2025-03-30 begins in winter time,
    ['2025-03-29T22:59:59.999Z', '2025-03-29'],
    ['2025-03-29T23:00:00.000Z', '2025-03-30'],
    // and moves to summer time that night: 01:59:59.999 CET, then 03:00 CEST, the same day.
    ['2025-03-30T00:59:59.999Z', '2025-03-30'],
    ['2025-03-30T01:00:00.000Z', '2025-03-30'],
    // 2025-03-31 is the first midnight in summer time: an hour earlier in UTC than the one before.
    ['2025-03-30T21:59:59.999Z', '2025-03-30'],
    ['2025-03-30T22:00:00.000Z', '2025-03-31'],
    ['2025-03-30T22:59:59.999Z', '2025-03-31'],
    // 2025-10-26 begins in summer time,
    ['2025-10-25T21:59:59.999Z', '2025-10-25'],
    ['2025-10-25T22:00:00.000Z', '2025-10-26'],
    // and moves back to winter time that night: 02:59:59.999 CEST, then 02:00 CET again.
    ['2025-10-26T00:59:59.999Z', '2025-10-26'],
    ['2025-10-26T01:00:00.000Z', '2025-10-26'],
    // 2025-10-27 is the first midnight in winter time: an hour later in UTC than the one before.
    ['2025-10-26T22:00:00.000Z', '2025-10-26'],
    ['2025-10-26T22:59:59.999Z', '2025-10-26'],
    ['2025-10-26T23:00:00.000Z', '2025-10-27'],
  ])('the instant %s is on %s in Copenhagen, as a value date too', async (instant, date) => {
    expect(toCopenhagenDate(new Date(instant))).toBe(date);
    const letter = await createLetter({
      sender,
      recipient: { cpr: '0101901234' },
      label: 'x',
      document: { content: pdf, filename: 'a.pdf' },
      doNotDeliverUntil: new Date(instant),
    });
    expect(letter.messageHeader.doNotDeliverUntilDate).toBe(date);
  });
});
