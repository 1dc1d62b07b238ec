/**
 * What happens to messages over time: intake, the validation pipeline, routing to mailboxes or
 * recipient systems, PUSH / PULL / publish-subscribe delivery with retries, value dates, recall and
 * business receipts. Every state change runs in one store transaction with its events, so with
 * `--data-dir` each step happens exactly once even across a crash; HTTP deliveries are at least once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MemoParseError } from '../../sdk/errors.ts';
import {
  type ContainerEntry,
  ContainerError,
  type ReadContainerOptions,
  readContainer,
} from '../../sdk/memo/container.ts';
import { readMemo } from '../../sdk/memo/reader.ts';
import type { Memo, MemoIssue } from '../../sdk/memo/types.ts';
import { type ValidateOptions, validateMemo } from '../../sdk/memo/validate.ts';
import { copenhagenDate } from '../../sdk/ngdp/time.ts';
import type { Clock } from '../clock.ts';
import { decide, validationRejection } from '../domain/acceptance.ts';
import {
  hasRole,
  ipAllowed,
  isActive,
  isRecipientSystem,
  parseAuthorization,
  registeredSshKey,
  secretMatches,
} from '../domain/auth.ts';
import { EventTag, type EventTagName } from '../domain/events.ts';
import type {
  FileErrorRecord,
  Job,
  JobKind,
  MessageRecord,
  ReceiptRecord,
  ReceiptStatus,
  SystemRecord,
  SystemRole,
} from '../domain/model.ts';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt, type RetrySchedule } from '../domain/retry.ts';
import type { Store } from '../store/store.ts';
import { ApiFailure, badField, errorMessageOf } from './errors.ts';
import { Faults } from './faults.ts';
import { GroupCommit } from './group-commit.ts';
import { memoMultipart, type PushOutcome, push } from './push.ts';
import { Scheduler } from './scheduler.ts';

/** Behaviour switches of `--chaos`; each can be set on its own. */
export interface ChaosSettings {
  /** Share of `POST /memos/` answered 503 (default with --chaos: 0.05). */
  rejectRate: number;
  /** Business receipts are delayed by a random 0..this many ms of simulator time (60 000). */
  receiptDelayMaxMs: number;
  /** Share of successful PUSH deliveries that are repeated (0.1). */
  duplicatePushRate: number;
  /** List endpoints answer with a random page size up to the one asked for. */
  randomPageSizes: boolean;
}

export const NO_CHAOS: ChaosSettings = {
  rejectRate: 0,
  receiptDelayMaxMs: 0,
  duplicatePushRate: 0,
  randomPageSizes: false,
};
export const DEFAULT_CHAOS: ChaosSettings = {
  rejectRate: 0.05,
  receiptDelayMaxMs: 60_000,
  duplicatePushRate: 0.1,
  randomPageSizes: true,
};

export interface EngineSettings {
  /** How many days after today a value date may lie (default 5). */
  valueDateHorizonDays: number;
  /** Register unknown, well-formed CPR/CVR numbers instead of rejecting them (`--loose`). */
  loose: boolean;
  /**
   * When a mailbox letter with a value date gets its business receipt: `delivery` (simulator.md,
   * default) or `acceptance` (DIGST: NgDP processes and receipts at once, holding only delivery).
   */
  valueDateReceipt: 'delivery' | 'acceptance';
  retry: RetrySchedule;
  /** A push that gets no answer within this many real ms fails (default 30 000). */
  pushTimeoutMs: number;
  /** A recipient system whose every delivery failed for this long is deactivated (7 days). */
  deactivateAfterMs: number;
  /** Largest request body `POST /memos/` takes, in bytes (default 140 MB). */
  maxMemoBytes: number;
  /** Limits of a bulk container: compressed bytes, entries, bytes per entry and in all. */
  container: { maxBytes: number } & Required<ReadContainerOptions>;
  /** The MeMo rules applied to received messages. */
  validation: Pick<ValidateOptions, 'notificationMaxLength' | 'maxAttachments' | 'maxTotalContentBytes'>;
  chaos: ChaosSettings;
  /** Where recipient systems fetch MeMos, for publish/subscribe notifications (`…/apis/v1`). */
  apiUrl: string;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  valueDateHorizonDays: 5,
  loose: false,
  valueDateReceipt: 'delivery',
  retry: DEFAULT_RETRY_SCHEDULE,
  pushTimeoutMs: 30_000,
  deactivateAfterMs: 7 * 24 * 3_600_000,
  maxMemoBytes: 140 * 1024 * 1024,
  container: {
    maxBytes: 140 * 1024 * 1024,
    maxEntries: 100_000,
    maxEntryBytes: 140 * 1024 * 1024,
    maxTotalBytes: 1024 * 1024 * 1024,
  },
  validation: {},
  chaos: NO_CHAOS,
  apiUrl: 'http://127.0.0.1/apis/v1',
};

/** The Receipt JSON of NgDP (§4.1). */
export interface WireReceipt {
  id?: string;
  transmissionId: string;
  messageUUID?: string;
  messageId?: string;
  timeStamp: string;
  receiptStatus?: ReceiptStatus;
  errorCode?: string;
  errorMessage?: string;
}

export function toWireReceipt(receipt: ReceiptRecord, withId = false): WireReceipt {
  return {
    ...(withId ? { id: receipt.id } : {}),
    transmissionId: receipt.transmissionId,
    ...(receipt.messageUUID === undefined ? {} : { messageUUID: receipt.messageUUID }),
    ...(receipt.messageId === undefined ? {} : { messageId: receipt.messageId }),
    timeStamp: new Date(receipt.timeStamp).toISOString(),
    receiptStatus: receipt.receiptStatus,
    ...(receipt.errorCode === undefined ? {} : { errorCode: receipt.errorCode }),
    ...(receipt.errorMessage === undefined ? {} : { errorMessage: receipt.errorMessage }),
  };
}

/** A parsed MeMo kept between intake and processing, so a message is parsed once. */
interface ParsedMemo {
  memo: Memo;
  structuralIssues: MemoIssue[];
}

/** A MeMo taken in, ready to store. */
interface Received {
  messageUUID: string;
  xml: Uint8Array;
  contentHash: string;
  parsed: ParsedMemo;
}

/** A container entry that cannot become a message. */
interface RejectedEntry {
  rejection: 'MEMO_SCHEMA_INVALID' | 'MEMO_UUID_MISMATCH';
  message: string;
  messageUUID: string | undefined;
}

/**
 * What makes two sends "the same message": the XML's bytes, less a leading UTF-8 BOM, so a MeMo
 * sent alone and again inside a container (whose tooling adds a BOM) is one message.
 */
