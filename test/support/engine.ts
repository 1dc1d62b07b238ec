/**
 * The simulator's engine for use-case tests: the default seed in a memory store, a manual clock, and
 * a recording outbound port that answers as the test scripts it — no sockets, no express. Time moves
 * only through `engine.advanceClock` / `engine.setClock`, so every time a test sees is simulator time.
 */
import { onTestFinished } from 'vitest';
import { createLetter, createNemSms } from '../../sdk/memo/builder.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { ManualClock } from '../../simulator/clock.ts';
import type {
  EventRecord,
  MessageRecord,
  ReceiptRecord,
  SystemRecord,
} from '../../simulator/domain/model.ts';
import {
  DEFAULT_SEED,
  type Fixtures,
  fixturesOf,
  SEED_IDS,
  seedRecords,
} from '../../simulator/domain/seed.ts';
import type { EngineEvent } from '../../simulator/engine/context.ts';
import { Engine } from '../../simulator/engine/engine.ts';
import type { MemoWork } from '../../simulator/engine/memo-work.ts';
import type {
  ContactNotification,
  OrganisationNotification,
  Outbound,
  PushOutcome,
} from '../../simulator/engine/outbound.ts';
import { Rejection } from '../../simulator/engine/rejections.ts';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../simulator/engine/settings.ts';
import { MemoryStore } from '../../simulator/store/memory.ts';
import type { Store } from '../../simulator/store/store.ts';

export { DAY, FALLBACK_OFFSETS, HOUR, MINUTE, RETRY_OFFSETS } from './schedule.ts';
export { SEED_IDS };

/** Where the manual clock starts: Monday 2 June 2025, 12:00 Copenhagen time (CEST, UTC+2). */
export const START = Date.UTC(2025, 5, 2, 10, 0, 0);

export type OutboundKind = 'memo' | 'receipt' | 'notification' | 'contact' | 'organisation';

/** One call the engine made through the outbound port, at simulator time `at`. */
export interface OutboundCall {
  kind: OutboundKind;
  url: string;
  at: number;
  timeoutMs: number;
  messageUUID: string | undefined;
  xml?: Uint8Array;
  receipt?: ReceiptRecord;
  timeStamp?: number;
  /** A contact subscription's notification. */
  contact?: ContactNotification;
  /** An organisation subscription's notification. */
  organisation?: OrganisationNotification;
}

/** How the fake answers a call: a status (2xx is success), or an outcome of its own. */
export type Answer = number | PushOutcome | ((call: OutboundCall) => number | PushOutcome);

/** The outbound port as a recording fake: every call noted, each answered as scripted (default 200). */
export class RecordingOutbound implements Outbound {
  readonly calls: OutboundCall[] = [];
  private readonly answers: Record<OutboundKind, Answer> = {
    memo: 200,
    receipt: 200,
    notification: 200,
    contact: 200,
    organisation: 200,
  };
  private readonly clock: ManualClock;

  constructor(clock: ManualClock) {
    this.clock = clock;
  }

  /** Answers calls of `kind` with `answer` from now on. */
  answer(kind: OutboundKind, answer: Answer): void {
    this.answers[kind] = answer;
  }

  /** The calls of one kind, in order. */
  of(kind: OutboundKind): OutboundCall[] {
    return this.calls.filter((call) => call.kind === kind);
  }

  /** Simulator times of the calls of one kind to `url` (any url when left out). */
  times(kind: OutboundKind, url?: string): number[] {
    return this.of(kind)
      .filter((call) => url === undefined || call.url === url)
      .map((call) => call.at);
  }

  pushMemo(url: string, memo: { messageUUID: string; xml: Uint8Array }, timeoutMs: number) {
    return this.record({ kind: 'memo', url, timeoutMs, messageUUID: memo.messageUUID, xml: memo.xml });
  }

  pushReceipt(url: string, receipt: ReceiptRecord, timeoutMs: number) {
    return this.record({ kind: 'receipt', url, timeoutMs, messageUUID: receipt.messageUUID, receipt });
  }

  pushNotification(url: string, notification: { messageUUID: string; timeStamp: number }, timeoutMs: number) {
    return this.record({
      kind: 'notification',
      url,
      timeoutMs,
      messageUUID: notification.messageUUID,
      timeStamp: notification.timeStamp,
    });
  }

  pushContactNotification(url: string, notification: ContactNotification, timeoutMs: number) {
    return this.record({
      kind: 'contact',
      url,
      timeoutMs,
      messageUUID: undefined,
      timeStamp: notification.timeStamp,
      contact: notification,
    });
  }

  pushOrganisationNotification(url: string, notification: OrganisationNotification, timeoutMs: number) {
    return this.record({
      kind: 'organisation',
      url,
      timeoutMs,
      messageUUID: undefined,
      timeStamp: notification.timeStamp,
      organisation: notification,
    });
  }

  private async record(fields: Omit<OutboundCall, 'at'>): Promise<PushOutcome> {
    const call: OutboundCall = { ...fields, at: this.clock.now() };
    this.calls.push(call);
    const scripted = this.answers[call.kind];
    const answer = typeof scripted === 'function' ? scripted(call) : scripted;
    if (typeof answer !== 'number') return answer;
    return answer >= 200 && answer < 300
      ? { ok: true, status: answer }
      : { ok: false, status: answer, reason: `answered ${answer}` };
  }
}

