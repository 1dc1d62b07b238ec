/**
 * Taking MeMos in (`engine.intake`): what is checked before the answer (a readable MeMo, its
 * messageUUID, a repeat or a conflict), and bulk containers whose entries are receipted one by one.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { writeContainer } from '../../sdk/memo/container.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { rejectionOf, SEED_IDS, START, testEngine } from '../../test/support/engine.ts';

async function containerOf(entries: Array<Memo | { messageUUID: string; xml: Uint8Array }>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeContainer(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const uuidOf = (memo: Memo): string => memo.messageHeader.messageUUID;

describe('one MeMo', () => {
  it('is stored as RECEIVED with a new transmission id, at simulator time', async () => {
    const { engine, letter, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });

    const taken = await engine.intake.submitMemo(
      system(SEED_IDS.senderPull),
      serializeMemoToBytes(memo),
      uuidOf(memo),
    );

    expect(taken.kind).toBe('new');
    expect(taken.message).toMatchObject({
      messageUUID: uuidOf(memo),
      senderSystemId: SEED_IDS.senderPull,
      state: 'RECEIVED',
      receivedAt: START,
      transmissionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('records that it was received and that the technical receipt was given', async () => {
    const { letter, send, tags } = testEngine();

    const message = await send(await letter({ cpr: '0101700001' }));

    expect(tags(message.messageUUID).slice(0, 2)).toEqual([
      'MEMO_SEND_RECEIVED',
      'TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM',
    ]);
  });

  it('sent again byte for byte by the same system is the same message, not a second letter', async () => {
    const { engine, letter, system, mailbox, receipts } = testEngine();
    const memo = await letter({ cpr: '0101700001' });
    const xml = serializeMemoToBytes(memo);
    const original = await engine.intake.submitMemo(system(SEED_IDS.senderPull), xml, uuidOf(memo));
    await engine.idle();

    const repeat = await engine.intake.submitMemo(system(SEED_IDS.senderPull), xml, uuidOf(memo));
    await engine.idle();

    expect(repeat.kind).toBe('repeat');
    expect(repeat.message.transmissionId).toBe(original.message.transmissionId);
    expect(mailbox('0101700001')).toEqual([uuidOf(memo)]);
    expect(receipts()).toHaveLength(1);
  });

  it('with a messageUUID already used for other content is DUPLICATE_MESSAGE_UUID, naming the original to its sender', async () => {
    const { engine, letter, send, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });
    const original = await send(memo);
    const changed = await letter({ cpr: '0101700001' }, { messageUUID: uuidOf(memo), label: 'Changed' });

    const rejection = await rejectionOf(() =>
      engine.intake.submitMemo(system(SEED_IDS.senderPull), serializeMemoToBytes(changed), uuidOf(memo)),
    );

    expect(rejection).toMatchObject({ kind: 'conflict', code: 'DUPLICATE_MESSAGE_UUID' });
    expect(rejection.original?.transmissionId).toBe(original.transmissionId);
  });

  it("with another system's messageUUID is DUPLICATE_MESSAGE_UUID without naming that system's message", async () => {
    const { engine, letter, send, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });
    await send(memo);

    const rejection = await rejectionOf(() =>
      engine.intake.submitMemo(system(SEED_IDS.senderPush), serializeMemoToBytes(memo), uuidOf(memo)),
    );

    expect(rejection).toMatchObject({ kind: 'conflict', code: 'DUPLICATE_MESSAGE_UUID' });
    expect(rejection.original).toBeUndefined();
  });

  it('that is not a MeMo is refused MEMO_UNREADABLE', async () => {
    const { engine, system } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.intake.submitMemo(system(SEED_IDS.senderPull), Buffer.from('this is not XML'), randomUUID()),
    );

    expect(rejection).toMatchObject({ kind: 'invalid', code: 'MEMO_UNREADABLE' });
  });

  it("whose query messageUUID is not the header's is refused MEMO_UUID_MISMATCH and not stored", async () => {
    const { engine, letter, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });

    const rejection = await rejectionOf(() =>
      engine.intake.submitMemo(system(SEED_IDS.senderPull), serializeMemoToBytes(memo), randomUUID()),
    );

    expect(rejection).toMatchObject({ kind: 'invalid', code: 'MEMO_UUID_MISMATCH' });
    expect(rejection.fieldErrors).toMatchObject([{ resource: 'query', field: 'memo-message-uuid' }]);
    expect(await rejectionOf(() => engine.inspection.message(uuidOf(memo)))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('without a query messageUUID is refused MEMO_UUID_MISSING', async () => {
    const { engine, letter, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });

    const rejection = await rejectionOf(() =>
      engine.intake.submitMemo(system(SEED_IDS.senderPull), serializeMemoToBytes(memo), undefined),
    );

    expect(rejection).toMatchObject({ kind: 'invalid', code: 'MEMO_UUID_MISSING' });
  });

  it('named in upper case by the query is the same messageUUID, stored in lower case', async () => {
    const { engine, letter, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });

    const taken = await engine.intake.submitMemo(
      system(SEED_IDS.senderPull),
      serializeMemoToBytes(memo),
      uuidOf(memo).toUpperCase(),
    );

    expect(taken.message.messageUUID).toBe(uuidOf(memo).toLowerCase());
  });

  it('dropped as a file larger than the MeMo limit is refused MESSAGE_TOO_LARGE', async () => {
    const { engine, letter, system } = testEngine({ settings: { maxMemoBytes: 100 } });
    const xml = serializeMemoToBytes(await letter({ cpr: '0101700001' }));

    const rejection = await rejectionOf(() => engine.intake.submitMemoFile(system(SEED_IDS.senderSftp), xml));

    expect(rejection).toMatchObject({ kind: 'too-large', code: 'MESSAGE_TOO_LARGE' });
  });

  it("dropped as a file is taken under its header's messageUUID", async () => {
    const { engine, letter, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });

    const taken = await engine.intake.submitMemoFile(system(SEED_IDS.senderSftp), serializeMemoToBytes(memo));

    expect(taken).toMatchObject({ kind: 'new', message: { messageUUID: uuidOf(memo) } });
  });
});

describe('a bulk container', () => {
  it('makes each readable entry a message of its own, each with its business receipt', async () => {
    const { engine, letter, system, receipts, mailbox } = testEngine();
    const memos = [await letter({ cpr: '0101700001' }), await letter({ cpr: '0101700005' })];

    const taken = await engine.intake.submitContainer(system(SEED_IDS.senderPull), await containerOf(memos));
    await engine.idle();

    expect(taken).toMatchObject({ stored: 2, rejected: 0, receivedAt: START });
    expect(receipts().map((receipt) => [receipt.messageUUID, receipt.receiptStatus])).toEqual(
      memos.map((memo) => [uuidOf(memo), 'COMPLETED']),
    );
    expect(mailbox('0101700005')).toEqual([uuidOf(memos[1] as Memo)]);
  });

  it('receipts an unreadable entry and a misnamed entry INVALID without stopping the good one', async () => {
    const { engine, letter, system, receipts } = testEngine();
    const good = await letter({ cpr: '0101700001' });
    const unreadable = { messageUUID: randomUUID(), xml: Buffer.from('not a MeMo') };
    const misnamed = await letter({ cpr: '0101700001' });
    const misnamedEntry = { messageUUID: randomUUID(), xml: serializeMemoToBytes(misnamed) };

    const taken = await engine.intake.submitContainer(
      system(SEED_IDS.senderPull),
      await containerOf([unreadable, good, misnamedEntry]),
    );
    await engine.idle();

    expect(taken).toMatchObject({ stored: 1, rejected: 2 });
    const byMessage = new Map(receipts().map((receipt) => [receipt.messageUUID, receipt]));
    expect(byMessage.get(uuidOf(good))).toMatchObject({ receiptStatus: 'COMPLETED' });
    expect(byMessage.get(unreadable.messageUUID)).toMatchObject({
      receiptStatus: 'INVALID',
      errorCode: 'MEMO_SCHEMA_INVALID',
    });
    expect(byMessage.get(uuidOf(misnamed))).toMatchObject({
      receiptStatus: 'INVALID',
      errorCode: 'MEMO_UUID_MISMATCH',
    });
  });

  it('receipts an entry whose messageUUID names a different message INVALID DUPLICATE_MESSAGE_UUID', async () => {
    const { engine, letter, send, system, receipts } = testEngine();
    const memo = await letter({ cpr: '0101700001' });
    await send(memo);
    const changed = await letter({ cpr: '0101700001' }, { messageUUID: uuidOf(memo), label: 'Changed' });

    const taken = await engine.intake.submitContainer(
      system(SEED_IDS.senderPull),
      await containerOf([changed]),
    );
    await engine.idle();

    expect(taken).toMatchObject({ stored: 0, rejected: 1 });
    expect(receipts().map((receipt) => [receipt.receiptStatus, receipt.errorCode ?? null])).toEqual([
      ['COMPLETED', null],
      ['INVALID', 'DUPLICATE_MESSAGE_UUID'],
    ]);
  });

  it('leaves the messageUUID of an unreadable entry free for the corrected MeMo', async () => {
    const { engine, letter, send, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });
    const unreadable = { messageUUID: uuidOf(memo), xml: Buffer.from('not a MeMo') };
    await engine.intake.submitContainer(system(SEED_IDS.senderPull), await containerOf([unreadable]));
    await engine.idle();

    const message = await send(memo);

    expect(message.state).toBe('DELIVERED');
  });

  it('leaves the messageUUID of a misnamed entry free for the corrected MeMo, as a 400 of POST /memos/ does', async () => {
    const { engine, letter, send, system } = testEngine();
    const memo = await letter({ cpr: '0101700001' });
    const misnamed = { messageUUID: randomUUID(), xml: serializeMemoToBytes(memo) };
    await engine.intake.submitContainer(system(SEED_IDS.senderPull), await containerOf([misnamed]));
    await engine.idle();

    const message = await send(memo);

    expect(message.state).toBe('DELIVERED');
  });

  it('of more letters than one commit stores takes them all, with one received and one technical receipt event', async () => {
    const { engine, letter, system, emitted } = testEngine();
    const memos = await Promise.all(Array.from({ length: 1_100 }, () => letter({ cpr: '0101700001' })));

    const taken = await engine.intake.submitContainer(system(SEED_IDS.senderPull), await containerOf(memos));

    expect(taken).toMatchObject({ stored: 1_100, rejected: 0 });
    const tags = emitted.flatMap((event) => (event.type === 'logged' ? [event.event.eventTag] : []));
    expect(tags.filter((tag) => tag === 'MEMO_EXTRACTED')).toHaveLength(1_100);
    expect(tags.filter((tag) => tag === 'MEMO_MASS_SEND_RECEIVED')).toHaveLength(1);
    expect(tags.filter((tag) => tag === 'TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM')).toHaveLength(1);
    expect(engine.memory.used).toBe(0);
  });

  it('that holds no MeMo is refused CONTAINER_EMPTY', async () => {
    const { engine, system } = testEngine();

    const rejection = await rejectionOf(async () =>
      engine.intake.submitContainer(system(SEED_IDS.senderPull), await containerOf([])),
    );

    expect(rejection).toMatchObject({ kind: 'invalid', code: 'CONTAINER_EMPTY' });
  });

  it('that is not a container is refused CONTAINER_UNREADABLE', async () => {
    const { engine, system } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.intake.submitContainer(system(SEED_IDS.senderPull), Buffer.from('not LZMA at all')),
    );

    expect(rejection).toMatchObject({ kind: 'invalid', code: 'CONTAINER_UNREADABLE' });
  });
});

describe('the memory budget', () => {
  /** Letters whose XML is about 40 KB each. */
  async function letters(count: number, letter: ReturnType<typeof testEngine>['letter']): Promise<Memo[]> {
    const pdf = Buffer.alloc(30_000, 'p');
    return Promise.all(
      Array.from({ length: count }, () =>
        letter({ cpr: '0101700001' }, { document: { content: pdf, filename: 'brev.pdf' } }),
      ),
    );
  }

  it('holds the entries of a container while it is read, and nothing once it is stored', async () => {
    const { engine, letter, system } = testEngine();
    await engine.intake.submitContainer(
      system(SEED_IDS.senderPull),
      await containerOf(await letters(3, letter)),
    );
    expect(engine.memory.used).toBe(0);
  });

  it('with no room now for the entries of a container refuses it unavailable, storing none of it', async () => {
    const { engine, letter, system, receipts } = testEngine({ settings: { memoryBudgetBytes: 2_000_000 } });
    const memos = await letters(20, letter);
    const others = engine.memory.hold('another request');
    others.grow(1_500_000);

    const rejection = await rejectionOf(async () =>
      engine.intake.submitContainer(system(SEED_IDS.senderPull), await containerOf(memos)),
    );

    expect(rejection).toMatchObject({ kind: 'unavailable', code: 'SERVICE_UNAVAILABLE' });
    expect(engine.memory.used).toBe(1_500_000);
    await engine.idle();
    expect(receipts()).toEqual([]);
    others.release();
    const taken = await engine.intake.submitContainer(system(SEED_IDS.senderPull), await containerOf(memos));
    expect(taken).toMatchObject({ stored: 20 });
  });

  it('refuses a container whose entries need more than the whole budget as too large', async () => {
    const { engine, letter, system } = testEngine({ settings: { memoryBudgetBytes: 500_000 } });

    const rejection = await rejectionOf(async () =>
      engine.intake.submitContainer(
        system(SEED_IDS.senderPull),
        await containerOf(await letters(20, letter)),
      ),
    );

    expect(rejection).toMatchObject({ kind: 'too-large', code: 'MESSAGE_TOO_LARGE' });
    expect(engine.memory.used).toBe(0);
  });
});