function contentHashOf(xml: Uint8Array): string {
  const bom = xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf;
  return createHash('sha256')
    .update(bom ? xml.subarray(3) : xml)
    .digest('hex');
}

const MEMO_CACHE_LIMIT = 5_000;
/** Jobs without I/O, which the scheduler runs in batches. */
const SYNC_JOBS: ReadonlySet<JobKind> = new Set(['process', 'deliver', 'receipt', 'bulk']);
const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export type Logger = (line: string) => void;

export class Engine {
  readonly store: Store;
  readonly clock: Clock;
  readonly settings: EngineSettings;
  readonly faults: Faults;
  readonly scheduler: Scheduler;
  readonly random: () => number;
  private readonly log: Logger;
  private readonly parsed = new Map<string, ParsedMemo>();
  private readonly intake: GroupCommit;
  private readonly resetListeners = new Set<() => void>();

  constructor(options: {
    store: Store;
    clock: Clock;
    settings: EngineSettings;
    log?: Logger;
    random?: () => number;
  }) {
    this.store = options.store;
    this.clock = options.clock;
    this.settings = options.settings;
    this.log = options.log ?? (() => {});
    this.random = options.random ?? Math.random;
    this.faults = new Faults(this.random);
    this.intake = new GroupCommit(this.store, () => this.scheduler.wake());
    this.scheduler = new Scheduler({
      store: this.store,
      clock: this.clock,
      run: (job) => this.runJob(job),
      sync: { isSync: (job) => SYNC_JOBS.has(job.kind), run: (job) => this.runSyncJob(job) },
      onError: (error, job) =>
        this.log(`job ${job.kind} ${job.messageUUID ?? job.receiptId ?? ''} failed: ${String(error)}`),
    });
  }

