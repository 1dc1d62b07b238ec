/**
 * What the control API and the web pages show of the simulator's state (not part of NgDP): a
 * mailbox's letters, a message with its lifecycle events, a stored MeMo.
 */
import type { EventRecord, MailboxEntry, MessageRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';

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

  /** The letters delivered to a citizen's (CPR) or company's (CVR) mailbox, oldest first. */
  mailbox(owner: string): MailboxLetter[] {
    const { store } = this.context;
    return store.listMailbox(owner).map((entry) => ({ entry, message: store.getMessage(entry.messageUUID) }));
  }

  /** @throws Rejection NOT_FOUND for an unknown messageUUID. */
  message(messageUUID: string): { message: MessageRecord; events: EventRecord[] } {
    const { store } = this.context;
    const message = store.getMessage(messageUUID.toLowerCase());
    if (message === undefined) throw reject.notFound(`no message ${messageUUID.toLowerCase()}`);
    return { message, events: store.listMessageEvents(message.messageUUID) };
  }

  /** @throws Rejection NOT_FOUND for an unknown messageUUID. */
  memo(messageUUID: string): Uint8Array {
    const xml = this.context.store.getMessageXml(messageUUID.toLowerCase());
    if (xml === undefined) throw reject.notFound(`no message ${messageUUID}`);
    return xml;
  }
}
