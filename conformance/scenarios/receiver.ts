/**
 * The scenarios of the recipient-push and recipient-pubsub profiles. They run one after another
 * against one continuing NgDP and the vendor's receiver, running throughout: each adds its MeMos —
 * letters NgDP delivers (small, with ten attachments, over 50 MB), letters whose receipts NgDP
 * refuses at first, letters NgDP delivers again, MeMos its checks would have stopped — or the
 * requests the suite sends the endpoint itself. Chaos may repeat any delivery, so the checks of
 * repeated deliveries are judged wherever one happened.
 */
import type { ReceiverCheckName, ReceiverProfile } from '../checks/receiver/ids.ts';
import type { ScenarioInfo } from '../model.ts';
import type { FaultRuleInput } from '../runner/control.ts';
import { type HostileKind, PUBSUB_HOSTILE, PUSH_HOSTILE } from '../runner/hostile.ts';
import type { MemoPlan } from './receiver-memos.ts';

export interface ReceiverScenario extends ScenarioInfo {
  /** NgDP delivers these, in order. */
  memos: readonly MemoPlan[];
  /** The suite sends these to the endpoint itself, in order, after the MeMos. */
  hostile?: readonly HostileKind[];
  /** Fault rules for the vendor's system while the scenario runs (removed after it). */
  faults?: readonly FaultRuleInput[];
  /** The longest the scenario waits for the vendor's system (`--timeout-s` may give more). */
  deadlineMs: number;
}

/** A scenario before its checks are named under a profile. */
interface Template extends Omit<ReceiverScenario, 'judges' | 'hostile'> {
  judges: readonly ReceiverCheckName[];
  /** Sends the profile's hostile requests. */
  hostile?: true;
}

/** Judged in every scenario that delivers MeMos: NgDP may deliver again after any failed attempt. */
const EVERY: readonly ReceiverCheckName[] = [
  'report.well-formed',
  'report.known-messages',
  'memo.taken',
  'memo.once',
  'memo.sha256',
  'fetch.fetched',
  'fetch.no-storm',
  'answer.success',
  'answer.timely',
  'answer.quick',
  'redelivery.answered',
  'redelivery.once',
  'receipt.given',
  'receipt.completed',
  'receipt.resent',
  'receiver.alive',
  'auth.header-only',
  'auth.accepted',
];

const SECOND = 1_000;

const TEMPLATES: readonly Template[] = [
  {
    id: 'everyday',
    title: 'NgDP delivers three letters, with none, one and two attachments',
    memos: [
      { ref: 'M1', kind: 'letter' },
      { ref: 'M2', kind: 'letter', attachments: 1 },
      { ref: 'M3', kind: 'letter', attachments: 2 },
    ],
    judges: EVERY,
    deadlineMs: 20 * SECOND,
  },
  {
    id: 'ten-attachments',
    title: 'NgDP delivers a letter with ten attachments, the most MeMo allows',
    memos: [{ ref: 'M1', kind: 'letter', attachments: 10 }],
    judges: [...EVERY, 'memo.attachments'],
    deadlineMs: 20 * SECOND,
  },
  {
    id: 'redelivered',
    title: 'NgDP delivers two letters, then each twice more once it was taken (at-least-once delivery)',
    memos: [
      { ref: 'M1', kind: 'letter', redeliver: 2 },
      { ref: 'M2', kind: 'letter', attachments: 1, redeliver: 2 },
    ],
    judges: EVERY,
    deadlineMs: 20 * SECOND,
  },
  {
    id: 'receipt-refused',
    title: 'NgDP refuses the first two business receipts with 503',
    memos: [
      { ref: 'M1', kind: 'letter' },
      { ref: 'M2', kind: 'letter' },
    ],
    faults: [{ operation: 'POST /memos/{id}/receipt', status: 503, times: 2 }],
    judges: EVERY,
    deadlineMs: 25 * SECOND,
  },
  {
    id: 'invalid-memos',
    title:
      'NgDP delivers, unchecked, a MeMo that breaks the schema and bytes that are no MeMo, then a letter',
    memos: [
      { ref: 'M1', kind: 'invalid' },
      { ref: 'M2', kind: 'not-xml' },
      { ref: 'M3', kind: 'letter' },
    ],
    judges: [...EVERY, 'invalid.not-accepted', 'invalid.refused'],
    deadlineMs: 20 * SECOND,
  },
  {
    id: 'large',
    title: 'NgDP delivers a letter of over 50 MB',
    memos: [{ ref: 'M1', kind: 'letter', documentBytes: 38_000_000 }],
    judges: [...EVERY, 'memo.large'],
    deadlineMs: 90 * SECOND,
  },
  {
    id: 'hostile',
    title:
      'The suite sends the endpoint requests that are no delivery of NgDP: garbage, the wrong type, parts and ids that are not there, a body of a gigabyte',
    memos: [],
    hostile: true,
    judges: ['report.well-formed', 'report.known-messages', 'receiver.alive'],
    deadlineMs: 60 * SECOND,
  },
];

const PUBSUB_ONLY = new Set<ReceiverCheckName>(['fetch.fetched', 'fetch.no-storm']);

/** The scenarios of `profile`, with the ids of the checks each judges. */
export function receiverScenarios(profile: ReceiverProfile): ReceiverScenario[] {
  const hostileKinds = profile === 'recipient-push' ? PUSH_HOSTILE : PUBSUB_HOSTILE;
  return TEMPLATES.map(({ judges, hostile, ...template }) => {
    const names = judges.filter((name) => profile === 'recipient-pubsub' || !PUBSUB_ONLY.has(name));
    if (hostile) names.push(...hostileKinds.map((kind): ReceiverCheckName => `hostile.${kind}`));
    return {
      ...template,
      ...(hostile ? { hostile: hostileKinds } : {}),
      judges: names.map((name) => `${profile}.${name}`),
    };
  });
}
