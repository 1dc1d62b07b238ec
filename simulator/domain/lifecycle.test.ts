/**
 * The message lifecycle as a specification: for every transition and every state, whether the
 * transition is allowed from it, where it leads, what it records and stamps — and that every other
 * (transition, state) pair is refused with IllegalTransitionError, leaving the message as it was.
 */
import { describe, expect, it } from 'vitest';
import { EventTag, type EventTagName } from '../../sdk/ngdp/enums.ts';
import {
  acceptsRecipientReceipt,
  can,
  IllegalTransitionError,
  isFetchable,
  MESSAGE_STATES,
  type MessageState,
  move,
  type Recallability,
  recallability,
  TRANSITIONS,
  type TransitionName,
} from './lifecycle.ts';
import type { BusinessReceiptStatus, MessageRecord } from './model.ts';

const NOW = Date.UTC(2025, 5, 2, 10, 0);

/** What each transition does, written out: the states it leaves, where it leads, what it records and stamps. */
const SPEC: Record<
  TransitionName,
  { from: MessageState[]; to: MessageState; events: EventTagName[]; stamps?: 'deliveredAt' | 'recalledAt' }
> = {
  awaitValueDate: {
    from: ['RECEIVED'],
    to: 'AWAITING_DELAY',
    events: [EventTag.DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY],
  },
  reject: { from: ['RECEIVED'], to: 'REJECTED', events: [EventTag.MEMO_SEND_VALIDATION_FAILED] },
  deliverToMailbox: {
    from: ['RECEIVED', 'AWAITING_DELAY'],
    to: 'DELIVERED',
    events: [EventTag.MEMO_AVAILABLE_TO_RECIPIENT],
    stamps: 'deliveredAt',
  },
  startPush: { from: ['RECEIVED', 'AWAITING_DELAY', 'DELIVERING'], to: 'DELIVERING', events: [] },
  offerForFetch: {
    from: ['RECEIVED', 'AWAITING_DELAY', 'DELIVERING'],
    to: 'READY_FOR_FETCH',
    events: [EventTag.MEMO_SEND_READY_FOR_FETCH],
    stamps: 'deliveredAt',
  },
  pushSucceeded: {
    from: ['DELIVERING'],
    to: 'DELIVERED',
    events: [EventTag.MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM],
    stamps: 'deliveredAt',
  },
  recipientReceipt: {
    from: ['DELIVERING', 'READY_FOR_FETCH', 'DELIVERED'],
    to: 'DELIVERED',
    events: [EventTag.BUSINESS_RECEIPT_RECEIVED_BY_RECIPIENT_SYSTEM],
    stamps: 'deliveredAt',
  },
  recall: {
    from: ['RECEIVED', 'AWAITING_DELAY'],
    to: 'RECALLED',
    events: [EventTag.DELAYED_MEMO_MESSAGE_RECALLED, EventTag.MEMO_SEND_RECALLED],
    stamps: 'recalledAt',
  },
  fail: {
    from: ['RECEIVED', 'AWAITING_DELAY', 'DELIVERING'],
    to: 'FAILED',
    events: [EventTag.MEMO_SEND_FAILED],
  },
};

const NAMES = Object.keys(TRANSITIONS) as TransitionName[];

function messageIn(state: MessageState, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageUUID: '3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90',
    transmissionId: '5f0c2a9e-7d41-4b8a-9c3e-1a2b3c4d5e6f',
    senderSystemId: '20000000-0000-4000-8000-000000000001',
    contentHash: 'ab',
    size: 100,
    state,
    receivedAt: NOW - 60_000,
    messageType: 'DIGITALPOST',
    attempts: 0,
    ...extra,
  };
}

const pairs = NAMES.flatMap((transition) => MESSAGE_STATES.map((state) => ({ transition, state })));
const allowed = pairs.filter(({ transition, state }) => SPEC[transition].from.includes(state));
const illegal = pairs.filter(({ transition, state }) => !SPEC[transition].from.includes(state));

describe('the transition table', () => {
  it.each(NAMES)('%s allows exactly the states of the specification', (transition) => {
    expect([...TRANSITIONS[transition].from].sort()).toEqual([...SPEC[transition].from].sort());
  });

  it('has a state for every state a transition leaves or reaches', () => {
    const named = NAMES.flatMap((name) => [...TRANSITIONS[name].from, TRANSITIONS[name].to]);
    expect(named.every((state) => (MESSAGE_STATES as readonly string[]).includes(state))).toBe(true);
  });
});

