/**
 * What the control API and the web pages show of the simulator's state (not part of NgDP): a
 * mailbox's letters, a message with its lifecycle events, a stored MeMo.
 */
import { EventTag } from '../../sdk/ngdp/enums.ts';
import { servedSha256 } from '../domain/memo-digest.ts';
import type { EventRecord, MailboxEntry, MessageRecord } from '../domain/model.ts';
import { EARLIEST_INSTANT, LATEST_INSTANT } from '../domain/time.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';
import { movedOut } from './system-fetches.ts';

/** A letter in a mailbox, with the message it is. */
export interface MailboxLetter {
  entry: MailboxEntry;
  message: MessageRecord | undefined;
}

export class Inspection {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  /**
   * The letters delivered to a citizen's (CPR) or company's (CVR) mailbox, oldest first; those a
   * system fetch moved out are gone.
   */
  mailbox(owner: string): MailboxLetter[] {
    const { store } = this.context;
    return store
      .listMailbox(owner)
      .filter((entry) => !movedOut(store, entry.messageUUID))
      .map((entry) => ({ entry, message: store.getMessage(entry.messageUUID) }));
  }

  /**
   * A message, its lifecycle events, and the SHA-256 of its MeMo as served and pushed (null when
   * it has none: a container entry refused before it was read).
   *
   * @throws Rejection NOT_FOUND for an unknown messageUUID.
   */
  message(messageUUID: string): { message: MessageRecord; events: EventRecord[]; sha256: string | null } {
    const { store } = this.context;
    const message = store.getMessage(messageUUID.toLowerCase());
    if (message === undefined) throw reject.notFound(`no message ${messageUUID.toLowerCase()}`);
    return { message, events: store.listMessageEvents(message.messageUUID), sha256: servedSha256(message) };
  }

  /**
   * The messages whose MeMo a system sent — alone, in bulk containers or over SFTP — in the order
   * they were received (found through the event log, which a reset empties with them).
   */
  sentBy(systemId: string): MessageRecord[] {
    const { store } = this.context;
    const found = new Map<string, MessageRecord>();
    for (const eventTag of [EventTag.MEMO_SEND_RECEIVED, EventTag.MEMO_EXTRACTED]) {
      const query = {
        from: EARLIEST_INSTANT,
        to: LATEST_INSTANT,
        systemIds: [systemId.toLowerCase()],
        eventTag,
      };
      for (const event of store.listEvents(query, { offset: 0, limit: store.countEvents(query) })) {
        const message = event.messageUUID === undefined ? undefined : store.getMessage(event.messageUUID);
        if (message?.senderSystemId === systemId.toLowerCase()) found.set(message.messageUUID, message);
      }
    }
    return [...found.values()].sort((a, b) => a.receivedAt - b.receivedAt);
  }

  /** @throws Rejection NOT_FOUND for an unknown messageUUID. */
  memo(messageUUID: string): Uint8Array {
    const xml = this.context.store.getMessageXml(messageUUID.toLowerCase());
    if (xml === undefined) throw reject.notFound(`no message ${messageUUID}`);
    return xml;
  }
}
