/**
 * The in-process simulator (`digitalpost/testing`) keeps the same transcript as a listening one,
 * and drops answers the same way: what a conformance suite driving it in-process relies on.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLetter, DigitalPostClient } from '../sdk/index.ts';
import { createDigitalPostHandlers, type DigitalPostHandlers } from './index.ts';

describe('digitalpost/testing: transcript and lost answers', () => {
  let ngdp: DigitalPostHandlers;
  let client: DigitalPostClient;
  let systemId: string;

  beforeAll(async () => {
    ngdp = await createDigitalPostHandlers({ clockStart: '2025-03-03T09:00:00Z' });
    const sender = ngdp.fixtures.systems.find(
      (s) => s.roles.includes('SENDER') && s.protocol === 'REST_PULL',
    );
    if (sender === undefined) throw new Error('the default seed has a PULL sender');
    systemId = sender.id;
    client = new DigitalPostClient({
      environment: 'test',
      apiKey: sender.apiKey,
      dispatcher: ngdp.dispatcher(),
      retry: { initialDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 0 },
    });
  });
  afterEach(() => ngdp.reset());
  afterAll(() => ngdp.close());

  const letter = () =>
    createLetter({
      sender: { cvr: '12345678', label: 'Testkommune' },
      recipient: { cpr: '0101700001' },
      label: 'Test letter',
      document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'letter.pdf' },
    });

  it('records the calls of an in-process client, as a listening simulator does', async () => {
    const memo = await letter();

    await client.memos.send(memo);

    const { entries } = await ngdp.control<{ entries: Array<Record<string, unknown>> }>(
      'GET',
      `/transcript?systemId=${systemId}`,
    );
    expect(entries).toMatchObject([
      { operation: 'POST /memos/', status: 201, messageUUID: memo.messageHeader.messageUUID, systemId },
    ]);
  });

  it("drops an answer after the send, and the client's retry resolves to the original receipt", async () => {
    await ngdp.control('POST', '/faults', { operation: 'POST /memos/', drop: 'AFTER', times: 1 });
    const memo = await letter();

    const receipt = await client.memos.send(memo);

    const state = await ngdp.control<{ transmissionId: string }>(
      'GET',
      `/messages/${memo.messageHeader.messageUUID}`,
    );
    expect(receipt.transmissionId).toBe(state.transmissionId);
    const { entries } = await ngdp.control<{ entries: Array<Record<string, unknown>> }>('GET', '/transcript');
    expect(entries.map((entry) => [entry.status, entry.fault])).toEqual([
      [null, 'drop-after'],
      [201, null],
    ]);
  });
});
