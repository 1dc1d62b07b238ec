/**
 * The sender profile's scenarios: each hands the vendor's adapter some letters and puts NgDP in a
 * situation — lost answers, 503s, an outage, slow and negative receipts, value dates, recalls — and
 * names the checks it judges. Recipients are the simulator's magic identities (docs/simulator.md),
 * seeded by the suite, plus one of its own: a mailbox whose receipts take six hours.
 */
import type { SenderCheckId } from '../checks/sender/ids.ts';
import type { ScenarioInfo } from '../model.ts';
import type { ClockStep } from '../runner/clock.ts';
import type { FaultRuleInput } from '../runner/control.ts';
import type { TranscriptEntry } from '../runner/transcript.ts';

/** The recipients the suite's NgDP knows (and one it does not). */
export const RECIPIENTS = {
  registered: '0101700001',
  exempt: '0101700002',
  closed: '0101700003',
  notReachable: '0101700004',
  withNemSms: '0101700005',
  /** Business receipt after 1 hour of simulator time. */
  slowMailbox: '0101700006',
  /** The suite's own: business receipt after 6 hours. */
  verySlowMailbox: '0101700007',
  /** Not in the register: NOT_ALLOWED RECIPIENT_UNKNOWN. */
  unknown: '0101709999',
  /** A company without a recipient system: its post lands in its mailbox. */
  company: '11223344',
} as const;

/** Who the scenario's letters come from (the organisation of the vendor's system). */
export const SCENARIO_SENDER = { cvr: '12345678', label: 'Testkommune' } as const;

export interface LetterPlan {
  /** The suite's name for the letter, unique in the scenario. */
  ref: string;
  recipient: { cpr: string } | { cvr: string };
  label: string;
  /** How many attachments (default none). */
  attachments?: number;
  /** A value date this many days after the Danish date the scenario starts on. */
  valueDateInDays?: number;
  /** Recall it once its send was accepted (only with a value date). */
  recall?: boolean;
  /** The main document's size in bytes (default about 1 KiB). */
  documentBytes?: number;
  /** The main document's bytes are random (from the run and the letter), so that no compression shrinks them. */
  incompressible?: boolean;
  /** NgDP ends up holding it (default true); false: the system should hold it back, or cannot get it in. */
  arrives?: boolean;
  /** The `errorCode` of the business receipt NgDP will give it, when it gives one. */
  errorCode?: string;
}

export interface SenderScenario extends ScenarioInfo {
  judges: readonly SenderCheckId[];
  letters: readonly LetterPlan[];
  /** Fault rules set for the vendor's system before the adapter starts. */
  faults?: readonly FaultRuleInput[];
  /** The least time the adapter gets (`--timeout-s` may give more). */
  deadlineMs: number;
  /** The script for simulator time (default: the time-lapse throughout). */
  clock?: readonly ClockStep[];
  /** Played only when the vendor's system gets receipts this way. */
  receipts?: 'pull' | 'push';
  /** NgDP refuses every send: the system must give up and say so. */
  outage?: boolean;
  /** The suite delivers the first pushed receipt a second time. */
  repeatReceipt?: boolean;
  /**
   * NgDP answers a resend after a lost answer 409 `DUPLICATE_MESSAGE_UUID` with the original receipt
   * (runner/resend-proxy.ts) instead of the simulator's original 201.
   */
  resendAnswer?: 409;
}

