/**
 * A MeMo delivered to a recipient system as it is, without NgDP's checks (control API, not part of
 * NgDP): how a conformance suite puts an invalid MeMo — or bytes that are no MeMo at all — in a
 * PULL queue, or has it pushed, to see whether the recipient system refuses it. It is stored as a
 * message of the sender system named, routed straight to the recipient system, and delivered by
 * that system's protocol; the recipient's business receipt is passed on to the sender as usual.
 */
import { EventTag } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { isRecipientSystem } from '../domain/auth.ts';
import { hashesOf } from '../domain/memo-digest.ts';
import type { MessageRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import type { Delivery } from './delivery.ts';
import { reject } from './rejections.ts';

export interface Injected {
  /** The MeMo's bytes, whatever they hold. */
  xml: Uint8Array;
  messageUUID: unknown;
  senderSystemId: unknown;
  recipientSystemId: unknown;
}

/** The recipient system's protocols by which a MeMo reaches it. */
const DELIVERABLE = new Set(['REST_PUSH', 'REST_PULL', 'REST_PUBLISH_SUBSCRIBE']);

export class Injection {
  private readonly context: EngineContext;
  private readonly delivery: Pick<Delivery, 'deliver'>;

  constructor(context: EngineContext, delivery: Pick<Delivery, 'deliver'>) {
    this.context = context;
    this.delivery = delivery;
  }

  /**
   * Stores `xml` as a message of the sender system and hands it to the recipient system at once,
   * unchecked.
   *
   * @throws Rejection INVALID_FORMAT for a messageUUID that is no UUID, NOT_ALLOWED_VALUE for an
   *   unknown system or a recipient system that is not on REST, DUPLICATE_MESSAGE_UUID for a
   *   messageUUID in use, MESSAGE_TOO_LARGE over the MeMo limit.
   */
  deliver(injected: Injected): MessageRecord {
    const { store, settings } = this.context;
    const { xml, messageUUID, senderSystemId, recipientSystemId } = injected;
    if (!isUuid(messageUUID))
      throw reject.invalidField('message', 'messageUUID', 'INVALID_FORMAT', 'must be a UUID', messageUUID);
    const sender =
      typeof senderSystemId === 'string' ? store.getSystem(senderSystemId.toLowerCase()) : undefined;
    if (sender === undefined)
      throw reject.invalidField(
        'message',
        'senderSystemId',
        'NOT_ALLOWED_VALUE',
        'must name a system',
        senderSystemId,
      );
    const recipient =
      typeof recipientSystemId === 'string' ? store.getSystem(recipientSystemId.toLowerCase()) : undefined;
    if (recipient === undefined)
      throw reject.invalidField(
        'message',
        'recipientSystemId',
        'NOT_ALLOWED_VALUE',
        'must name a system',
        recipientSystemId,
      );
    if (!isRecipientSystem(recipient) || !DELIVERABLE.has(recipient.protocol))
      throw reject.invalidField(
        'message',
        'recipientSystemId',
        'NOT_ALLOWED_VALUE',
        'must be a recipient system on REST_PUSH, REST_PULL or REST_PUBLISH_SUBSCRIBE',
        recipientSystemId,
      );
    if (xml.byteLength > settings.maxMemoBytes)
      throw reject.tooLarge(`the MeMo is larger than ${settings.maxMemoBytes} bytes`);
    const uuid = messageUUID.toLowerCase();
    return this.context.change(() => {
      if (store.getMessage(uuid) !== undefined) throw reject.duplicateMessage(uuid, undefined);
      const message: MessageRecord = {
        messageUUID: uuid,
        transmissionId: this.context.newId(),
        senderSystemId: sender.id,
        ...hashesOf(xml),
        size: xml.byteLength,
        state: 'RECEIVED',
        receivedAt: this.context.now(),
        attempts: 0,
        route: { kind: 'SYSTEM', systemId: recipient.id, organisationId: recipient.organisationId },
      };
      store.putMessage(message);
      store.putMessageXml(uuid, xml);
      this.context.record(EventTag.MEMO_SEND_RECEIVED, message, {
        text: 'delivered unchecked (control API)',
      });
      this.delivery.deliver(message);
      return message;
    });
  }
}
