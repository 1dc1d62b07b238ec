/**
 * A message's lifecycle as one table: its states, every transition it may make (from which states,
 * to which), and the event-log tags a transition records. Use cases move a message only through
 * {@link move}; a transition from a state the table does not allow is a bug and throws. Questions
 * about what a message may still do (be recalled, take a recipient's receipt, be fetched) are
 * answered here too, from its state.
 */
import { EventTag, type EventTagName } from '../../sdk/ngdp/enums.ts';
import type { MessageRecord } from './model.ts';

export const MESSAGE_STATES = [
  'RECEIVED',
  'AWAITING_DELAY',
  'DELIVERING',
  'READY_FOR_FETCH',
  'DELIVERED',
  'REJECTED',
  'RECALLED',
  'FAILED',
] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

interface Transition {
  readonly from: readonly MessageState[];
  readonly to: MessageState;
  /** The event-log tags the transition records, in order. */
  readonly events: (message: MessageRecord) => EventTagName[];
  /** What else the transition sets on the message (times). */
  readonly stamp?: (message: MessageRecord, now: number) => void;
}

const none = (): EventTagName[] => [];
const delivered = (message: MessageRecord, now: number): void => {
  message.deliveredAt = now;
};

/** Every transition of the lifecycle. */
export const TRANSITIONS = {
  /** Valid, with a value date after today: held until 00:00 Copenhagen time that day. */
  awaitValueDate: {
    from: ['RECEIVED'],
    to: 'AWAITING_DELAY',
    events: () => [EventTag.DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY],
  },
  /** Invalid, not allowed, or not readable: the sender gets an INVALID or NOT_ALLOWED receipt. */
  reject: { from: ['RECEIVED'], to: 'REJECTED', events: () => [EventTag.MEMO_SEND_VALIDATION_FAILED] },
  /** Put in a citizen's or company's mailbox. */
  deliverToMailbox: {
    from: ['RECEIVED', 'AWAITING_DELAY'],
    to: 'DELIVERED',
    // A NemSMS's SMS is sent apart from this, at once or the next morning (domain/nemsms.ts).
    events: () => [EventTag.MEMO_AVAILABLE_TO_RECIPIENT],
    stamp: delivered,
  },
  /** Handed to a REST_PUSH recipient system (again, after a fallback to the default system). */
  startPush: { from: ['RECEIVED', 'AWAITING_DELAY', 'DELIVERING'], to: 'DELIVERING', events: none },
  /** Waiting for a PULL or publish/subscribe recipient system to fetch it. */
  offerForFetch: {
    from: ['RECEIVED', 'AWAITING_DELAY', 'DELIVERING'],
    to: 'READY_FOR_FETCH',
    events: () => [EventTag.MEMO_SEND_READY_FOR_FETCH],
    stamp: delivered,
  },
  /** The recipient system answered the push with 2xx. */
  pushSucceeded: {
    from: ['DELIVERING'],
    to: 'DELIVERED',
    events: () => [EventTag.MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM],
    stamp: delivered,
  },
  /**
   * The recipient system gave its business receipt. From DELIVERING too: a pushed recipient may
   * acknowledge before its answer to the push (or after a push that timed out here but reached it).
   */
  recipientReceipt: {
    from: ['DELIVERING', 'READY_FOR_FETCH', 'DELIVERED'],
    to: 'DELIVERED',
    events: () => [EventTag.BUSINESS_RECEIPT_RECEIVED_BY_RECIPIENT_SYSTEM],
    stamp: (message, now) => {
      message.deliveredAt ??= now;
    },
  },
  /** Recalled by its sender before its value date. */
  recall: {
    from: ['RECEIVED', 'AWAITING_DELAY'],
    to: 'RECALLED',
    events: () => [EventTag.DELAYED_MEMO_MESSAGE_RECALLED, EventTag.MEMO_SEND_RECALLED],
    stamp: (message, now) => {
      message.recalledAt = now;
    },
  },
  /** Delivery failed for good (every attempt, or the recipient system is gone). */
  fail: {
    from: ['RECEIVED', 'AWAITING_DELAY', 'DELIVERING'],
    to: 'FAILED',
    events: () => [EventTag.MEMO_SEND_FAILED],
  },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** A transition the lifecycle does not allow from the message's state: a bug in the caller. */
export class IllegalTransitionError extends Error {
  readonly transition: TransitionName;
  readonly state: MessageState;

  constructor(transition: TransitionName, state: MessageState, messageUUID: string) {
    super(`message ${messageUUID} cannot ${transition} from state ${state}`);
    this.name = 'IllegalTransitionError';
    this.transition = transition;
    this.state = state;
  }
}

/** Whether the message's state allows `transition`. */
export function can(message: Pick<MessageRecord, 'state'>, transition: TransitionName): boolean {
  return (TRANSITIONS[transition].from as readonly MessageState[]).includes(message.state);
}

/**
 * Moves the message through `transition` at `now` and returns the event-log tags to record.
 *
 * @throws IllegalTransitionError when its state does not allow the transition.
 */
export function move(message: MessageRecord, transition: TransitionName, now: number): EventTagName[] {
  if (!can(message, transition))
    throw new IllegalTransitionError(transition, message.state, message.messageUUID);
  const step: Transition = TRANSITIONS[transition];
  message.state = step.to;
  step.stamp?.(message, now);
  return step.events(message);
}

/** Whether a recipient system may fetch the message (`GET /memos/{id}`). */
export function isFetchable(message: Pick<MessageRecord, 'state'>): boolean {
  return message.state === 'READY_FOR_FETCH' || message.state === 'DELIVERED';
}

/** Whether the recipient system may still give its business receipt (none was given yet). */
export function acceptsRecipientReceipt(message: Pick<MessageRecord, 'state' | 'businessStatus'>): boolean {
  return can(message, 'recipientReceipt') && message.businessStatus === undefined;
}

/** Why a message cannot be recalled, or `recallable`. */
export type Recallability = 'recallable' | 'already-recalled' | 'no-value-date' | 'past-value-date';

/**
 * Whether the sender may recall the message: only while it waits for its value date. `valueDate` is
 * the message's `doNotDeliverUntilDate` as a calendar date (undefined: it has none); `today` is the
 * Copenhagen date now. A message not yet processed waits if its value date lies after today.
 */
export function recallability(
  message: Pick<MessageRecord, 'state'>,
  valueDate: string | undefined,
  today: string,
): Recallability {
  if (message.state === 'RECALLED') return 'already-recalled';
  if (valueDate === undefined) return 'no-value-date';
  const waiting = message.state === 'AWAITING_DELAY' || (message.state === 'RECEIVED' && valueDate > today);
  return waiting ? 'recallable' : 'past-value-date';
}
