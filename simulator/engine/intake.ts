/**
 * Taking messages in: one MeMo (`POST /memos/`, an SFTP `.xml` file) or a bulk container (`.tar.lzma`
 * by REST or SFTP). What NgDP checks synchronously is checked here (a readable MeMo, its
 * messageUUID, a repeat or a conflict); the rest is decided by processing, after the answer. Each
 * message is stored with its processing job in a group commit: an answer means it is on disk.
 */
import { createHash } from 'node:crypto';
import { ContainerError, MemoParseError } from '../../sdk/errors.ts';
import { type ContainerEntry, readContainer } from '../../sdk/memo/container.ts';
import { EventTag } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import type { MessageRecord, SystemRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import { GroupCommit } from './group-commit.ts';
import { type MemoCache, type ParsedMemo, parseMemo } from './memo-cache.ts';
import type { Processing } from './processing.ts';
import type { Receipts } from './receipts.ts';
import { reject } from './rejections.ts';

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

export class Intake {
  private readonly context: EngineContext;
  private readonly memos: MemoCache;
  private readonly processing: Processing;
  private readonly receipts: Receipts;
  private readonly group: GroupCommit;

  constructor(
    context: EngineContext,
    memos: MemoCache,
    processing: Processing,
    receipts: Receipts,
    afterCommit: () => void,
  ) {
    this.context = context;
    this.memos = memos;
    this.processing = processing;
    this.receipts = receipts;
    this.group = new GroupCommit(context.store, afterCommit);
  }

  /** The largest MeMo and container (compressed) taken, in bytes: request bodies past them are refused. */
  get limits(): { memoBytes: number; containerBytes: number } {
    const { settings } = this.context;
    return { memoBytes: settings.maxMemoBytes, containerBytes: settings.container.maxBytes };
  }

  /**
   * One MeMo by `POST /memos/`: `queryUUID` is the `memo-message-uuid` query parameter, which must
   * name the MeMo's own messageUUID.
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
  private take(system: SystemRecord, xml: Uint8Array, queryUUID: string | undefined): Promise<Taken> {
    let parsed: ParsedMemo;
    try {
      parsed = parseMemo(xml);
    } catch (error) {
      if (error instanceof MemoParseError) throw reject.memoUnreadable(error.message);
      throw error;
    }
    const headerUUID = parsed.memo.messageHeader?.messageUUID;
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
    const received: Received = { messageUUID, xml, contentHash: contentHashOf(xml), parsed };
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
    const { messageUUID, xml, contentHash, parsed } = received;
    const existing = store.getMessage(messageUUID);
    if (existing !== undefined) {
      return existing.senderSystemId === system.id && existing.contentHash === contentHash
        ? { kind: 'repeat', message: existing }
        : { kind: 'conflict', existing };
    }
    const now = this.context.now();
    const messageId = parsed.memo.messageHeader?.messageID;
    const message: MessageRecord = {
      messageUUID,
      transmissionId: this.context.newId(),
      ...(typeof messageId === 'string' ? { messageId } : {}),
      senderSystemId: system.id,
      ...(containerTransmissionId === undefined ? {} : { containerTransmissionId }),
      contentHash,
      size: xml.byteLength,
      state: 'RECEIVED',
      receivedAt: now,
      attempts: 0,
    };
    store.putMessage(message);
    store.putMessageXml(messageUUID, xml);
    if (containerTransmissionId === undefined) {
      this.context.record(EventTag.MEMO_SEND_RECEIVED, message);
      this.context.record(EventTag.TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM, message);
    } else {
      this.context.record(EventTag.MEMO_EXTRACTED, message, { meta: { containerTransmissionId } });
    }
    this.context.schedule('process', now, { messageUUID });
    this.memos.remember(messageUUID, parsed);
    return { kind: 'new', message };
  }

  // ---------------------------------------------------------------- bulk containers

  /**
   * A bulk container (`.tar.lzma`, by REST or SFTP): every readable entry becomes a message of its
   * own, decided and receipted on its own; entries that cannot be read or whose name is not their
   * messageUUID get an INVALID receipt and do not stop the rest. Everything of the container is
   * stored in one group commit, so taking it means all of it is on disk.
   *
   * @throws Rejection when the container cannot be read at all or holds no entry.
   */
  async submitContainer(
    system: SystemRecord,
    source: Uint8Array | AsyncIterable<Uint8Array>,
  ): Promise<TakenContainer> {
    const transmissionId = this.context.newId();
    const entries: Array<Received | RejectedEntry> = [];
    try {
      for await (const entry of readContainer(source, this.context.settings.container))
        entries.push(this.inspect(entry));
    } catch (error) {
      if (!(error instanceof ContainerError)) throw error;
      this.context.change(() =>
        this.context.record(EventTag.MEMO_ARCHIVE_REJECTED, undefined, {
          systemIds: [system.id],
          text: error.message,
          meta: { transmissionId },
        }),
      );
      throw reject.containerUnreadable(error.code, error.message);
    }
    // Entries without a messageUUID (readme.txt) can have no receipt: with nothing else, the sender
    // would hear nothing at all after the 201.
    if (entries.every((entry) => entry.messageUUID === undefined)) throw reject.containerEmpty();
    return this.group.run(() => {
      const receivedAt = this.context.now();
      this.context.record(EventTag.MEMO_MASS_SEND_RECEIVED, undefined, {
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
          this.receipts.issueForEntry(
            system,
            entry.messageUUID,
            'DUPLICATE_MESSAGE_UUID',
            'a different message with this messageUUID was already received',
          );
        } else stored++;
      }
      this.context.record(EventTag.TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM, undefined, {
        systemIds: [system.id],
        meta: { transmissionId },
      });
      return { transmissionId, receivedAt, stored, rejected };
    });
  }

  /** Reads one container entry: its MeMo, and whether its name is its messageUUID. */
  private inspect(entry: ContainerEntry): Received | RejectedEntry {
    let parsed: ParsedMemo;
    try {
      parsed = parseMemo(entry.xml);
    } catch (error) {
      if (!(error instanceof MemoParseError)) throw error;
      return {
        rejection: 'MEMO_SCHEMA_INVALID',
        message: `${entry.name} cannot be read: ${error.message}`,
        messageUUID: entry.messageUUID,
      };
    }
    const header = parsed.memo.messageHeader?.messageUUID;
    const own = isUuid(header) ? header.toLowerCase() : undefined;
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
    const { store } = this.context;
    if (entry.messageUUID === undefined) {
      this.context.record(EventTag.MEMO_SEND_VALIDATION_FAILED, undefined, {
        systemIds: [system.id],
        text: entry.message,
        meta: { transmissionId: containerTransmissionId },
      });
      return;
    }
    if (store.getMessage(entry.messageUUID) !== undefined) {
      this.receipts.issueForEntry(system, entry.messageUUID, entry.rejection, entry.message);
      return;
    }
    const message: MessageRecord = {
      messageUUID: entry.messageUUID,
      transmissionId: this.context.newId(),
      senderSystemId: system.id,
      containerTransmissionId,
      contentHash: '',
      size: 0,
      state: 'RECEIVED',
      receivedAt: this.context.now(),
      attempts: 0,
    };
    store.putMessage(message);
    this.processing.reject(message, { status: 'INVALID', code: entry.rejection, message: entry.message });
  }
}