const PROTOCOL: readonly SenderCheckId[] = [
  'sender.adapter.exit-zero',
  'sender.adapter.within-deadline',
  'sender.report.well-formed',
  'sender.report.every-letter',
  'sender.report.message-uuid',
];
const LETTERS: readonly SenderCheckId[] = [
  'sender.letters.each-sent',
  'sender.letters.exactly-once',
  'sender.letters.unique-uuid',
  'sender.letters.no-stray',
  'sender.memo.valid',
  'sender.memo.parties',
  'sender.memo.documents',
  'sender.memo.label',
  'sender.send.request',
];
/** Judged wherever they can happen: chaos answers 503 anywhere, and a system may misbehave anywhere. */
const ANYWHERE: readonly SenderCheckId[] = [
  'sender.retry.same-uuid',
  'sender.retry.same-bytes',
  'sender.retry.original-receipt',
  'sender.retry.honours-retry-after',
  'sender.retry.bounded',
  'sender.auth.header-only',
  'sender.auth.accepted',
  'sender.rate.polling',
  'sender.value-date.only-when-asked',
  'sender.value-date.date-only',
  'sender.value-date.within-horizon',
  'sender.recall.only-when-asked',
];
const RECEIPTS: readonly SenderCheckId[] = [
  'sender.receipts.polled',
  'sender.receipts.followed',
  'sender.receipts.acknowledged',
  'sender.receipts.push-answered',
  'sender.outcome.delivered',
];
const EVERY: readonly SenderCheckId[] = [...PROTOCOL, ...LETTERS, ...ANYWHERE, ...RECEIPTS];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The vendor's sends NgDP answered 201, by messageUUID. */
function acceptedCount(entries: readonly TranscriptEntry[]): number {
  return new Set(
    entries.filter((e) => e.operation === 'POST /memos/' && e.status === 201).map((e) => e.messageUUID),
  ).size;
}

/** Until `count` letters were accepted (or 10 s passed). */
const untilAccepted = (count: number, lapse: boolean): ClockStep => ({
  kind: 'until',
  done: (entries) => acceptedCount(entries) >= count,
  lapse,
  timeoutMs: 10_000,
});

/** Until a recall was answered (or 5 s passed). */
const untilRecallAnswered: ClockStep = {
  kind: 'until',
  done: (entries) => entries.some((e) => e.operation === 'DELETE /memos/{id}' && e.status !== null),
  timeoutMs: 5_000,
};

/** Until NgDP pushed a receipt and the endpoint took it (or 10 s passed), time-lapsed. */
const untilReceiptTaken: ClockStep = {
  kind: 'until',
  done: (entries) =>
    entries.some(
      (e) => e.operation === 'PUSH receipt' && e.status !== null && e.status >= 200 && e.status < 300,
    ),
  lapse: true,
  timeoutMs: 10_000,
};

/** A letter to a citizen: `ref` and the label, which carries it so that a person can tell them apart. */
export const letter = (
  ref: string,
  cpr: string,
  label: string,
  extra: Partial<LetterPlan> = {},
): LetterPlan => ({
  ref,
  recipient: { cpr },
  label: `${label} (${ref})`,
  ...extra,
});

/** Letters NgDP refuses for their recipients (exempt, closed, not yet reachable, unknown): both senders' scenario. */
export const REFUSED_LETTERS: readonly LetterPlan[] = [
  letter('L1', RECIPIENTS.exempt, 'Varsel om hjemmebesøg', { errorCode: 'RECIPIENT_EXEMPT' }),
  letter('L2', RECIPIENTS.closed, 'Svar på ansøgning', { errorCode: 'RECIPIENT_CLOSED' }),
  letter('L3', RECIPIENTS.notReachable, 'Bekræftelse af adresse', { errorCode: 'RECIPIENT_NOT_REACHABLE' }),
  letter('L4', RECIPIENTS.unknown, 'Påmindelse', { errorCode: 'RECIPIENT_UNKNOWN' }),
];

/** A letter over the size the suite's NgDP takes (INVALID), beside a good one: both senders' scenario. */
export const INVALID_BESIDE_GOOD: readonly LetterPlan[] = [
  letter('L1', RECIPIENTS.registered, 'Årsopgørelse', {
    documentBytes: 1_536 * 1024,
    errorCode: 'MESSAGE_TOO_LARGE',
  }),
  letter('L2', RECIPIENTS.registered, 'Kvittering'),
];

