/**
 * `POST /simulator/v1/messages`: a MeMo delivered to a recipient system as it is, without NgDP's
 * checks — how a conformance suite hands a recipient system an invalid MeMo (or no MeMo at all) to
 * see that it is refused, by PULL or by push.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import {
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  multipartParts,
  patchSystem,
  pullReceipts,
  type Receiver,
  resetSimulator,
  SEED_IDS,
  startReceiver,
  startTestSimulator,
  transcript,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const RECIPIENT = SEED_IDS.companyRecipient;
const SENDER = SEED_IDS.senderPull;

describe('a MeMo delivered unchecked', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startTestSimulator();
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  /** A letter whose label breaks the schema (300 characters), as bytes. */
  async function invalidMemo(): Promise<{ xml: Buffer; messageUUID: string }> {
    const memo = await letterTo({ cvr: '87654321' }, { label: 'LABEL-TO-BREAK' });
    const xml = Buffer.from(serializeMemoToBytes(memo).toString().replace('LABEL-TO-BREAK', 'x'.repeat(300)));
    return { xml, messageUUID: memo.messageHeader.messageUUID };
  }

  const inject = (fields: Record<string, unknown>) => control(simulator, 'POST', '/messages', fields);

  it("waits in a PULL queue, and the recipient's INVALID receipt reaches the sender", async () => {
    const { xml, messageUUID } = await invalidMemo();
    const recipientKey = keyOf(simulator, RECIPIENT);

    const response = await inject({
      memo: xml.toString('base64'),
      messageUUID,
      senderSystemId: SENDER,
      recipientSystemId: RECIPIENT,
    });

    expect(response.status, response.text).toBe(201);
    expect(response.json).toMatchObject({ messageUUID, state: 'READY_FOR_FETCH', senderSystemId: SENDER });
    const queue = await call(`${simulator.apiUrl}/memos/`, { apiKey: recipientKey });
    expect((queue.json as { content: string[] }).content).toContain(messageUUID);
    const fetched = await call(`${simulator.apiUrl}/memos/${messageUUID}`, { apiKey: recipientKey });
    expect(fetched.text).toBe(xml.toString('utf8'));
    const refused = await call(`${simulator.apiUrl}/memos/${messageUUID}/receipt`, {
      method: 'POST',
      apiKey: recipientKey,
      contentType: 'application/json',
      body: JSON.stringify({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' }),
    });
    expect(refused.status).toBe(200);
    await simulator.settle();
    expect(
      (await pullReceipts(simulator, keyOf(simulator, SENDER))).find(
        (receipt) => receipt.messageUUID === messageUUID,
      ),
    ).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'MEMO_SCHEMA_INVALID' });
  });

  describe('to a push endpoint', () => {
    let receiver: Receiver;

    beforeAll(async () => {
      receiver = await startReceiver(400);
    });
    afterAll(() => receiver.close());

    it('is pushed as it is, even bytes that are no MeMo, and the answer is in the transcript', async () => {
      await patchSystem(simulator, RECIPIENT, { protocol: 'REST_PUSH', endpoint: receiver.url });
      const garbage = Buffer.from('this is not a MeMo');
      const messageUUID = '0f0f0f0f-0000-4000-8000-00000000abcd';

      await inject({
        memo: garbage.toString('base64'),
        messageUUID,
        senderSystemId: SENDER,
        recipientSystemId: RECIPIENT,
      });
      await simulator.settle();

      const [part] = await multipartParts(receiver.requests[0] as never);
      expect(part).toMatchObject({ name: 'file', filename: messageUUID, content: garbage });
      expect((await transcript(simulator, { systemId: RECIPIENT })).entries).toMatchObject([
        { operation: 'PUSH memo', status: 400, messageUUID, bodyBytes: garbage.length },
      ]);
    });
  });

  it.each([
    ['a memo that is not base64', { memo: 'not base64!' }, 'memo', 'INVALID_FORMAT'],
    ['a messageUUID that is no UUID', { messageUUID: 'L1' }, 'messageUUID', 'INVALID_FORMAT'],
    [
      'an unknown recipient system',
      { recipientSystemId: SEED_IDS.contactPoint },
      'recipientSystemId',
      'NOT_ALLOWED_VALUE',
    ],
    ['a sender system as recipient', { recipientSystemId: SENDER }, 'recipientSystemId', 'NOT_ALLOWED_VALUE'],
    ['no sender system', { senderSystemId: undefined }, 'senderSystemId', 'NOT_ALLOWED_VALUE'],
    ['an unknown field', { colour: 'red' }, 'colour', 'NOT_ALLOWED_VALUE'],
  ])('refuses %s: 400 naming the field', async (_case, change, field, code) => {
    const { xml, messageUUID } = await invalidMemo();

    const response = await inject({
      memo: xml.toString('base64'),
      messageUUID,
      senderSystemId: SENDER,
      recipientSystemId: RECIPIENT,
      ...change,
    });

    expect(expectErrorMessage(response, 400, code).fieldErrors).toMatchObject([{ field }]);
  });

  it('refuses a messageUUID in use: 409 DUPLICATE_MESSAGE_UUID', async () => {
    const { xml, messageUUID } = await invalidMemo();
    const fields = {
      memo: xml.toString('base64'),
      messageUUID,
      senderSystemId: SENDER,
      recipientSystemId: RECIPIENT,
    };
    await inject(fields);

    expectErrorMessage(await inject(fields), 409, 'DUPLICATE_MESSAGE_UUID');
  });
});