export interface TestEngineOptions {
  settings?: Partial<EngineSettings>;
  random?: () => number;
  /** Where MeMos are read (default: on the test's thread). */
  memoWork?: MemoWork;
  /** The store (default: a new memory store), e.g. one that fails on purpose. */
  store?: Store;
  /** Real time as the transcript reads it (default: the real one). */
  wallTime?: () => number;
}

export interface TestEngine {
  engine: Engine;
  clock: ManualClock;
  outbound: RecordingOutbound;
  fixtures: Fixtures;
  /** Everything the engine told its listeners since it was built. */
  emitted: EngineEvent[];
  /** The engine's log lines. */
  logged: string[];
  /** A system's current record. */
  system(id: string): SystemRecord;
  /** A letter from the seeded authority (CVR 12345678) to `recipient`, created at simulator time. */
  letter(recipient: Recipient, extra?: LetterExtra): Promise<Memo>;
  /** A NemSMS from the seeded authority to `recipient`. */
  nemSms(recipient: Recipient): Memo;
  /**
   * `POST /memos/` of `memo` by `from` (default: the PULL sender), then every job that is due now.
   * Returns the message as stored afterwards.
   */
  send(memo: Memo, from?: string): Promise<MessageRecord>;
  /** A message's current record. */
  message(messageUUID: string): MessageRecord;
  /** The event-log tags of a message, in order. */
  tags(messageUUID: string): string[];
  /** The receipts waiting for a sender system (default: the PULL sender), oldest first. */
  receipts(systemId?: string): ReceiptRecord[];
  /** The messageUUIDs in a mailbox. */
  mailbox(owner: string): string[];
}

type Recipient = Parameters<typeof createLetter>[0]['recipient'];
type LetterExtra = Partial<Parameters<typeof createLetter>[0]>;

/** The authority as sender of the test letters. */
const SENDER = { cvr: '12345678', label: 'Testkommune' };

/**
 * An engine on the default seed with a manual clock at {@link START} and a recording outbound port,
 * running its jobs; stopped when the test finishes. Call it inside a test.
 */
export function testEngine(options: TestEngineOptions = {}): TestEngine {
  const clock = new ManualClock(START);
  const outbound = new RecordingOutbound(clock);
  const logged: string[] = [];
  const engine = new Engine({
    store: options.store ?? new MemoryStore(),
    log: (line) => logged.push(line),
    clock,
    settings: { ...DEFAULT_ENGINE_SETTINGS, ...options.settings },
    outbound,
    seed: seedRecords(DEFAULT_SEED),
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.memoWork === undefined ? {} : { memoWork: options.memoWork }),
    ...(options.wallTime === undefined ? {} : { wallTime: options.wallTime }),
  });
  const emitted: EngineEvent[] = [];
  engine.listen((event) => emitted.push(event));
  engine.seedStore();
  engine.start();
  onTestFinished(() => engine.stop());

  const system = (id: string): SystemRecord => {
    const found = engine.systems.list().find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`no system ${id}`);
    return found;
  };
  const message = (messageUUID: string): MessageRecord => engine.inspection.message(messageUUID).message;

  return {
    engine,
    clock,
    outbound,
    fixtures: fixturesOf(DEFAULT_SEED),
    emitted,
    logged,
    system,
    letter: (recipient, extra = {}) =>
      createLetter({
        sender: SENDER,
        recipient,
        label: 'Test letter',
        document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'letter.pdf' },
        now: new Date(clock.now()),
        ...extra,
      } as Parameters<typeof createLetter>[0]),
    nemSms: (recipient) =>
      createNemSms({
        sender: SENDER,
        recipient,
        label: 'SMS',
        text: 'Du har post',
        now: new Date(clock.now()),
      }),
    async send(memo, from = SEED_IDS.senderPull) {
      const xml = serializeMemoToBytes(memo);
      const taken = await engine.intake.submitMemo(system(from), xml, memo.messageHeader.messageUUID);
      await engine.idle();
      return message(taken.message.messageUUID);
    },
    message,
    tags: (messageUUID) => engine.inspection.message(messageUUID).events.map((event) => event.eventTag),
    receipts: (systemId = SEED_IDS.senderPull) => engine.receipts.all(system(systemId)),
    mailbox: (owner) => engine.inspection.mailbox(owner).map((letter) => letter.entry.messageUUID),
  };
}

/** The rejection `work` throws (synchronously or not); fails when it throws something else or nothing. */
export async function rejectionOf(work: () => unknown): Promise<Rejection> {
  try {
    await work();
  } catch (error) {
    if (error instanceof Rejection) return error;
    throw error;
  }
  throw new Error('expected a Rejection, but nothing was thrown');
}

/** Offsets of `times` from `origin` (default: the first of them). */
export function offsets(times: readonly number[], origin = times[0] ?? 0): number[] {
  return times.map((time) => time - origin);
}

/** The event-log lines among what the engine emitted, in order. */
export function loggedEvents(emitted: readonly EngineEvent[]): EventRecord[] {
  return emitted.flatMap((event) => (event.type === 'logged' ? [event.event] : []));
}