  /**
   * Runs `listener` after every reset of the simulator (`POST /simulator/v1/reset`), for state kept
   * outside the store (the SFTP server's uploads). Returns a function that removes it.
   */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => {
      this.resetListeners.delete(listener);
    };
  }

  /** Tells the {@link onReset} listeners that the store has been reset. */
  notifyReset(): void {
    for (const listener of this.resetListeners) listener();
  }

  // ---------------------------------------------------------------- identity

  /**
   * The calling system, or an `ApiFailure`: 401 without a valid API key; 403 when the system is
   * not in operation, the address is not allowed, or the system lacks all of `roles`.
   */
  authenticate(
    authorization: string | undefined,
    remoteAddress: string,
    roles: readonly SystemRole[] | 'any',
  ): SystemRecord {
    const credentials = parseAuthorization(authorization);
    if (credentials === undefined) {
      throw new ApiFailure(401, 'UNAUTHENTICATED', 'send the API key as "Authorization: Basic <key>"');
    }
    const system = this.store.getSystem(credentials.systemId);
    if (!secretMatches(system, credentials.secret) || system === undefined) {
      throw new ApiFailure(401, 'UNAUTHENTICATED', 'the API key is not valid');
    }
    return this.admit(system, remoteAddress, roles);
  }

  /**
   * The sender system behind an SFTP login, or an `ApiFailure`: 401 when no system has the user
   * name or `publicKey` (SSH wire format) is not registered for it; 403 as for `authenticate`.
   * Proving possession of the key is the SSH layer's part: it gets the registered key line to
   * verify the signature with.
   */
  authenticateSsh(
    username: string,
    publicKey: Uint8Array,
    remoteAddress: string,
  ): { system: SystemRecord; key: string } {
    const system = this.store.findSystemBySshUsername(username);
    const key = system === undefined ? undefined : registeredSshKey(system.sshPublicKeys, publicKey);
    if (system === undefined || key === undefined) {
      throw new ApiFailure(401, 'UNAUTHENTICATED', 'no system has this SFTP user name with this key');
    }
    return { system: this.admit(system, remoteAddress, ['SENDER']), key };
  }

  /** The checks after the credentials: in operation, address allowed, role held. */
  private admit(
    system: SystemRecord,
    remoteAddress: string,
    roles: readonly SystemRole[] | 'any',
  ): SystemRecord {
    if (!isActive(system, this.clock.now())) {
      throw new ApiFailure(
        403,
        'SYSTEM_NOT_ACTIVE',
        `system ${system.id} is not in operation (activation window or deactivated)`,
      );
    }
    if (!ipAllowed(system.allowedIps, remoteAddress)) {
      throw new ApiFailure(
        403,
        'IP_NOT_ALLOWED',
        `calls from ${remoteAddress} are not allowed for system ${system.id}`,
      );
    }
    if (roles !== 'any' && !hasRole(system, roles)) {
      throw new ApiFailure(
        403,
        'SYSTEM_ROLE_MISSING',
        `system ${system.id} needs the role ${roles.join(' or ')} for this call`,
      );
    }
    return system;
  }

  // ---------------------------------------------------------------- helpers

  newId(): string {
    return randomUUID();
  }

  private emit(
    tag: EventTagName,
    message: MessageRecord | undefined,
    details: { text?: string; systemIds?: string[]; meta?: Record<string, string | undefined> } = {},
  ): void {
    const systemIds = new Set(details.systemIds ?? []);
    if (message !== undefined) {
      systemIds.add(message.senderSystemId);
      if (message.route?.kind === 'SYSTEM') systemIds.add(message.route.systemId);
    }
    const meta: Record<string, string> = {};
    const source: Record<string, string | undefined> = {
      messageUUID: message?.messageUUID,
      transmissionId: message?.transmissionId,
      messageId: message?.messageId,
      messageType: message?.messageType,
      label: message?.label,
      senderSystem: message?.senderSystemId,
      recipientSystem: message?.route?.kind === 'SYSTEM' ? message.route.systemId : undefined,
      recipientContactPointId: message?.route?.kind === 'SYSTEM' ? message.route.contactPointId : undefined,
      doNotDeliverUntilDate: message?.doNotDeliverUntilDate,
      receiptStatus: message?.businessStatus,
      ...details.meta,
    };
    for (const [key, value] of Object.entries(source)) if (value !== undefined) meta[key] = value;
    this.store.appendEvent({
      id: this.newId(),
      eventTag: tag,
      eventTime: this.clock.now(),
      ...(message === undefined
        ? {}
        : { messageUUID: message.messageUUID, transmissionId: message.transmissionId }),
      systemIds: [...systemIds],
      parties: message?.recipientId === undefined ? [] : [message.recipientId],
      ...(details.text === undefined ? {} : { message: details.text }),
      metaProperties: meta,
    });
  }

  private schedule(
    kind: JobKind,
    dueAt: number,
    fields: Partial<Pick<Job, 'messageUUID' | 'receiptId' | 'attempt' | 'data'>> = {},
  ): void {
    const seq = this.store.nextSequence('job');
    this.store.putJob({ id: this.newId(), kind, dueAt, seq, attempt: fields.attempt ?? 0, ...fields });
  }

  /** Runs `work` in a transaction, then lets the scheduler look for new due jobs. */
  private change<T>(work: () => T): T {
    const result = this.store.transaction(work);
    this.scheduler.wake();
    return result;
  }

  private chaosDelay(): number {
    const max = this.settings.chaos.receiptDelayMaxMs;
    return max > 0 ? Math.floor(this.random() * max) : 0;
  }

  // ---------------------------------------------------------------- intake

  /**
   * `POST /memos/` with one MeMo: checks what NgDP checks synchronously, stores the message with
   * its processing job (atomically, in a group commit), and returns the technical receipt (201).
   */
  async submitMemo(
    system: SystemRecord,
    xml: Uint8Array,
    queryUUID: string | undefined,
  ): Promise<{ status: 200 | 201; receipt: WireReceipt }> {
    if (queryUUID === undefined || queryUUID === '') {
      throw badField(
        'query',
        'memo-message-uuid',
        'MEMO_UUID_MISSING',
        'is required with Content-Type application/xml or text/xml',
      );
    }
    return this.takeMemo(system, xml, queryUUID);
  }

  /**
   * One MeMo dropped as a file (SFTP `/in/*.xml`): taken as by `POST /memos/`, the messageUUID
   * being the one its header names (there is no query to compare it with).
   */
  async submitMemoFile(
    system: SystemRecord,
    xml: Uint8Array,
  ): Promise<{ status: 200 | 201; receipt: WireReceipt }> {
    if (xml.byteLength > this.settings.maxMemoBytes) {
      throw new ApiFailure(
        400,
        'MESSAGE_TOO_LARGE',
        `the MeMo is larger than ${this.settings.maxMemoBytes} bytes`,
      );
    }
    return this.takeMemo(system, xml, undefined);
  }

  /** Reads, checks and stores one MeMo; `queryUUID` undefined takes the header's messageUUID. */
  private async takeMemo(
    system: SystemRecord,
    xml: Uint8Array,
    queryUUID: string | undefined,
  ): Promise<{ status: 200 | 201; receipt: WireReceipt }> {
    let parsed: ParsedMemo;
    try {
      const { memo, issues } = readMemo(xml);
      parsed = { memo, structuralIssues: issues };
    } catch (error) {
      if (error instanceof MemoParseError)
        throw new ApiFailure(400, 'MEMO_UNREADABLE', `the MeMo cannot be read: ${error.message}`);
      throw error;
    }
    const headerUUID = parsed.memo.messageHeader?.messageUUID;
    if (queryUUID === undefined && (typeof headerUUID !== 'string' || !UUID_PATTERN.test(headerUUID))) {
      throw badField(
        'memo',
        'MessageHeader/messageUUID',
        'MEMO_UUID_MISSING',
        typeof headerUUID === 'string' ? 'is not a UUID' : 'is required',
        headerUUID,
      );
    }
    const expectedUUID = queryUUID ?? String(headerUUID);
    if (typeof headerUUID !== 'string' || headerUUID.toLowerCase() !== expectedUUID.toLowerCase()) {
      throw badField(
        'query',
        'memo-message-uuid',
        'MEMO_UUID_MISMATCH',
        typeof headerUUID === 'string'
          ? `does not match MessageHeader/messageUUID (${headerUUID})`
          : 'the MeMo has no MessageHeader/messageUUID',
        queryUUID,
      );
    }
    const messageUUID = headerUUID.toLowerCase();
    if (!UUID_PATTERN.test(messageUUID)) {
      throw badField('query', 'memo-message-uuid', 'MEMO_UUID_MISMATCH', 'is not a UUID', queryUUID);
    }
    const received: Received = {
      messageUUID,
      xml,
      contentHash: contentHashOf(xml),
      parsed,
    };
    // Stored in a group commit with the other messages of this moment; answered once on disk.
    return this.intake.run(() => {
      const outcome = this.receive(system, received);
      if (outcome.kind === 'conflict') {
        const existing = outcome.existing;
        throw new ApiFailure(
          409,
          'DUPLICATE_MESSAGE_UUID',
          `a different message with messageUUID ${messageUUID} was already received; use a new messageUUID for a new message`,
          [],
          // The sender's own earlier receipt; another system learns nothing about that message.
          existing.senderSystemId === system.id ? { receipt: this.technicalReceipt(existing) } : {},
        );
      }
      return { status: 201 as const, receipt: this.technicalReceipt(outcome.message) };
    });
  }

  /**
   * Stores a received MeMo with its processing job (inside a transaction). A byte-identical
   * repeat from the same system is the message already held; anything else under a known
   * messageUUID is a conflict.
   */
  private receive(
    system: SystemRecord,
    received: Received,
    containerTransmissionId?: string,
  ): { kind: 'new' | 'repeat'; message: MessageRecord } | { kind: 'conflict'; existing: MessageRecord } {
    const { messageUUID, xml, contentHash, parsed } = received;
    const existing = this.store.getMessage(messageUUID);
    if (existing !== undefined) {
      return existing.senderSystemId === system.id && existing.contentHash === contentHash
        ? { kind: 'repeat', message: existing }
        : { kind: 'conflict', existing };
    }
    const now = this.clock.now();
    const messageId = parsed.memo.messageHeader?.messageID;
    const message: MessageRecord = {
      messageUUID,
      transmissionId: this.newId(),
      ...(typeof messageId === 'string' ? { messageId } : {}),
      senderSystemId: system.id,
      ...(containerTransmissionId === undefined ? {} : { containerTransmissionId }),
      contentHash,
      size: xml.byteLength,
      state: 'RECEIVED',
      receivedAt: now,
      attempts: 0,
    };
    this.store.putMessage(message);
    this.store.putMessageXml(messageUUID, xml);
    if (containerTransmissionId === undefined) {
      this.emit(EventTag.MEMO_SEND_RECEIVED, message);
      this.emit(EventTag.TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM, message);
    } else {
      this.emit(EventTag.MEMO_EXTRACTED, message, { meta: { containerTransmissionId } });
    }
    this.schedule('process', now, { messageUUID });
    this.remember(messageUUID, parsed);
    return { kind: 'new', message };
  }

  // ---------------------------------------------------------------- bulk intake

  /**
   * A bulk container (`.tar.lzma`, by REST or SFTP): every readable entry becomes a message of its
   * own, decided and receipted on its own; entries that cannot be read or whose name is not their
   * messageUUID get an INVALID receipt and do not stop the rest. Everything of the container is
   * stored in one group commit, so its 201 means all of it is on disk.
   *
   * @throws ApiFailure 400 when the container cannot be read at all or holds no entry.
   */
  async submitContainer(
    system: SystemRecord,
    source: Uint8Array | AsyncIterable<Uint8Array>,
  ): Promise<{ receipt: WireReceipt; stored: number; rejected: number }> {
    const transmissionId = this.newId();
    const entries: Array<Received | RejectedEntry> = [];
    try {
      for await (const entry of readContainer(source, this.settings.container))
        entries.push(this.inspectEntry(entry));
    } catch (error) {
      if (!(error instanceof ContainerError)) throw error;
      this.change(() =>
        this.emit(EventTag.MEMO_ARCHIVE_REJECTED, undefined, {
          systemIds: [system.id],
          text: error.message,
          meta: { transmissionId },
        }),
      );
      throw new ApiFailure(400, error.code, `the container cannot be taken: ${error.message}`);
    }
    if (entries.length === 0) throw new ApiFailure(400, 'CONTAINER_EMPTY', 'the container holds no MeMo');
    return this.intake.run(() => {
      const now = this.clock.now();
      this.emit(EventTag.MEMO_MASS_SEND_RECEIVED, undefined, {
        systemIds: [system.id],
        meta: { transmissionId, entries: String(entries.length) },
      });
      let stored = 0;
      let rejected = 0;
      for (const entry of entries) {
        if ('rejection' in entry) {
          rejected++;
          this.rejectEntry(system, entry, transmissionId);
          continue;
        }
        const outcome = this.receive(system, entry, transmissionId);
        if (outcome.kind === 'conflict') {
          rejected++;
          this.issueEntryReceipt(
            system,
            entry.messageUUID,
            'DUPLICATE_MESSAGE_UUID',
            'a different message with this messageUUID was already received',
          );
        } else stored++;
      }
      this.emit(EventTag.TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM, undefined, {
        systemIds: [system.id],
        meta: { transmissionId },
      });
      return {
        receipt: {
          transmissionId,
          timeStamp: new Date(now).toISOString(),
          receiptStatus: 'RECEIVED' as const,
        },
        stored,
        rejected,
      };
    });
  }

  /** Reads one container entry: its MeMo, and whether its name is its messageUUID. */
  private inspectEntry(entry: ContainerEntry): Received | RejectedEntry {
    let parsed: ParsedMemo;
    try {
      const { memo, issues } = readMemo(entry.xml);
      parsed = { memo, structuralIssues: issues };
    } catch (error) {
      if (!(error instanceof MemoParseError)) throw error;
      return {
        rejection: 'MEMO_SCHEMA_INVALID',
        message: `${entry.name} cannot be read: ${error.message}`,
        messageUUID: entry.messageUUID,
      };
    }
    const header = parsed.memo.messageHeader?.messageUUID;
    const own = typeof header === 'string' && UUID_PATTERN.test(header) ? header.toLowerCase() : undefined;
    if (own === undefined || own !== entry.messageUUID) {
      return {
        rejection: 'MEMO_UUID_MISMATCH',
        message: `the entry ${entry.name} must be named after its MessageHeader/messageUUID${own === undefined ? ', which it lacks' : ` (${own}.xml)`}`,
        messageUUID: own ?? entry.messageUUID,
      };
    }
    return { messageUUID: own, xml: entry.xml, contentHash: contentHashOf(entry.xml), parsed };
  }

  /** An entry that cannot become a message: an INVALID receipt, when it names a messageUUID. */
  private rejectEntry(system: SystemRecord, entry: RejectedEntry, containerTransmissionId: string): void {
    if (entry.messageUUID === undefined) {
      this.emit(EventTag.MEMO_SEND_VALIDATION_FAILED, undefined, {
        systemIds: [system.id],
        text: entry.message,
        meta: { transmissionId: containerTransmissionId },
      });
      return;
    }
    if (this.store.getMessage(entry.messageUUID) !== undefined) {
      this.issueEntryReceipt(system, entry.messageUUID, entry.rejection, entry.message);
      return;
    }
    const message: MessageRecord = {
      messageUUID: entry.messageUUID,
      transmissionId: this.newId(),
      senderSystemId: system.id,
      containerTransmissionId,
      contentHash: '',
      size: 0,
      state: 'RECEIVED',
      receivedAt: this.clock.now(),
      attempts: 0,
    };
    this.store.putMessage(message);
    this.reject(message, { status: 'INVALID', code: entry.rejection, message: entry.message });
  }

  /** A business receipt for a container entry that is not (or not again) a message of its own. */
  private issueEntryReceipt(system: SystemRecord, messageUUID: string, code: string, text: string): void {
    const receipt: ReceiptRecord = {
      id: this.newId(),
      systemId: system.id,
      transmissionId: this.newId(),
      messageUUID,
      timeStamp: this.clock.now(),
      receiptStatus: 'INVALID',
      errorCode: code,
      errorMessage: text,
    };
    this.store.putReceipt(receipt);
    if (system.protocol === 'REST_PUSH' && system.receiptEndpoint !== undefined) {
      this.schedule('push-receipt', this.clock.now(), { receiptId: receipt.id, messageUUID });
    }
  }

  private technicalReceipt(message: MessageRecord): WireReceipt {
    return {
      transmissionId: message.transmissionId,
      messageUUID: message.messageUUID,
      ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
      timeStamp: new Date(message.receivedAt).toISOString(),
      receiptStatus: 'RECEIVED',
    };
  }

  private remember(messageUUID: string, parsed: ParsedMemo): void {
    if (this.parsed.size >= MEMO_CACHE_LIMIT) {
      const oldest = this.parsed.keys().next().value;
      if (oldest !== undefined) this.parsed.delete(oldest);
    }
    this.parsed.set(messageUUID, parsed);
  }

  /** The parsed MeMo of a stored message, from the cache (taken out when `consume`) or parsed again. */
  private parsedMemo(messageUUID: string, consume = true): ParsedMemo | undefined {
    const cached = this.parsed.get(messageUUID);
    if (cached !== undefined) {
      if (consume) this.parsed.delete(messageUUID);
      return cached;
    }
    const xml = this.store.getMessageXml(messageUUID);
    if (xml === undefined) return undefined;
    try {
      const { memo, issues } = readMemo(xml);
      return { memo, structuralIssues: issues };
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- jobs

  /** Runs a job that does I/O (a push). */
  async runJob(job: Job): Promise<void> {
    switch (job.kind) {
      case 'push-memo':
        return this.pushMemo(job);
      case 'push-notification':
        return this.pushNotification(job);
      case 'push-receipt':
        return this.pushReceipt(job);
      default:
        return this.runSyncJob(job);
    }
  }

  /** Runs a job that only changes state (the scheduler batches these into one transaction). */
  runSyncJob(job: Job): void {
    switch (job.kind) {
      case 'process':
        this.process(job);
        break;
      case 'deliver':
        this.deliverDelayed(job);
        break;
      case 'receipt':
        this.createDelayedReceipt(job);
        break;
      default:
        this.change(() => this.store.deleteJob(job.id));
    }
  }

  /** Validation, permissions, value date and routing of a received message. */
  private process(job: Job): void {
    const messageUUID = job.messageUUID as string;
    const parsed = this.parsedMemo(messageUUID);
    this.change(() => {
      this.store.deleteJob(job.id);
      const message = this.store.getMessage(messageUUID);
      if (message === undefined || message.state !== 'RECEIVED') return;
      if (parsed === undefined) {
        this.reject(message, {
          status: 'INVALID',
          code: 'MEMO_SCHEMA_INVALID',
          message: 'the stored MeMo cannot be read',
        });
        return;
      }
      const { memo, structuralIssues } = parsed;
      const result = validateMemo(memo, this.settings.validation);
      result.issues.unshift(...structuralIssues);
      const header = memo.messageHeader;
      if (typeof header === 'object' && header !== null) {
        message.label = typeof header.label === 'string' ? header.label : undefined;
        message.messageType = header.messageType === 'NEMSMS' ? 'NEMSMS' : 'DIGITALPOST';
        message.recipientId = header.recipient?.recipientID;
        message.recipientIdType = header.recipient?.idType?.toUpperCase();
        message.doNotDeliverUntilDate = header.doNotDeliverUntilDate;
      }
      if (result.issues.length > 0) {
        this.reject(message, validationRejection({ ...result, valid: false }));
        return;
      }
      const sender = this.store.getSystem(message.senderSystemId);
      const organisation = sender && this.store.getOrganisation(sender.organisationId);
      if (organisation === undefined) {
        this.reject(message, {
          status: 'NOT_ALLOWED',
          code: 'SYSTEM_NOT_ACTIVE',
          message: 'the sender system no longer exists',
        });
        return;
      }
      const decision = decide(
        memo,
        organisation,
        this.store,
        { valueDateHorizonDays: this.settings.valueDateHorizonDays, loose: this.settings.loose },
        { now: this.clock.now(), newId: () => this.newId() },
      );
      if (!decision.ok) {
        this.reject(message, decision);
        return;
      }
      if (decision.register !== undefined) this.store.putContact(decision.register);
      message.route = decision.route;
      this.emit(EventTag.MEMO_SEND_VALIDATED, message);
      if (decision.deliverAt !== undefined) {
        message.state = 'AWAITING_DELAY';
        this.store.putMessage(message);
        this.emit(EventTag.DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY, message);
        this.schedule('deliver', decision.deliverAt, { messageUUID });
        if (this.settings.valueDateReceipt === 'acceptance' && decision.route.kind === 'MAILBOX') {
          this.scheduleBusinessReceipt(message, 'COMPLETED', undefined, undefined, 0);
        }
        return;
      }
      this.deliver(message);
    });
  }

  private reject(
    message: MessageRecord,
    rejection: { status: 'INVALID' | 'NOT_ALLOWED'; code: string; message: string },
  ): void {
    message.state = 'REJECTED';
    message.businessStatus = rejection.status;
    this.store.putMessage(message);
    this.emit(EventTag.MEMO_SEND_VALIDATION_FAILED, message, {
      text: `${rejection.code}: ${rejection.message}`,
    });
    this.issueBusinessReceipt(message, rejection.status, rejection.code, rejection.message);
  }

  /** A value date has come. */
  private deliverDelayed(job: Job): void {
    this.change(() => {
      this.store.deleteJob(job.id);
      const message = this.store.getMessage(job.messageUUID as string);
      if (message === undefined || message.state !== 'AWAITING_DELAY') return;
      this.emit(EventTag.DELAYED_MEMO_SEND_SENT, message);
      this.deliver(message);
    });
  }

  /** Hands a validated message to its route (inside a transaction). */
  private deliver(message: MessageRecord): void {
    const route = message.route;
    if (route === undefined) return;
    if (route.kind === 'MAILBOX') {
      const now = this.clock.now();
      message.state = 'DELIVERED';
      message.deliveredAt = now;
      this.store.putMessage(message);
      this.store.addToMailbox({ owner: route.owner, messageUUID: message.messageUUID, deliveredAt: now });
      this.emit(EventTag.MEMO_AVAILABLE_TO_RECIPIENT, message);
      if (message.messageType === 'NEMSMS') this.emit(EventTag.NEM_SMS_SENT_SUCCESSFULLY, message);
      if (message.businessStatus !== undefined) return;
      const contact = this.store.findContact(message.recipientIdType === 'CPR' ? 'cpr' : 'cvr', route.owner);
      this.scheduleBusinessReceipt(message, 'COMPLETED', undefined, undefined, contact?.receiptDelayMs ?? 0);
      return;
    }
    const system = this.store.getSystem(route.systemId);
    if (system === undefined) {
      this.failDelivery(message, 'the recipient system no longer exists');
      return;
    }
    this.handToSystem(message, system);
  }

  private handToSystem(message: MessageRecord, system: SystemRecord): void {
    const now = this.clock.now();
    message.attempts = 0;
    delete message.firstAttemptAt;
    if (system.protocol === 'REST_PUSH') {
      message.state = 'DELIVERING';
      this.store.putMessage(message);
      this.schedule('push-memo', now, { messageUUID: message.messageUUID });
      return;
    }
    message.state = 'READY_FOR_FETCH';
    message.deliveredAt = now;
    this.store.putMessage(message);
    this.emit(EventTag.MEMO_SEND_READY_FOR_FETCH, message);
    if (system.protocol === 'REST_PUBLISH_SUBSCRIBE')
      this.schedule('push-notification', now, { messageUUID: message.messageUUID });
  }

  /** Every attempt failed: the sender gets a NOT_ALLOWED receipt. */
  private failDelivery(message: MessageRecord, reason: string): void {
    message.state = 'FAILED';
    message.businessStatus = 'NOT_ALLOWED';
    this.store.putMessage(message);
    this.emit(EventTag.MEMO_SEND_FAILED, message, { text: reason });
    this.issueBusinessReceipt(
      message,
      'NOT_ALLOWED',
      'RECIPIENT_NOT_REACHABLE',
      `delivery to the recipient system failed: ${reason}`,
    );
  }

  // ---------------------------------------------------------------- business receipts

  private scheduleBusinessReceipt(
    message: MessageRecord,
    status: Exclude<ReceiptStatus, 'RECEIVED'>,
    code: string | undefined,
    text: string | undefined,
    delayMs: number,
  ): void {
    const delay = delayMs + this.chaosDelay();
    if (delay <= 0) {
      this.issueBusinessReceipt(message, status, code, text);
      return;
    }
    this.schedule('receipt', this.clock.now() + delay, {
      messageUUID: message.messageUUID,
      data: { status, ...(code === undefined ? {} : { code }), ...(text === undefined ? {} : { text }) },
    });
  }

  private createDelayedReceipt(job: Job): void {
    this.change(() => {
      this.store.deleteJob(job.id);
      const message = this.store.getMessage(job.messageUUID as string);
      if (message === undefined) return;
      const data = job.data ?? {};
      this.issueBusinessReceipt(
        message,
        data.status as Exclude<ReceiptStatus, 'RECEIVED'>,
        data.code as string | undefined,
        data.text as string | undefined,
      );
    });
  }

  /**
   * Creates the sender's business receipt (inside a transaction). REST_PUSH senders with a receipt
   * endpoint get it posted; it stays listed under `/receipts/` until delivered or acknowledged.
   */
  private issueBusinessReceipt(
    message: MessageRecord,
    status: Exclude<ReceiptStatus, 'RECEIVED'>,
    code?: string,
    text?: string,
    transmissionId: string = this.newId(),
  ): void {
    const receipt: ReceiptRecord = {
      id: this.newId(),
      systemId: message.senderSystemId,
      transmissionId,
      messageUUID: message.messageUUID,
      ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
      timeStamp: this.clock.now(),
      receiptStatus: status,
      ...(code === undefined ? {} : { errorCode: code }),
      ...(text === undefined ? {} : { errorMessage: text }),
    };
    message.businessStatus = status;
    this.store.putMessage(message);
    this.store.putReceipt(receipt);
    this.emit(EventTag.BUSINESS_RECEIPT_CREATED, message, {
      meta: { receiptStatus: status, errorCode: code },
    });
    const sender = this.store.getSystem(message.senderSystemId);
    if (sender?.protocol === 'REST_PUSH' && sender.receiptEndpoint !== undefined) {
      this.schedule('push-receipt', this.clock.now(), {
        receiptId: receipt.id,
        messageUUID: message.messageUUID,
      });
    }
  }

  // ---------------------------------------------------------------- pushes

  private pushFault(operation: string, systemId: string): Promise<PushOutcome | undefined> {
    const fault = this.faults.match(operation, systemId);
    if (fault === undefined) return Promise.resolve(undefined);
    const outcome: PushOutcome | undefined =
      fault.status === undefined
        ? undefined
        : fault.status >= 200 && fault.status < 300
          ? { ok: true, status: fault.status }
          : { ok: false, status: fault.status, reason: `answered ${fault.status} (injected fault)` };
    const delay = fault.delayMs ?? 0;
    if (delay >= this.settings.pushTimeoutMs) {
      return new Promise((resolve) =>
        setTimeout(
          () =>
            resolve({
              ok: false,
              reason: `no answer within ${this.settings.pushTimeoutMs} ms (injected fault)`,
            }),
          this.settings.pushTimeoutMs,
        ),
      );
    }
    return new Promise((resolve) => setTimeout(() => resolve(outcome), delay));
  }

  private async deliverPush(
    operation: string,
    system: SystemRecord,
    url: string | undefined,
    body: () => { body: Uint8Array | string; contentType: string },
  ): Promise<PushOutcome> {
    const faulted = await this.pushFault(operation, system.id);
    if (faulted !== undefined) return faulted;
    if (url === undefined) return { ok: false, reason: 'the system has no endpoint configured' };
    const request = body();
    const outcome = await push({ url, ...request, timeoutMs: this.settings.pushTimeoutMs });
    if (
      outcome.ok &&
      this.settings.chaos.duplicatePushRate > 0 &&
      this.random() < this.settings.chaos.duplicatePushRate
    ) {
      await push({ url, ...request, timeoutMs: this.settings.pushTimeoutMs });
    }
    return outcome;
  }

  /** Records a failed attempt at a system: marks it failing and deactivates it after the window. */
  private noteSystemFailure(system: SystemRecord): void {
    const current = this.store.getSystem(system.id);
    if (current === undefined) return;
    const now = this.clock.now();
    current.failingSince ??= now;
    if (
      now - current.failingSince >= this.settings.deactivateAfterMs &&
      current.deactivatedAt === undefined
    ) {
      current.deactivatedAt = now;
      this.emit(EventTag.SYSTEM_CHANGED, undefined, {
        systemIds: [current.id],
        text: `system ${current.id} deactivated: every delivery failed for ${Math.round(this.settings.deactivateAfterMs / 3_600_000)} hours`,
      });
    }
    this.store.putSystem(current);
  }

  private noteSystemSuccess(system: SystemRecord): void {
    const current = this.store.getSystem(system.id);
    if (current?.failingSince === undefined) return;
    delete current.failingSince;
    this.store.putSystem(current);
  }

  /** The next attempt after `attempts`, or undefined when the schedule is exhausted. */
  private retry(firstAttemptAt: number, attempts: number, fallback: boolean): number | undefined {
    return nextAttemptAt(this.settings.retry, attempts, firstAttemptAt, fallback);
  }

  private async pushMemo(job: Job): Promise<void> {
    const message = this.store.getMessage(job.messageUUID as string);
    const system =
      message?.route?.kind === 'SYSTEM' ? this.store.getSystem(message.route.systemId) : undefined;
    if (message === undefined || message.state !== 'DELIVERING' || system === undefined) {
      this.change(() => this.store.deleteJob(job.id));
      return;
    }
    const xml = this.store.getMessageXml(message.messageUUID) ?? new Uint8Array(0);
    const attemptAt = this.clock.now();
    const outcome = isActive(system, attemptAt)
      ? await this.deliverPush('PUSH memo', system, system.endpoint, () =>
          memoMultipart(message.messageUUID, xml),
        )
      : ({ ok: false, reason: 'the recipient system is not in operation' } as const);
    this.change(() => {
      const current = this.store.getMessage(message.messageUUID);
      if (current === undefined || current.state !== 'DELIVERING') {
        this.store.deleteJob(job.id);
        return;
      }
      current.attempts += 1;
      current.firstAttemptAt ??= attemptAt;
      if (outcome.ok) {
        this.store.deleteJob(job.id);
        current.state = 'DELIVERED';
        current.deliveredAt = this.clock.now();
        this.store.putMessage(current);
        this.emit(EventTag.MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM, current);
        this.noteSystemSuccess(system);
        return;
      }
      this.emit(EventTag.MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED, current, { text: outcome.reason });
      this.noteSystemFailure(system);
      const next = this.retry(current.firstAttemptAt, current.attempts, current.fallback === true);
      if (next !== undefined) {
        this.store.putMessage(current);
        this.store.putJob({ ...job, dueAt: Math.max(next, this.clock.now()), attempt: current.attempts });
        return;
      }
      this.store.deleteJob(job.id);
      const fallback = this.fallbackSystem(current, system);
      if (fallback === undefined) {
        this.failDelivery(current, outcome.reason);
        return;
      }
      current.fallback = true;
      current.route = { kind: 'SYSTEM', systemId: fallback.id, organisationId: fallback.organisationId };
      this.handToSystem(current, fallback);
    });
  }

  /** The organisation's default recipient system, when the failing system is another one. */
  private fallbackSystem(message: MessageRecord, failing: SystemRecord): SystemRecord | undefined {
    if (message.fallback) return undefined;
    return this.store
      .listSystems(failing.organisationId)
      .find(
        (system) =>
          system.id !== failing.id &&
          system.roles.includes('RECIPIENT_DEFAULT') &&
          isActive(system, this.clock.now()),
      );
  }

  private async pushNotification(job: Job): Promise<void> {
    const message = this.store.getMessage(job.messageUUID as string);
    const system =
      message?.route?.kind === 'SYSTEM' ? this.store.getSystem(message.route.systemId) : undefined;
    if (message === undefined || message.state !== 'READY_FOR_FETCH' || system === undefined) {
      this.change(() => this.store.deleteJob(job.id));
      return;
    }
    const attemptAt = this.clock.now();
    const notification = JSON.stringify({
      messageUUID: message.messageUUID,
      memoUrl: `${this.settings.apiUrl}/memos/${message.messageUUID}`,
      timeStamp: new Date(attemptAt).toISOString(),
    });
    const outcome = await this.deliverPush('PUSH notification', system, system.endpoint, () => ({
      body: notification,
      contentType: 'application/json',
    }));
    this.change(() => {
      const firstAttemptAt = Number(job.data?.firstAttemptAt ?? attemptAt);
      const attempts = job.attempt + 1;
      if (outcome.ok) {
        this.store.deleteJob(job.id);
        this.emit(EventTag.NOTIFICATION_SENT, message);
        this.noteSystemSuccess(system);
        return;
      }
      this.emit(EventTag.NOTIFICATION_FAILED, message, { text: outcome.reason });
      this.noteSystemFailure(system);
      const next = this.retry(firstAttemptAt, attempts, false);
      if (next === undefined) this.store.deleteJob(job.id);
      else
        this.store.putJob({
          ...job,
          dueAt: Math.max(next, this.clock.now()),
          attempt: attempts,
          data: { firstAttemptAt },
        });
    });
  }

  private async pushReceipt(job: Job): Promise<void> {
    const receipt = this.store.getReceipt(job.receiptId as string);
    const sender = receipt && this.store.getSystem(receipt.systemId);
    if (receipt === undefined || sender === undefined) {
      this.change(() => this.store.deleteJob(job.id));
      return;
    }
    const attemptAt = this.clock.now();
    const body = JSON.stringify(toWireReceipt(receipt));
    const outcome = await this.deliverPush('PUSH receipt', sender, sender.receiptEndpoint, () => ({
      body,
      contentType: 'application/json',
    }));
    this.change(() => {
      const message =
        receipt.messageUUID === undefined ? undefined : this.store.getMessage(receipt.messageUUID);
      const firstAttemptAt = Number(job.data?.firstAttemptAt ?? attemptAt);
      const attempts = job.attempt + 1;
      if (outcome.ok) {
        this.store.deleteJob(job.id);
        this.store.deleteReceipt(receipt.id);
        this.emit(EventTag.BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM, message, { systemIds: [sender.id] });
        return;
      }
      this.emit(EventTag.BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED, message, {
        systemIds: [sender.id],
        text: outcome.reason,
      });
      const next = this.retry(firstAttemptAt, attempts, false);
      if (next === undefined || this.store.getReceipt(receipt.id) === undefined) this.store.deleteJob(job.id);
      else
        this.store.putJob({
          ...job,
          dueAt: Math.max(next, this.clock.now()),
          attempt: attempts,
          data: { firstAttemptAt },
        });
    });
  }

  // ---------------------------------------------------------------- recipient systems

  /** The message, if `system` is the recipient system it was routed to. */
  private routedTo(system: SystemRecord, messageUUID: string): MessageRecord {
    const message = this.store.getMessage(messageUUID.toLowerCase());
    if (
      message === undefined ||
      message.route?.kind !== 'SYSTEM' ||
      message.route.systemId !== system.id ||
      !isRecipientSystem(system)
    ) {
      throw new ApiFailure(404, 'NOT_FOUND', `no memo ${messageUUID} for this system`);
    }
    return message;
  }

  /** `GET /memos/{id}`: the XML of a memo waiting for this system. */
  fetchMemo(system: SystemRecord, messageUUID: string): Uint8Array {
    const message = this.routedTo(system, messageUUID);
    if (!['READY_FOR_FETCH', 'DELIVERED'].includes(message.state)) {
      throw new ApiFailure(404, 'NOT_FOUND', `memo ${messageUUID} is not available to this system`);
    }
    if (message.fetchedAt === undefined) {
      this.change(() => {
        message.fetchedAt = this.clock.now();
        this.store.putMessage(message);
        this.emit(EventTag.MEMO_SEND_FETCHED_BY_RECIPIENT_SYSTEM, message);
      });
    }
    return this.store.getMessageXml(message.messageUUID) ?? new Uint8Array(0);
  }

  /** `POST /memos/{id}/receipt`: the recipient's business receipt, forwarded to the sender. */
  acceptRecipientReceipt(system: SystemRecord, messageUUID: string, body: unknown): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiFailure(400, 'INVALID_BODY', 'the body must be a JSON Receipt');
    }
    const receipt = body as Record<string, unknown>;
    const status = receipt.receiptStatus;
    if (status === undefined)
      throw badField('receipt', 'receiptStatus', 'REQUIRED', 'is required (COMPLETED or INVALID)');
    if (
      typeof receipt.messageUUID === 'string' &&
      receipt.messageUUID.toLowerCase() !== messageUUID.toLowerCase()
    ) {
      throw badField('receipt', 'messageUUID', 'MISMATCH', 'does not match the path', receipt.messageUUID);
    }
    for (const field of ['transmissionId', 'errorCode', 'errorMessage', 'messageId'] as const) {
      if (receipt[field] !== undefined && typeof receipt[field] !== 'string') {
        throw badField('receipt', field, 'INVALID_FORMAT', 'must be a string', receipt[field]);
      }
    }
    const message = this.routedTo(system, messageUUID);
    // DELIVERING too: a pushed recipient may acknowledge before its answer to the push (or after
    // a push that timed out here but reached it); the push job then finds the message delivered.
    if (
      !['DELIVERING', 'READY_FOR_FETCH', 'DELIVERED'].includes(message.state) ||
      message.businessStatus !== undefined
    ) {
      throw new ApiFailure(
        409,
        'RECEIPT_ALREADY_GIVEN',
        `a business receipt for ${messageUUID} was already given`,
      );
    }
    if (status !== 'COMPLETED' && status !== 'INVALID') {
      throw new ApiFailure(
        422,
        'RECEIPT_STATUS_NOT_ACCEPTED',
        `receiptStatus must be COMPLETED or INVALID, got ${JSON.stringify(status)}`,
      );
    }
    this.change(() => {
      message.state = 'DELIVERED';
      message.deliveredAt ??= this.clock.now();
      this.store.putMessage(message);
      this.emit(EventTag.BUSINESS_RECEIPT_RECEIVED_BY_RECIPIENT_SYSTEM, message, {
        meta: { receiptStatus: status },
      });
      this.issueBusinessReceipt(
        message,
        status,
        typeof receipt.errorCode === 'string' ? receipt.errorCode : undefined,
        typeof receipt.errorMessage === 'string' ? receipt.errorMessage : undefined,
        typeof receipt.transmissionId === 'string' ? receipt.transmissionId : this.newId(),
      );
    });
  }

  // ---------------------------------------------------------------- sender systems

  /** `DELETE /memos/{id}` by the sending system: recall before the value date. */
  recall(system: SystemRecord, messageUUID: string): void {
    this.change(() => {
      const message = this.store.getMessage(messageUUID.toLowerCase());
      if (message === undefined || message.senderSystemId !== system.id) {
        throw new ApiFailure(404, 'NOT_FOUND', `no message ${messageUUID} from this system`);
      }
      if (message.state === 'RECALLED')
        throw new ApiFailure(409, 'ALREADY_RECALLED', `message ${messageUUID} was already recalled`);
      const valueDate =
        message.state === 'RECEIVED'
          ? this.parsedMemo(message.messageUUID, false)?.memo.messageHeader?.doNotDeliverUntilDate
          : message.doNotDeliverUntilDate;
      if (valueDate === undefined) {
        throw new ApiFailure(
          422,
          'NO_VALUE_DATE',
          `message ${messageUUID} has no doNotDeliverUntilDate; only messages waiting for their value date can be recalled`,
        );
      }
      const waiting =
        message.state === 'AWAITING_DELAY' ||
        (message.state === 'RECEIVED' && valueDate.trim().slice(0, 10) > copenhagenDate(this.clock.now()));
      if (!waiting) {
        throw new ApiFailure(
          409,
          'ALREADY_DELIVERED',
          `message ${messageUUID} is past its value date or already handled`,
        );
      }
      // Its pending process or deliver job finds the message recalled and does nothing.
      message.state = 'RECALLED';
      message.recalledAt = this.clock.now();
      this.store.putMessage(message);
      this.emit(EventTag.DELAYED_MEMO_MESSAGE_RECALLED, message);
      this.emit(EventTag.MEMO_SEND_RECALLED, message);
    });
  }

  /** `GET /receipts/{id}`: a receipt of this system, deleted afterwards unless `remove` is false. */
  takeReceipt(system: SystemRecord, id: string, remove: boolean): WireReceipt {
    const receipt = this.store.getReceipt(id.toLowerCase());
    if (receipt === undefined || receipt.systemId !== system.id)
      throw new ApiFailure(404, 'NOT_FOUND', `no receipt ${id} for this system`);
    if (remove) this.change(() => this.store.deleteReceipt(receipt.id));
    return toWireReceipt(receipt);
  }

  /** `DELETE /receipts/{id}`: acknowledges a receipt. */
  acknowledgeReceipt(system: SystemRecord, id: string): void {
    const receipt = this.store.getReceipt(id.toLowerCase());
    if (receipt === undefined || receipt.systemId !== system.id)
      throw new ApiFailure(404, 'NOT_FOUND', `no receipt ${id} for this system`);
    this.change(() => this.store.deleteReceipt(receipt.id));
  }

  /**
   * Records why a file the system dropped for sending (SFTP `/in`) was not taken. It replaces an
   * earlier error of the same file name.
   */
  recordFileError(system: SystemRecord, fileName: string, failure: ApiFailure): FileErrorRecord {
    const error: FileErrorRecord = {
      systemId: system.id,
      fileName,
      createdAt: this.clock.now(),
      errorMessage: errorMessageOf(failure),
    };
    this.change(() => this.store.putFileError(error));
    return error;
  }

  /** The system's file errors, by file name. */
  fileErrors(system: SystemRecord): FileErrorRecord[] {
    return this.store.listFileErrors(system.id);
  }

  fileError(system: SystemRecord, fileName: string): FileErrorRecord | undefined {
    return this.store.getFileError(system.id, fileName);
  }

  /** Removes a file error; false when there was none of that name. */
  dismissFileError(system: SystemRecord, fileName: string): boolean {
    return this.change(() => this.store.deleteFileError(system.id, fileName));
  }

  /**
   * Stores a system. An organisation has one primary recipient system: marking this one
   * RECIPIENT_DEFAULT removes the mark from the others (as Administrativ Adgang's
   * makedefaultrecipient does).
   */
  saveSystem(system: SystemRecord): void {
    this.change(() => {
      if (system.roles.includes('RECIPIENT_DEFAULT')) {
        for (const other of this.store.listSystems(system.organisationId)) {
          if (other.id === system.id || !other.roles.includes('RECIPIENT_DEFAULT')) continue;
          other.roles = other.roles.filter((role) => role !== 'RECIPIENT_DEFAULT');
          if (!other.roles.includes('RECIPIENT')) other.roles.push('RECIPIENT');
          this.store.putSystem(other);
        }
      }
      this.store.putSystem(system);
    });
  }

  /** Starts the scheduler; call once the HTTP side knows its URL. */
  start(): void {
    this.scheduler.resume();
  }
}
