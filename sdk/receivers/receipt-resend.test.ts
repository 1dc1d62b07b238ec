/**
 * A business receipt NgDP did not take is posted again, with backoff: after the 2xx NgDP does not
 * push the MeMo again, so a receipt not posted would be lost. The simulator plays NgDP, its fault
 * rules refuse the receipts; the receiver's client does not retry by itself, so every post shows.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { heldMemo, memoPush, post, receiptsNow, type Served, serve } from '../../test/support/receivers.ts';
import {
  addFault,
  keyOf,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { DigitalPostClient } from '../client/client.ts';
import type { RetryOptions } from '../http/retry.ts';
import { createMemoReceiver } from './memo-receiver.ts';
import type { ErrorContext } from './report.ts';

let simulator: RunningSimulator;
const servers: Served[] = [];

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const QUICK = { initialDelayMs: 1, maxDelayMs: 2 } as const;

/** Pushes a MeMo the simulator holds to a memo receiver; resolves to what onError got. */
async function pushWith(receiptRetry: RetryOptions | false) {
  const reports: Array<{ error: unknown; context: ErrorContext }> = [];
  const client = new DigitalPostClient({
    baseUrl: simulator.apiUrl,
    apiKey: keyOf(simulator, SEED_IDS.companyRecipient),
    retry: false,
  });
  const server = await serve(
    createMemoReceiver({
      client,
      onMemo: () => {},
      onError: (error, context) => reports.push({ error, context }),
      receiptRetry,
    }),
  );
  servers.push(server);
  const held = await heldMemo(simulator);
  const { body, contentType } = memoPush(held.xml, held.messageUUID);
  const answer = await post(server.url, body, contentType);
  return { answer, reports, held };
}

const receiptStatuses = async (messageUUID: string) =>
  (await receiptsNow(simulator, messageUUID)).map((receipt) => receipt.receiptStatus);

describe('a business receipt NgDP does not take', () => {
  test('refused for now (503) twice, is posted again until NgDP has it', async () => {
    await addFault(simulator, { operation: 'POST /memos/{id}/receipt', status: 503, times: 2 });
    const { answer, reports, held } = await pushWith(QUICK);
    expect(answer.status).toBe(200);
    await vi.waitFor(async () => expect(await receiptStatuses(held.messageUUID)).toEqual(['COMPLETED']));
    expect(reports.map((report) => report.context.receiptRetryInMs)).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
  });

  test('reports its first failure with the MeMo’s bytes, later ones without', async () => {
    await addFault(simulator, { operation: 'POST /memos/{id}/receipt', status: 503, times: 2 });
    const { reports, held } = await pushWith(QUICK);
    await vi.waitFor(() => expect(reports).toHaveLength(2));
    expect(reports[0]?.context).toMatchObject({ messageUUID: held.messageUUID, xml: held.xml });
    expect(reports[1]?.context.xml).toBeUndefined();
  });

  test('lost in transit (the answer cut off) is posted again, and NgDP’s 409 then counts as done', async () => {
    await addFault(simulator, { operation: 'POST /memos/{id}/receipt', drop: 'AFTER', times: 1 });
    const { reports, held } = await pushWith(QUICK);
    await vi.waitFor(async () => expect(await receiptStatuses(held.messageUUID)).toEqual(['COMPLETED']));
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reports).toHaveLength(1);
  });

  test('is given up after receiptRetry.maxRetries resends, the last report without receiptRetryInMs', async () => {
    await addFault(simulator, { operation: 'POST /memos/{id}/receipt', status: 503, times: 10 });
    const { reports, held } = await pushWith({ ...QUICK, maxRetries: 2 });
    await vi.waitFor(() => expect(reports).toHaveLength(3));
    expect(reports.map((report) => report.context.receiptRetryInMs === undefined)).toEqual([
      false,
      false,
      true,
    ]);
    expect(await receiptStatuses(held.messageUUID)).toEqual([]);
  });

  test('refused for good (400) is reported once and not posted again', async () => {
    await addFault(simulator, { operation: 'POST /memos/{id}/receipt', status: 400, times: 1 });
    const { reports, held } = await pushWith(QUICK);
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reports[0]?.context).toEqual({ messageUUID: held.messageUUID, xml: held.xml });
    expect(await receiptStatuses(held.messageUUID)).toEqual([]);
  });

  test('with receiptRetry: false is reported once and not posted again', async () => {
    await addFault(simulator, { operation: 'POST /memos/{id}/receipt', status: 503, times: 1 });
    const { reports, held } = await pushWith(false);
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reports[0]?.context.receiptRetryInMs).toBeUndefined();
    expect(await receiptStatuses(held.messageUUID)).toEqual([]);
  });

  test('an invalid receiptRetry is an InvalidOptionsError naming it', () => {
    const client = new DigitalPostClient({ baseUrl: simulator.apiUrl, apiKey: randomUUID() });
    expect(() => createMemoReceiver({ client, onMemo: () => {}, receiptRetry: { maxRetries: -1 } })).toThrow(
      'receiptRetry.maxRetries must be a non-negative number, got -1',
    );
  });
});