describe('an allowed transition', () => {
  it.each(allowed)(
    '$transition from $state moves to its state and returns its events',
    ({ transition, state }) => {
      const message = messageIn(state);

      const events = move(message, transition, NOW);

      expect(can(messageIn(state), transition)).toBe(true);
      expect(message.state).toBe(SPEC[transition].to);
      expect(message.state).toBe(TRANSITIONS[transition].to);
      expect(events).toEqual(SPEC[transition].events);
      const { stamps } = SPEC[transition];
      expect(message.deliveredAt).toBe(stamps === 'deliveredAt' ? NOW : undefined);
      expect(message.recalledAt).toBe(stamps === 'recalledAt' ? NOW : undefined);
    },
  );

  it("deliverToMailbox of a NemSMS records its availability; the SMS is sent apart (NgDP's quiet hours)", () => {
    const message = messageIn('RECEIVED', { messageType: 'NEMSMS' });

    expect(move(message, 'deliverToMailbox', NOW)).toEqual([EventTag.MEMO_AVAILABLE_TO_RECIPIENT]);
  });

  it('recipientReceipt keeps the time the message was first delivered', () => {
    const message = messageIn('READY_FOR_FETCH', { deliveredAt: NOW - 5_000 });

    move(message, 'recipientReceipt', NOW);

    expect(message.deliveredAt).toBe(NOW - 5_000);
  });
});

describe('an illegal transition', () => {
  it.each(illegal)('$transition from $state is illegal', ({ transition, state }) => {
    const message = messageIn(state);
    const before = structuredClone(message);

    let thrown: unknown;
    try {
      move(message, transition, NOW);
    } catch (error) {
      thrown = error;
    }

    expect(can(message, transition)).toBe(false);
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    expect(thrown).toMatchObject({ transition, state });
    expect((thrown as Error).message).toContain(transition);
    expect((thrown as Error).message).toContain(state);
    expect(message).toEqual(before);
  });
});

describe('recallability on 2025-06-02', () => {
  const cases: Array<[MessageState, string | undefined, Recallability]> = [
    ['AWAITING_DELAY', '2025-06-05', 'recallable'],
    ['AWAITING_DELAY', '2025-06-02', 'recallable'],
    ['RECEIVED', '2025-06-03', 'recallable'],
    ['RECEIVED', '2025-06-02', 'past-value-date'],
    ['RECEIVED', '2025-05-30', 'past-value-date'],
    ['RECEIVED', undefined, 'no-value-date'],
    ['AWAITING_DELAY', undefined, 'no-value-date'],
    ['DELIVERED', undefined, 'no-value-date'],
    ['RECALLED', '2025-06-05', 'already-recalled'],
    ['RECALLED', undefined, 'already-recalled'],
    ['DELIVERING', '2025-06-05', 'past-value-date'],
    ['READY_FOR_FETCH', '2025-06-05', 'past-value-date'],
    ['DELIVERED', '2025-06-05', 'past-value-date'],
    ['REJECTED', '2025-06-05', 'past-value-date'],
    ['FAILED', '2025-06-05', 'past-value-date'],
  ];

  it.each(
    cases.map(([state, valueDate, expected]) => ({
      state,
      valueDate,
      expected,
      dated: valueDate === undefined ? 'without a value date' : `with value date ${valueDate}`,
    })),
  )('of a $state message $dated is $expected', ({ state, valueDate, expected }) => {
    expect(recallability({ state }, valueDate, '2025-06-02')).toBe(expected);
  });
});

describe('acceptsRecipientReceipt', () => {
  const cases: Array<[MessageState, BusinessReceiptStatus | undefined, boolean]> = [
    ['DELIVERING', undefined, true],
    ['READY_FOR_FETCH', undefined, true],
    ['DELIVERED', undefined, true],
    ['DELIVERED', 'COMPLETED', false],
    ['READY_FOR_FETCH', 'INVALID', false],
    ['RECEIVED', undefined, false],
    ['AWAITING_DELAY', undefined, false],
    ['REJECTED', 'INVALID', false],
    ['RECALLED', undefined, false],
    ['FAILED', 'NOT_ALLOWED', false],
  ];

  it.each(
    cases.map(([state, businessStatus, accepts]) => ({
      state,
      businessStatus,
      accepts,
      given:
        businessStatus === undefined ? 'no business receipt yet' : `a ${businessStatus} business receipt`,
      verdict: accepts ? 'accepts' : 'refuses',
    })),
  )("a $state message with $given $verdict the recipient's receipt", ({ state, businessStatus, accepts }) => {
    expect(acceptsRecipientReceipt({ state, businessStatus })).toBe(accepts);
  });
});

describe('isFetchable', () => {
  const fetchable: MessageState[] = ['READY_FOR_FETCH', 'DELIVERED'];

  it.each(
    MESSAGE_STATES.map((state) => ({
      state,
      expected: fetchable.includes(state),
      verdict: fetchable.includes(state) ? 'is' : 'is not',
    })),
  )('a $state message $verdict fetchable', ({ state, expected }) => {
    expect(isFetchable({ state })).toBe(expected);
  });
});
