/**
 * What the control API tells a conformance suite about messages: the SHA-256 of a MeMo as the
 * simulator serves and pushes it (`GET /simulator/v1/messages/{id}`, `sha256`), which a recipient's
 * vendor report must match, and every message a sender system sent, however it sent it
 * (`GET /simulator/v1/messages?senderSystemId=…`).
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import { containerOf } from '../../../test/support/sftp-sender.ts';
import {
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  postMemo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe('messages in the control API', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  describe('sha256', () => {
    it('is the hash of the MeMo as GET /memos/{id} serves it to the recipient system', async () => {
      const memo = await letterTo({ cvr: '87654321' });
      const messageUUID = memo.messageHeader.messageUUID;
      await sendMemo(simulator, key, memo);
      await simulator.settle();

      const served = await call(`${simulator.apiUrl}/memos/${messageUUID}`, {
        apiKey: keyOf(simulator, SEED_IDS.companyRecipient),
      });
      const state = await control(simulator, 'GET', `/messages/${messageUUID}`);

      expect(served.status).toBe(200);
      expect(state.json).toMatchObject({ messageUUID, sha256: sha256(served.text) });
      expect((state.json as { sha256: string }).sha256).toBe(sha256(serializeMemoToBytes(memo)));
    });

    it('counts a leading BOM, as the bytes served keep it', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const bytes = Buffer.concat([BOM, serializeMemoToBytes(memo)]);
      const messageUUID = memo.messageHeader.messageUUID;
      expect((await postMemo(simulator, bytes, { apiKey: key, uuid: messageUUID })).status).toBe(201);

      const served = await request(`${simulator.controlUrl}/messages/${messageUUID}/memo`);
      const memoServed = Buffer.from(await served.body.arrayBuffer());
      const state = (await control(simulator, 'GET', `/messages/${messageUUID}`)).json as { sha256: string };

      expect(memoServed.subarray(0, 3)).toEqual(BOM);
      expect(state.sha256).toBe(sha256(memoServed));
      expect(state.sha256).toBe(sha256(bytes));
    });
  });

  describe('GET /messages?senderSystemId', () => {
    it("lists a system's messages sent alone and in containers, oldest first, and no one else's", async () => {
      const alone = await letterTo({ cpr: '0101700001' });
      const inContainer = [await letterTo({ cpr: '0101700001' }), await letterTo({ cpr: '0101700003' })];
      const other = await letterTo({ cpr: '0101700001' });
      await sendMemo(simulator, key, alone);
      await postMemo(simulator, await containerOf(inContainer), {
        apiKey: key,
        contentType: 'application/x-lzma',
      });
      await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPush), other);
      await simulator.settle();

      const response = await control(simulator, 'GET', `/messages?senderSystemId=${SEED_IDS.senderPull}`);

      expect(response.status).toBe(200);
      const listed = response.json as Array<Record<string, unknown>>;
      expect(listed.map((message) => message.messageUUID)).toEqual(
        [alone, ...inContainer].map((memo) => memo.messageHeader.messageUUID),
      );
      expect(listed[2]).toMatchObject({
        senderSystemId: SEED_IDS.senderPull,
        state: 'REJECTED',
        receiptStatus: 'NOT_ALLOWED',
        message: expect.stringMatching(/\/simulator\/v1\/messages\/[0-9a-f-]{36}$/),
        memo: expect.stringMatching(/\/memo$/),
      });
    });

    it('lists nothing after a reset', async () => {
      await sendMemo(simulator, key, await letterTo({ cpr: '0101700001' }));
      await resetSimulator(simulator);

      expect(
        (await control(simulator, 'GET', `/messages?senderSystemId=${SEED_IDS.senderPull}`)).json,
      ).toEqual([]);
    });

    it('needs the senderSystemId: 400 REQUIRED', async () => {
      const body = expectErrorMessage(await control(simulator, 'GET', '/messages'), 400, 'REQUIRED');

      expect(body.fieldErrors).toMatchObject([{ field: 'senderSystemId' }]);
    });
  });
});
