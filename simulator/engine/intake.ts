/**
 * Taking messages in: one MeMo (`POST /memos/`, an SFTP `.xml` file) or a bulk container (`.tar.lzma`
 * by REST or SFTP). What NgDP checks synchronously is checked here (a readable MeMo, its
 * messageUUID, a repeat or a conflict); the rest is decided by processing, after the answer. Each
 * message is stored with its processing job in a group commit: an answer means it is on disk.
 */
import { ContainerError } from '../../sdk/errors.ts';
import { containerWindowBytes } from '../../sdk/memo/container.ts';
import { EventTag } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import type { MemoDigest } from '../domain/memo-digest.ts';
import type { MessageRecord, SystemRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import { GroupCommit } from './group-commit.ts';
import type { MemoCache } from './memo-cache.ts';
import type { EntryRead, MemoWork } from './memo-work.ts';
import type { Hold, MemoryBudget } from './memory-budget.ts';
import type { Processing } from './processing.ts';
import type { Receipts } from './receipts.ts';
import { reject } from './rejections.ts';

/** Container entries stored per group commit (about 25 ms of the main thread each). */
const ENTRIES_PER_COMMIT = 500;

/** A MeMo taken in, ready to store. */
interface Received {
  messageUUID: string;
  xml: Uint8Array;
  digest: MemoDigest;
}

/** A container entry that cannot become a message. */
interface RejectedEntry {
  rejection: 'MEMO_SCHEMA_INVALID' | 'MEMO_UUID_MISMATCH';
  message: string;
  messageUUID: string | undefined;
}

/** What became of one MeMo: stored now, or the same message already held (an idempotent repeat). */
export interface Taken {
  kind: 'new' | 'repeat';
  message: MessageRecord;
}

/** What became of a container: the transmission, and how many of its entries became messages. */
export interface TakenContainer {
  transmissionId: string;
  receivedAt: number;
  stored: number;
  rejected: number;
}

/** The use case's collaborators, besides the shared context. */
export interface IntakeParts {
  memos: MemoCache;
  processing: Processing;
  receipts: Receipts;
  /** Where MeMos and containers are read (on this thread or another). */
  work: MemoWork;
  /** What entries of containers being read are held against. */
  memory: MemoryBudget;
  /** Called after each group commit (the scheduler looks for the new jobs). */
  afterCommit: () => void;
}

export class Intake {
  private readonly context: EngineContext;
  private readonly memos: MemoCache;
  private readonly processing: Processing;
  private readonly receipts: Receipts;
  private readonly work: MemoWork;
  private readonly memory: MemoryBudget;
  private readonly group: GroupCommit;

  constructor(context: EngineContext, parts: IntakeParts) {
    this.context = context;
    this.memos = parts.memos;
    this.processing = parts.processing;
    this.receipts = parts.receipts;
    this.work = parts.work;
    this.memory = parts.memory;
    this.group = new GroupCommit(context.store, parts.afterCommit);
  }

  /**
   * The largest MeMo and container (compressed) taken, in bytes: request bodies past them are
   * refused; and whether a body must declare its length (`Content-Length`, as NgDP declares).
   */
  get limits(): { memoBytes: number; containerBytes: number; lengthRequired: boolean } {
    const { settings } = this.context;
    return {
      memoBytes: settings.maxMemoBytes,
      containerBytes: settings.container.maxBytes,
      lengthRequired: !settings.acceptChunked,
    };
  }

  /**
   * One MeMo by `POST /memos/`: `queryUUID` is the `memo-message-uuid` query parameter, which must
   * name the MeMo's own messageUUID. The bytes are taken over (they may go to another thread to be
   * read): do not use them afterwards.
   *
   * @throws Rejection for a missing or mismatching messageUUID, an unreadable MeMo, or a
   *   messageUUID that names a different message (DUPLICATE_MESSAGE_UUID).
   */
  async submitMemo(system: SystemRecord, xml: Uint8Array, queryUUID: string | undefined): Promise<Taken> {
    if (queryUUID === undefined || queryUUID === '') {
      throw reject.memoUuidMissing(
        'query',
        'memo-message-uuid',
        'is required with Content-Type application/xml or text/xml',
      );
    }
    return this.take(system, xml, queryUUID);
  }

  /**
   * One MeMo dropped as a file (SFTP `/in/*.xml`): taken as by `POST /memos/`, the messageUUID being
   * the one its header names (there is no query to compare it with).
   */
  async submitMemoFile(system: SystemRecord, xml: Uint8Array): Promise<Taken> {
    const limit = this.context.settings.maxMemoBytes;
    if (xml.byteLength > limit) throw reject.tooLarge(`the MeMo is larger than ${limit} bytes`);
    return this.take(system, xml, undefined);
  }

  /** Reads, checks and stores one MeMo; `queryUUID` undefined takes the header's messageUUID. */
  private async take(system: SystemRecord, xml: Uint8Array, queryUUID: string | undefined): Promise<Taken> {
    const read = await this.work.read(xml);
    if ('unreadable' in read) throw reject.memoUnreadable(read.unreadable);
    const { digest } = read;
    const headerUUID = digest.header?.messageUUID;
    if (queryUUID === undefined && !isUuid(headerUUID)) {
      throw reject.memoUuidMissing(
        'memo',
        'MessageHeader/messageUUID',
        typeof headerUUID === 'string' ? 'is not a UUID' : 'is required',
        headerUUID,
      );
    }
    const expectedUUID = queryUUID ?? String(headerUUID);
    if (typeof headerUUID !== 'string' || headerUUID.toLowerCase() !== expectedUUID.toLowerCase()) {
      throw reject.memoUuidMismatch(
        typeof headerUUID === 'string'
          ? `does not match MessageHeader/messageUUID (${headerUUID})`
          : 'the MeMo has no MessageHeader/messageUUID',
        queryUUID,
      );
    }
    if (!isUuid(headerUUID)) throw reject.memoUuidMismatch('is not a UUID', queryUUID);
    const messageUUID = headerUUID.toLowerCase();
    const received: Received = { messageUUID, xml: read.xml, digest };
    // Stored in a group commit with the other messages of this moment; answered once on disk.
    return this.group.run(() => {
      const outcome = this.receive(system, received);
      if (outcome.kind === 'conflict') {
        const { existing } = outcome;
        // The sender's own earlier message is named; another system learns nothing about it.
        throw reject.duplicateMessage(
          messageUUID,
          existing.senderSystemId === system.id ? existing : undefined,
        );
      }
      return outcome;
    });
  }

  /**
   * Stores a received MeMo with its processing job (inside a transaction). A byte-identical repeat
   * from the same system is the message already held; anything else under a known messageUUID is
   * a conflict.
   */
  private receive(
    system: SystemRecord,
    received: Received,
    containerTransmissionId?: string,
  ): Taken | { kind: 'conflict'; existing: MessageRecord } {
    const { store } = this.context;
    const { messageUUID, xml, digest } = received;
    const { contentHash, sha256, header } = digest;
    const existing = store.getMessage(messageUUID);
    if (existing !== undefined) {
      return existing.senderSystemId === system.id && existing.contentHash === contentHash
        ? { kind: 'repeat', message: existing }
        : { kind: 'conflict', existing };
    }
    const now = this.context.now();
    const messageId = header?.messageID;
    // Known from now on, so that a recall before processing needs no second reading of the MeMo.
    const valueDate = header?.doNotDeliverUntilDate;
    const message: MessageRecord = {
      messageUUID,
      transmissionId: this.context.newId(),
      ...(typeof messageId === 'string' ? { messageId } : {}),
      ...(typeof valueDate === 'string' ? { doNotDeliverUntilDate: valueDate } : {}),
      senderSystemId: system.id,
      ...(containerTransmissionId === undefined ? {} : { containerTransmissionId }),
      contentHash,
      ...(sha256 === undefined ? {} : { sha256 }),
      size: xml.byteLength,
      state: 'RECEIVED',
      receivedAt: now,
      attempts: 0,
    };
    store.putMessage(message);
    store.putMessageXml(messageUUID, xml);
    const actorSystemId = message.senderSystemId;
    if (containerTransmissionId === undefined) {
      this.context.record(EventTag.MEMO_SEND_RECEIVED, message, { actorSystemId });
      this.context.record(EventTag.TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM, message, { actorSystemId });
    } else {
      this.context.record(EventTag.MEMO_EXTRACTED, message, {
        meta: { containerTransmissionId },
        actorSystemId,
      });
    }
    this.context.schedule('process', now, { messageUUID });
    this.memos.remember(messageUUID, digest);
    return { kind: 'new', message };
  }

  // ---------------------------------------------------------------- bulk containers

  /**
   * A bulk container (`.tar.lzma`, by REST or SFTP): every readable entry becomes a message of its
   * own, decided and receipted on its own; entries that cannot be read or whose name is not their
   * messageUUID get an INVALID receipt and do not stop the rest. The container is read whole
   * before anything is stored (a refusal stores nothing), then stored in slices; taking it means
   * all of it is on disk. Until then its entries, and the decoder's window while it reads them,
   * are held against the memory budget. The bytes are taken over: do not use them afterwards.
   *
   * @throws Rejection when the container cannot be read at all or holds no entry; `unavailable`
   *   when the memory budget has no room for it now.
   */
  async submitContainer(system: SystemRecord, container: Uint8Array): Promise<TakenContainer> {
    const { settings } = this.context;
    const hold = this.memory.hold("the container's decompressed entries");
    try {
      hold.grow(containerWindowBytes(container, settings.container.maxTotalBytes));
      const transmissionId = this.context.newId();
      const entries: Array<Received | RejectedEntry> = [];
      try {
        for await (const entry of this.work.readContainer(container, { limits: settings.container, hold })) {
          const inspected = this.inspect(entry);
          // An entry refused here keeps none of its bytes: they no longer count.
          if ('rejection' in inspected) hold.shrink(entry.xml.byteLength);
          entries.push(inspected);
        }
      } catch (error) {
        if (!(error instanceof ContainerError)) throw error;
        this.context.change(() =>
          this.context.record(EventTag.MEMO_ARCHIVE_REJECTED, undefined, {
            systemIds: [system.id],
            actorSystemId: system.id,
            text: error.message,
            meta: { transmissionId },
          }),
        );
        throw reject.containerUnreadable(error.code, error.message);
      }
      // Entries without a messageUUID (readme.txt) can have no receipt: with nothing else, the sender
      // would hear nothing at all after the 201.
      if (entries.every((entry) => entry.messageUUID === undefined)) throw reject.containerEmpty();
      return await this.storeEntries(system, transmissionId, entries, hold);
    } finally {
      hold.release();
    }
  }

  /**
   * Stores a container's entries, {@link ENTRIES_PER_COMMIT} per group commit, so that a container
   * of 100,000 letters holds the main thread for a few dozen milliseconds at a time, not for
   * seconds; each slice's bytes stop counting against the budget once they are stored. The
   * answer comes once the last slice is on disk. A crash in between leaves the first slices
   * stored; sending the container again completes it, the stored entries being repeats.
   */
  private async storeEntries(
    system: SystemRecord,
    transmissionId: string,
    entries: ReadonlyArray<Received | RejectedEntry>,
    hold: Hold,
  ): Promise<TakenContainer> {
    const receivedAt = this.context.now();
    let stored = 0;
    let rejected = 0;
    for (let from = 0; from < entries.length; from += ENTRIES_PER_COMMIT) {
      const slice = entries.slice(from, from + ENTRIES_PER_COMMIT);
      const last = from + ENTRIES_PER_COMMIT >= entries.length;
      const counts = await this.group.run(() => {
        if (from === 0) {
          this.context.record(EventTag.MEMO_MASS_SEND_RECEIVED, undefined, {
            systemIds: [system.id],
            actorSystemId: system.id,
            meta: { transmissionId, entries: String(entries.length) },
          });
        }
        const sliceCounts = { stored: 0, rejected: 0 };
        for (const entry of slice) {
          if (this.storeEntry(system, entry, transmissionId)) sliceCounts.stored++;
          else sliceCounts.rejected++;
        }
        if (last) {
          this.context.record(EventTag.TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM, undefined, {
            systemIds: [system.id],
            actorSystemId: system.id,
            meta: { transmissionId },
          });
        }
        return sliceCounts;
      });
      stored += counts.stored;
      rejected += counts.rejected;
      for (const entry of slice) if (!('rejection' in entry)) hold.shrink(entry.xml.byteLength);
    }
    return { transmissionId, receivedAt, stored, rejected };
  }

  /** Stores one entry of a container (inside a transaction); false when it is refused. */
  private storeEntry(system: SystemRecord, entry: Received | RejectedEntry, transmissionId: string): boolean {
    if ('rejection' in entry) {
      this.rejectEntry(system, entry, transmissionId);
      return false;
    }
    const outcome = this.receive(system, entry, transmissionId);
    if (outcome.kind !== 'conflict') return true;
    this.receipts.issueForEntry(
      system,
      entry.messageUUID,
      'DUPLICATE_MESSAGE_UUID',
      'a different message with this messageUUID was already received',
    );
    return false;
  }

  /** What one container entry is: a MeMo to store, or one to refuse (unreadable, misnamed). */
  private inspect(entry: EntryRead): Received | RejectedEntry {
    if ('unreadable' in entry) {
      return {
        rejection: 'MEMO_SCHEMA_INVALID',
        message: `${entry.name} cannot be read: ${entry.unreadable}`,
        messageUUID: entry.messageUUID,
      };
    }
    const header = entry.digest.header?.messageUUID;
    const own = isUuid(header) ? header.toLowerCase() : undefined;
    if (own === undefined || own !== entry.messageUUID) {
      return {
        rejection: 'MEMO_UUID_MISMATCH',
        message: `the entry ${entry.name} must be named after its MessageHeader/messageUUID${own === undefined ? ', which it lacks' : ` (${own}.xml)`}`,
        messageUUID: own ?? entry.messageUUID,
      };
    }
    return { messageUUID: own, xml: entry.xml, digest: entry.digest };
  }

  /**
   * An entry that cannot become a message (unreadable, misnamed): an INVALID receipt when it names a
   * messageUUID, and no message. Like a MeMo that `POST /memos/` refuses with 400, it never was a
   * letter, so its messageUUID stays free for the corrected MeMo (docs/differences.md, "bulk
   * containers").
   */
  private rejectEntry(system: SystemRecord, entry: RejectedEntry, containerTransmissionId: string): void {
    this.context.record(EventTag.MEMO_SEND_VALIDATION_FAILED, undefined, {
      systemIds: [system.id],
      actorSystemId: system.id,
      text: entry.message,
      // As MEMO_EXTRACTED names an entry's container: an entry refused unread is told by it.
      meta: {
        containerTransmissionId,
        ...(entry.messageUUID === undefined ? {} : { messageUUID: entry.messageUUID }),
      },
    });
    if (entry.messageUUID !== undefined)
      this.receipts.issueForEntry(system, entry.messageUUID, entry.rejection, entry.message);
  }
}