export const SENDER_SCENARIOS: readonly SenderScenario[] = [
  {
    id: 'everyday',
    title:
      'Three letters to registered recipients, a citizen, a citizen with NemSMS and a company, one with attachments',
    judges: EVERY,
    deadlineMs: 20_000,
    letters: [
      letter('L1', RECIPIENTS.registered, 'Afgørelse om boligstøtte', { attachments: 2 }),
      letter('L2', RECIPIENTS.withNemSms, 'Indkaldelse til samtale'),
      { ref: 'L3', recipient: { cvr: RECIPIENTS.company }, label: 'Opkrævning af affaldsgebyr (L3)' },
    ],
  },
  {
    id: 'negative-receipts',
    title: 'Letters NgDP refuses for their recipients: exempt, closed, not yet reachable, unknown',
    judges: [...EVERY, 'sender.outcome.not-delivered', 'sender.outcome.error-code'],
    deadlineMs: 20_000,
    letters: REFUSED_LETTERS,
  },
  {
    id: 'invalid-receipt',
    title:
      'A letter NgDP finds INVALID (its content is over the size the suite’s NgDP takes) beside a good one',
    judges: [...EVERY, 'sender.outcome.invalid', 'sender.outcome.error-code'],
    deadlineMs: 20_000,
    letters: INVALID_BESIDE_GOOD,
  },
  {
    id: 'lost-answer-after',
    title: 'NgDP takes the first send and its answer is lost: the retry must meet the original receipt',
    judges: EVERY,
    deadlineMs: 20_000,
    faults: [{ operation: 'POST /memos/', drop: 'AFTER', times: 1 }],
    letters: [
      letter('L1', RECIPIENTS.registered, 'Afgørelse om friplads'),
      letter('L2', RECIPIENTS.withNemSms, 'Indkaldelse'),
    ],
  },
  {
    id: 'resend-answered-409',
    title:
      'The first send’s answer is lost, and NgDP answers the resend 409 DUPLICATE_MESSAGE_UUID with the original receipt',
    judges: EVERY,
    deadlineMs: 20_000,
    faults: [{ operation: 'POST /memos/', drop: 'AFTER', times: 1 }],
    resendAnswer: 409,
    letters: [
      letter('L1', RECIPIENTS.registered, 'Afgørelse om tilskud til briller'),
      letter('L2', RECIPIENTS.withNemSms, 'Orientering om afgørelse'),
    ],
  },
  {
    id: 'lost-answer-before',
    title: 'The connection closes before NgDP takes the first send',
    judges: EVERY,
    deadlineMs: 20_000,
    faults: [{ operation: 'POST /memos/', drop: 'BEFORE', times: 1 }],
    letters: [letter('L1', RECIPIENTS.registered, 'Tilbud om plads')],
  },
  {
    id: 'service-unavailable',
    title: 'NgDP answers the first two sends 503 with Retry-After',
    judges: EVERY,
    deadlineMs: 20_000,
    faults: [{ operation: 'POST /memos/', status: 503, times: 2 }],
    letters: [
      letter('L1', RECIPIENTS.registered, 'Afgørelse om tilskud'),
      letter('L2', RECIPIENTS.withNemSms, 'Orientering'),
    ],
  },
  {
    id: 'outage',
    title: 'NgDP answers every send 503: the system must back off, give up within a bound and say so',
    judges: [...EVERY, 'sender.retry.gives-up'],
    deadlineMs: 30_000,
    outage: true,
    faults: [{ operation: 'POST /memos/', status: 503 }],
    letters: [
      letter('L1', RECIPIENTS.registered, 'Afgørelse', { arrives: false }),
      letter('L2', RECIPIENTS.withNemSms, 'Orientering', { arrives: false }),
    ],
  },
  {
    id: 'receipt-poll-errors',
    title: 'Receipt polls fail with 503 a few times before they succeed',
    judges: EVERY,
    deadlineMs: 20_000,
    receipts: 'pull',
    faults: [
      { operation: 'GET /receipts-bulk/', status: 503, times: 3 },
      { operation: 'GET /receipts/', status: 503, times: 3 },
    ],
    letters: [letter('L1', RECIPIENTS.registered, 'Besked om sagsbehandlingstid')],
  },
  {
    id: 'slow-receipts',
    title: 'Business receipts that take simulated hours: the system must wait without a storm of polls',
    judges: EVERY,
    deadlineMs: 25_000,
    clock: [untilAccepted(2, true), { kind: 'hold', forMs: 4_000 }, { kind: 'advance', byMs: 7 * HOUR }],
    letters: [
      letter('L1', RECIPIENTS.slowMailbox, 'Afgørelse om pension'),
      letter('L2', RECIPIENTS.verySlowMailbox, 'Partshøring'),
    ],
  },
  {
    id: 'value-date',
    title:
      'Letters with value dates two and five days ahead, delivered on those Danish dates, beside one without',
    judges: [...EVERY, 'sender.value-date.as-requested'],
    deadlineMs: 20_000,
    clock: [untilAccepted(3, false), { kind: 'hold', forMs: 1_000 }, { kind: 'advance', byMs: 6 * DAY }],
    letters: [
      letter('L1', RECIPIENTS.registered, 'Udbetaling af boligstøtte', { valueDateInDays: 2 }),
      letter('L2', RECIPIENTS.withNemSms, 'Ny takst', { valueDateInDays: 5 }),
      letter('L3', RECIPIENTS.registered, 'Kvittering for ansøgning'),
    ],
  },
  {
    id: 'value-date-beyond-horizon',
    title: 'A letter for eight days ahead, beyond the five days NgDP takes, beside one without a value date',
    judges: EVERY,
    deadlineMs: 20_000,
    letters: [
      letter('L1', RECIPIENTS.registered, 'Varsel om flytning', { valueDateInDays: 8, arrives: false }),
      letter('L2', RECIPIENTS.registered, 'Kvittering for flytning'),
    ],
  },
  {
    id: 'recall',
    title: 'A value-dated letter recalled as soon as NgDP accepted it, beside one that is not',
    judges: [
      ...EVERY,
      'sender.value-date.as-requested',
      'sender.recall.when-asked',
      'sender.outcome.recalled',
    ],
    deadlineMs: 20_000,
    clock: [untilRecallAnswered, { kind: 'hold', forMs: 500 }, { kind: 'advance', byMs: 6 * DAY }],
    letters: [
      letter('L1', RECIPIENTS.registered, 'Afgørelse (fejlsendt)', { valueDateInDays: 3, recall: true }),
      letter('L2', RECIPIENTS.withNemSms, 'Afgørelse', { valueDateInDays: 3 }),
    ],
  },
  {
    id: 'recall-lost-answer',
    title: 'NgDP recalls the letter and the answer to the recall is lost',
    judges: [...EVERY, 'sender.recall.when-asked', 'sender.recall.lost-answer', 'sender.outcome.recalled'],
    deadlineMs: 20_000,
    faults: [{ operation: 'DELETE /memos/{id}', drop: 'AFTER', times: 1 }],
    clock: [
      {
        kind: 'until',
        done: (entries) => entries.some((e) => e.operation === 'DELETE /memos/{id}' && e.status !== null),
        timeoutMs: 10_000,
      },
      { kind: 'hold', forMs: 500 },
      { kind: 'advance', byMs: 6 * DAY },
    ],
    letters: [letter('L1', RECIPIENTS.registered, 'Opkrævning (fejl)', { valueDateInDays: 2, recall: true })],
  },
  {
    id: 'pushed-receipts',
    title:
      'Business receipts pushed to the receipt endpoint, the first of them twice while the system waits for a slow one',
    judges: [...EVERY, 'sender.receipts.push-idempotent', 'sender.outcome.not-delivered'],
    deadlineMs: 20_000,
    receipts: 'push',
    repeatReceipt: true,
    clock: [untilReceiptTaken, { kind: 'hold', forMs: 1_500 }, { kind: 'advance', byMs: 2 * HOUR }],
    letters: [
      letter('L1', RECIPIENTS.registered, 'Afgørelse om dagpenge'),
      letter('L2', RECIPIENTS.exempt, 'Orientering om sag', { errorCode: 'RECIPIENT_EXEMPT' }),
      letter('L3', RECIPIENTS.slowMailbox, 'Svar på klage'),
    ],
  },
  {
    id: 'many-letters',
    title: 'Twelve letters at once to a mix of recipients, under chaos',
    judges: [...EVERY, 'sender.outcome.not-delivered'],
    deadlineMs: 25_000,
    letters: Array.from({ length: 12 }, (_, index) => {
      const ref = `L${index + 1}`;
      if (index % 4 === 3)
        return letter(ref, RECIPIENTS.closed, 'Årsbrev', { errorCode: 'RECIPIENT_CLOSED' });
      if (index % 4 === 2) return { ref, recipient: { cvr: RECIPIENTS.company }, label: `Årsbrev (${ref})` };
      return letter(ref, index % 2 === 0 ? RECIPIENTS.registered : RECIPIENTS.withNemSms, 'Årsbrev', {
        attachments: index % 3,
      });
    }),
  },
];
