/**
 * Recall (`DELETE /memos/{id}` by the sending system): a message that waits for its value date is
 * never delivered. Irreversible; the sender gets no receipt for it (docs/differences.md, "Value dates and recall").
 */
import { copenhagenDate, valueDateOf } from '../../sdk/ngdp/time.ts';
import { move, recallability } from '../domain/lifecycle.ts';
import type { SystemRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';

export class Recall {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  /**
   * Recalls a message the system sent.
   *
   * @throws Rejection NOT_FOUND (not a message of this system), ALREADY_RECALLED, NO_VALUE_DATE, or
   *   ALREADY_DELIVERED (its value date has come, or it was handled).
   */
  recall(system: SystemRecord, messageUUID: string): void {
    const { store } = this.context;
    this.context.change(() => {
      const message = store.getMessage(messageUUID.toLowerCase());
      if (message === undefined || message.senderSystemId !== system.id)
        throw reject.notFound(`no message ${messageUUID} from this system`);
      // Intake notes the MeMo's value date, so it is known before processing too.
      const doNotDeliverUntil = message.doNotDeliverUntilDate;
      const valueDate = doNotDeliverUntil === undefined ? undefined : valueDateOf(doNotDeliverUntil);
      switch (recallability(message, valueDate, copenhagenDate(this.context.now()))) {
        case 'already-recalled':
          throw reject.alreadyRecalled(messageUUID);
        case 'no-value-date':
          throw reject.noValueDate(messageUUID);
        case 'past-value-date':
          throw reject.pastValueDate(messageUUID);
      }
      // Its pending process or deliver job finds the message recalled and does nothing.
      const events = move(message, 'recall', this.context.now());
      store.putMessage(message);
      for (const tag of events) this.context.record(tag, message, { actorSystemId: system.id });
    });
  }
}
