/**
 * Jobs when something goes wrong inside them: whatever throws in the `process` job — a bug, a MeMo
 * beyond what the rules foresaw, a store that fails — the message still reaches a final state,
 * INVALID with the reason, and is never tried again for ever (issue 11, finding 3); a later job of
 * the message that keeps throwing is given up, and the message fails with a receipt.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, testEngine } from '../../test/support/engine.ts';
import { MemoryStore } from '../store/memory.ts';
import { MAX_JOB_FAILURES } from './scheduler.ts';

/** A memory store whose organisation lookups throw while `failing` is set (processing reads the sender's). */
class FailingStore extends MemoryStore {
  failing = false;

  override getOrganisation(id: string) {
    if (this.failing) throw new RangeError('Maximum call stack size exceeded');
    return super.getOrganisation(id);
  }
}

describe('a process job that throws', () => {
  it('rejects the message with an INVALID receipt PROCESSING_FAILED, naming the reason', async () => {
    const store = new FailingStore();
    const { engine, letter, send, message, receipts } = testEngine({ store });
    store.failing = true;

    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));

    expect(message(messageUUID)).toMatchObject({ state: 'REJECTED', businessStatus: 'INVALID' });
    expect(receipts()).toEqual([
      expect.objectContaining({
        messageUUID,
        receiptStatus: 'INVALID',
        errorCode: 'PROCESSING_FAILED',
        errorMessage: expect.stringContaining('Maximum call stack size exceeded'),
      }),
    ]);
    await engine.idle();
  });

  it('is not tried again: days later nothing more happens and the log has one line', async () => {
    const store = new FailingStore();
    const { engine, letter, send, receipts, logged, tags } = testEngine({ store });
    store.failing = true;
    const { messageUUID } = await send(await letter({ cpr: '0101700001' }));
    store.failing = false;

    await engine.advanceClock(2 * DAY);

    expect(receipts()).toHaveLength(1);
    expect(tags(messageUUID).filter((tag) => tag === 'MEMO_SEND_VALIDATED')).toEqual([]);
    expect(logged.filter((line) => line.includes(messageUUID))).toHaveLength(1);
  });

  it('leaves the other messages of the same moment alone', async () => {
    const store = new FailingStore();
    const { engine, letter, send, message } = testEngine({ store });
    const good = await send(await letter({ cpr: '0101700001' }));
    store.failing = true;
    const bad = await send(await letter({ cpr: '0101700001' }));
    store.failing = false;
    await engine.advanceClock(HOUR);

    expect(message(good.messageUUID).state).toBe('DELIVERED');
    expect(message(bad.messageUUID).state).toBe('REJECTED');
  });
});

/** A memory store that cannot add to a mailbox while `failing` is set. */
class MailboxFailingStore extends MemoryStore {
  failing = false;

  override addToMailbox(entry: Parameters<MemoryStore['addToMailbox']>[0]) {
    if (this.failing) throw new Error('the mailbox table is gone');
    super.addToMailbox(entry);
  }
}

describe('a job that keeps throwing after the message was accepted', () => {
  it(`is given up after ${MAX_JOB_FAILURES} failures: the message fails with a NOT_ALLOWED receipt PROCESSING_FAILED`, async () => {
    const store = new MailboxFailingStore();
    const { engine, letter, send, message, receipts, logged } = testEngine({ store });
    const { messageUUID } = await send(
      await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-04' }),
    );
    store.failing = true;

    await engine.advanceClock(3 * DAY);

    expect(message(messageUUID)).toMatchObject({ state: 'FAILED', businessStatus: 'NOT_ALLOWED' });
    expect(receipts()).toEqual([
      expect.objectContaining({
        messageUUID,
        receiptStatus: 'NOT_ALLOWED',
        errorCode: 'PROCESSING_FAILED',
        errorMessage: expect.stringContaining('the mailbox table is gone'),
      }),
    ]);
    expect(logged.filter((line) => line.includes(`deliver ${messageUUID} failed`))).toHaveLength(
      MAX_JOB_FAILURES,
    );
    expect(logged.filter((line) => line.includes(`deliver ${messageUUID} given up`))).toHaveLength(1);
  });

  it('is tried again meanwhile, and succeeds when what failed mends', async () => {
    const store = new MailboxFailingStore();
    const { engine, letter, send, message } = testEngine({ store });
    const { messageUUID } = await send(
      await letter({ cpr: '0101700001' }, { doNotDeliverUntil: '2025-06-04' }),
    );
    store.failing = true;
    await engine.setClock(Date.UTC(2025, 5, 3, 22, 1));
    store.failing = false;

    await engine.advanceClock(HOUR);

    expect(message(messageUUID).state).toBe('DELIVERED');
  });
});
