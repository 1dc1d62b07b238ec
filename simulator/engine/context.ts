/**
 * What every use case shares: the store, the clock, the settings, the random source, the job
 * scheduler and the engine's events. A use case changes state only inside {@link EngineContext.change}
 * (one store transaction; with `--data-dir` it happens entirely or not at all) and records what
 * happened in NgDP's event log with {@link EngineContext.record}.
 */
import { randomUUID } from 'node:crypto';
import type { EventTagName } from '../../sdk/ngdp/enums.ts';
import { valueDateOf } from '../../sdk/ngdp/time.ts';
import { type Clock, wallTime } from '../clock.ts';
import type {
  Contact,
  ContactPoint,
  EventRecord,
  Job,
  JobKind,
  MessageRecord,
  SystemRecord,
} from '../domain/model.ts';
import type { Store } from '../store/store.ts';
import type { EngineSettings } from './settings.ts';

export type Logger = (line: string) => void;

/**
 * The calendar date of a MeMo's value date, as NgDP's `MetaData.doNotDeliverUntilDate` is typed
 * (`format: date`), though MeMo allows a time and a zone there; undefined when there is none.
 */
function calendarDate(doNotDeliverUntilDate: string | undefined): string | undefined {
  const date = doNotDeliverUntilDate === undefined ? undefined : valueDateOf(doNotDeliverUntilDate);
  return date !== undefined && /^\d{4}-\d\d-\d\d$/.test(date) ? date : undefined;
}

/**
 * What the engine tells listeners, synchronously, inside the transaction of the change: a line of
 * NgDP's event log, and changes to systems, contacts and contact points (for logs and subscriptions
 * built on the engine), and a reset.
 */
export type EngineEvent =
  | { type: 'logged'; event: EventRecord }
  | { type: 'system-saved'; system: SystemRecord }
  | { type: 'contact-saved'; contact: Contact }
  | { type: 'contact-point-saved'; contactPoint: ContactPoint }
  | { type: 'reset' };

export type EngineListener = (event: EngineEvent) => void;

/** What a line of the event log says beyond its tag and message. */
export interface EventDetails {
  /** The event's text (`message` in NgDP's Event). */
  text?: string;
  /** Systems it concerns besides the message's sender and recipient systems. */
  systemIds?: string[];
  /** More `metaProperties`. */
  meta?: Record<string, string | undefined>;
  /** The CPR/CVR numbers of the parties, when the event is not about a message. */
  parties?: string[];
  /** The system whose call caused the event (absent: NgDP acted by itself). */
  actorSystemId?: string;
}

/** The fields of a job that the scheduling use case sets. */
export type JobFields = Partial<Pick<Job, 'messageUUID' | 'receiptId' | 'attempt' | 'data'>>;

/**
 * What a random draw decides. The source is told, so that it can draw each kind from a stream of its
 * own (the conformance suite does): how often one kind is drawn — list pages, which follow a
 * client's timing — then does not shift another, such as which sends chaos refuses.
 */
export type RandomPurpose =
  | 'fault-probability'
  | 'chaos-reject'
  | 'page-size'
  | 'receipt-delay'
  | 'repeat-push';

/** A random source: a number in [0, 1), as `Math.random` (which ignores the purpose). */
export type RandomSource = (purpose: RandomPurpose) => number;

export class EngineContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly settings: EngineSettings;
  /** The random source of chaos and fault probabilities. */
  readonly random: RandomSource;
  /**
   * Real time (epoch ms), for the transcript only: when requests really happened and how long
   * they took. Everything else reads the simulator clock.
   */
  readonly wallTime: () => number;
  readonly log: Logger;
  private readonly listeners = new Set<EngineListener>();
  /** Called after every committed change, so that jobs it scheduled are picked up. */
  private afterChange: () => void = () => {};

  constructor(options: {
    store: Store;
    clock: Clock;
    settings: EngineSettings;
    random?: RandomSource;
    wallTime?: () => number;
    log?: Logger;
  }) {
    this.store = options.store;
    this.clock = options.clock;
    this.settings = options.settings;
    this.random = options.random ?? Math.random;
    this.wallTime = options.wallTime ?? wallTime;
    this.log = options.log ?? (() => {});
  }

  /** Lets the scheduler look for new due jobs after each change (set once, by the engine). */
  onChange(wake: () => void): void {
    this.afterChange = wake;
  }

  now(): number {
    return this.clock.now();
  }

  newId(): string {
    return randomUUID();
  }

  /** Runs `work` in a store transaction, then lets the scheduler look for new due jobs. */
  change<T>(work: () => T): T {
    const result = this.store.transaction(work);
    this.afterChange();
    return result;
  }

  /** Adds a job, due at `dueAt`; jobs due at the same time run in the order they were scheduled. */
  schedule(kind: JobKind, dueAt: number, fields: JobFields = {}): void {
    const seq = this.store.nextSequence('job');
    this.store.putJob({ id: this.newId(), kind, dueAt, seq, attempt: fields.attempt ?? 0, ...fields });
  }

  /** Listens to the engine's events; returns the function that stops listening. */
  listen(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log(
          `engine listener failed on ${event.type}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  /**
   * Records a line in NgDP's event log (inside the caller's transaction): the tag, the message it
   * is about (its sender and recipient systems, parties and header summary), and the details.
   */
  record(tag: EventTagName, message: MessageRecord | undefined, details: EventDetails = {}): void {
    const systemIds = new Set(details.systemIds ?? []);
    const route = message?.route;
    if (message !== undefined) {
      systemIds.add(message.senderSystemId);
      if (route?.kind === 'SYSTEM') systemIds.add(route.systemId);
    }
    const source: Record<string, string | undefined> = {
      messageUUID: message?.messageUUID,
      transmissionId: message?.transmissionId,
      messageId: message?.messageId,
      messageType: message?.messageType,
      label: message?.label,
      senderSystem: message?.senderSystemId,
      recipientSystem: route?.kind === 'SYSTEM' ? route.systemId : undefined,
      recipientContactPointId: route?.kind === 'SYSTEM' ? route.contactPointId : undefined,
      doNotDeliverUntilDate: calendarDate(message?.doNotDeliverUntilDate),
      receiptStatus: message?.businessStatus,
      ...details.meta,
    };
    const meta: Record<string, string> = {};
    for (const [key, value] of Object.entries(source)) if (value !== undefined) meta[key] = value;
    const event: EventRecord = {
      id: this.newId(),
      eventTag: tag,
      eventTime: this.now(),
      ...(message === undefined
        ? {}
        : { messageUUID: message.messageUUID, transmissionId: message.transmissionId }),
      systemIds: [...systemIds],
      parties: message?.recipientId === undefined ? (details.parties ?? []) : [message.recipientId],
      ...(details.text === undefined ? {} : { message: details.text }),
      metaProperties: meta,
      ...(details.actorSystemId === undefined ? {} : { actorSystemId: details.actorSystemId }),
    };
    this.store.appendEvent(event);
    this.emit({ type: 'logged', event });
  }
}
