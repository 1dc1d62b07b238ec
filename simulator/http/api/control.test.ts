/**
 * The control API (`/simulator/v1`) as sender-side tests use it: fixtures and the deterministic
 * seed, reset, the clock, and a message's state with its NgDP lifecycle events (simulator.md).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  mailbox,
  messageState,
  patchSystem,
  pullReceipts,
  receiptsFor,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  setClock,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('control API', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: '2025-03-10T10:00:00Z' });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(async () => {
    await resetSimulator(simulator);
    await setClock(simulator, '2025-03-10T10:00:00Z');
  });

  describe('GET /simulator/v1/fixtures', () => {
    it('answers exactly the fixtures startSimulator returned', async () => {
      const response = await control(simulator, 'GET', '/fixtures');
      expect(response.status).toBe(200);
      expect(response.json).toEqual(simulator.fixtures);
    });

    it('has the seeded authority with a PULL sender, a PUSH sender without receipt endpoint and a default recipient system', () => {
      const { organisations, systems } = simulator.fixtures;
      const authority = organisations.find((organisation) => organisation.id === SEED_IDS.authority);
      expect(authority).toMatchObject({ type: 'AUTHORITY', cvrNumber: expect.stringMatching(/^\d{8}$/) });
      const byId = new Map(systems.map((system) => [system.id, system]));
      expect(byId.get(SEED_IDS.senderPull)).toMatchObject({
        organisationId: SEED_IDS.authority,
        roles: ['SENDER'],
        protocol: 'REST_PULL',
      });
      expect(byId.get(SEED_IDS.senderPush)).toMatchObject({ roles: ['SENDER'], protocol: 'REST_PUSH' });
      expect(byId.get(SEED_IDS.senderPush)).not.toHaveProperty('receiptEndpoint');
      expect(byId.get(SEED_IDS.authorityRecipient)).toMatchObject({
        organisationId: SEED_IDS.authority,
        roles: expect.arrayContaining(['RECIPIENT_DEFAULT']),
        protocol: 'REST_PULL',
      });
    });

    it('has the magic identities of simulator.md with their registration statuses', () => {
      const citizens = new Map(simulator.fixtures.citizens.map((citizen) => [citizen.cprNumber, citizen]));
      expect(citizens.get('0101700001')).toMatchObject({ publicRegistrationStatus: 'REGISTERED' });
      expect(citizens.get('0101700002')).toMatchObject({ publicRegistrationStatus: 'EXEMPT' });
      expect(citizens.get('0101700003')).toMatchObject({ publicRegistrationStatus: 'CLOSED' });
      expect(citizens.get('0101700004')).toMatchObject({
        publicRegistrationStatus: 'REGISTERED',
        registrationStatus: 'UNCONFIRMED_REGISTRATION',
      });
      expect(citizens.get('0101700005')).toMatchObject({ publicRegistrationStatus: 'REGISTERED' });
      expect(citizens.get('0101700006')).toMatchObject({ publicRegistrationStatus: 'REGISTERED' });
    });

    it('gives every system a 100-character key that decodes to <system id>:<uuid>', () => {
      for (const system of simulator.fixtures.systems) {
        expect(system.apiKey).toMatch(/^[A-Za-z0-9+/]{98}==$/);
        const [id, secret] = Buffer.from(system.apiKey, 'base64').toString().split(':');
        expect(id).toBe(system.id);
        expect(secret).toMatch(UUID);
      }
    });

    it('is deterministic: a second simulator has the same ids and API keys', async () => {
      const second = await startTestSimulator();
      try {
        expect(second.fixtures).toEqual(simulator.fixtures);
        expect((await control(second, 'GET', '/fixtures')).json).toEqual(simulator.fixtures);
      } finally {
        await second.stop();
      }
    });
  });

  describe('POST /simulator/v1/reset', () => {
    it('forgets messages, mailboxes and receipts', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      await sendMemo(simulator, key, memo);
      await simulator.settle();
      const response = await control(simulator, 'POST', '/reset');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect((await control(simulator, 'GET', `/messages/${memo.messageHeader.messageUUID}`)).status).toBe(
        404,
      );
      expect(await mailbox(simulator, '0101700001')).toEqual([]);
      expect(await pullReceipts(simulator, key)).toEqual([]);
    });

    it('accepts a messageUUID again after a reset', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      await sendMemo(simulator, key, memo);
      await resetSimulator(simulator);
      const changed = { ...memo, messageHeader: { ...memo.messageHeader, label: 'Another letter' } };
      expect((await sendMemo(simulator, key, changed)).status).toBe(201);
    });

    it('restores changed systems to the seed', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { activeTo: '2020-01-01T00:00:00Z' });
      expect((await sendMemo(simulator, key, await letterTo({ cpr: '0101700001' }))).status).toBe(403);
      await resetSimulator(simulator);
      expect((await sendMemo(simulator, key, await letterTo({ cpr: '0101700001' }))).status).toBe(201);
    });

    it('removes fault rules', async () => {
      await control(simulator, 'POST', '/faults', { operation: 'POST /memos/', status: 503 });
      await resetSimulator(simulator);
      expect((await control(simulator, 'GET', '/faults')).json).toEqual([]);
      expect((await sendMemo(simulator, key, await letterTo({ cpr: '0101700001' }))).status).toBe(201);
    });

    it('removes pending work: a waiting letter is not delivered later', async () => {
      const memo = await letterTo({ cpr: '0101700006' });
      await sendMemo(simulator, key, memo);
      await simulator.settle();
      await resetSimulator(simulator);
      await simulator.clock.advance('PT2H');
      expect(await pullReceipts(simulator, key)).toEqual([]);
    });
  });

  describe('the clock', () => {
    it('GET /clock answers the simulator time and mode', async () => {
      const response = await control(simulator, 'GET', '/clock');
      expect(response.json).toEqual({ now: simulator.clock.now().toISOString(), mode: 'manual' });
    });

    it('POST /clock/advance moves time forward by an ISO duration and answers the new time', async () => {
      const before = simulator.clock.now().getTime();
      const response = await control(simulator, 'POST', '/clock/advance', { by: 'P1DT1H30M' });
      expect(response.status).toBe(200);
      const expected = new Date(before + (25 * 60 + 30) * 60_000).toISOString();
      expect(response.json).toEqual({ now: expected, mode: 'manual' });
      expect(simulator.clock.now().toISOString()).toBe(expected);
    });

    it('POST /clock/advance runs what fell due on the way', async () => {
      const memo = await letterTo({ cpr: '0101700006' });
      await sendMemo(simulator, key, memo);
      await simulator.settle();
      await control(simulator, 'POST', '/clock/advance', { by: 'PT1H' });
      expect(await receiptsFor(simulator, key, memo.messageHeader.messageUUID)).toHaveLength(1);
    });

    it('POST /clock/set moves to an instant', async () => {
      const response = await control(simulator, 'POST', '/clock/set', { to: '2025-06-01T12:00:00Z' });
      expect(response.json).toEqual({ now: '2025-06-01T12:00:00.000Z', mode: 'manual' });
    });

    it.each([
      ['a sentence', { by: '1 hour' }],
      ['an empty duration', { by: 'PT' }],
      ['a bare P', { by: 'P' }],
      ['a negative duration', { by: '-PT1H' }],
      ['a number', { by: 3600 }],
      ['nothing', {}],
    ])('POST /clock/advance refuses %s with 400 and a field error', async (_name, body) => {
      const before = simulator.clock.now().getTime();
      const response = await control(simulator, 'POST', '/clock/advance', body);
      expect(response.status, response.text).toBe(400);
      expect((response.json as { fieldErrors: Array<{ field: string }> }).fieldErrors).toEqual([
        expect.objectContaining({ field: 'by' }),
      ]);
      expect(simulator.clock.now().getTime()).toBe(before);
    });

    it('POST /clock/advance refuses a body that is not JSON with 400', async () => {
      const response = await control(simulator, 'POST', '/clock/advance', undefined);
      expect(response.status).toBe(400);
    });

    it('POST /clock/set refuses a non-date with 400', async () => {
      const response = await control(simulator, 'POST', '/clock/set', { to: 'next tuesday' });
      expect(response.status).toBe(400);
      expect((response.json as { fieldErrors: Array<{ field: string }> }).fieldErrors).toEqual([
        expect.objectContaining({ field: 'to' }),
      ]);
    });
  });

  describe('GET /simulator/v1/messages/{id}', () => {
    it('shows a delivered letter with its lifecycle events in order', async () => {
      const memo = await letterTo({ cpr: '0101700001' }, { messageID: 'J-7' });
      const technical = await sendMemo(simulator, key, memo);
      await simulator.settle();
      const state = await messageState(simulator, memo.messageHeader.messageUUID);
      expect(state).toMatchObject({
        messageUUID: memo.messageHeader.messageUUID,
        transmissionId: (technical.json as { transmissionId: string }).transmissionId,
        messageId: 'J-7',
        senderSystemId: SEED_IDS.senderPull,
        state: 'DELIVERED',
        receiptStatus: 'COMPLETED',
      });
      expect(state.events.map((event) => event.eventTag)).toEqual([
        'MEMO_SEND_RECEIVED',
        'TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM',
        'MEMO_SEND_VALIDATED',
        'MEMO_AVAILABLE_TO_RECIPIENT',
        'BUSINESS_RECEIPT_CREATED',
        'BUSINESS_RECEIPT_SENT',
      ]);
      for (const event of state.events) {
        expect(event.eventTime).toBe('2025-03-10T10:00:00.000Z');
      }
    });

    it('shows a refused letter with MEMO_SEND_VALIDATION_FAILED before its receipt', async () => {
      const memo = await letterTo({ cpr: '0101700003' });
      await sendMemo(simulator, key, memo);
      await simulator.settle();
      const state = await messageState(simulator, memo.messageHeader.messageUUID);
      expect(state).toMatchObject({ state: 'REJECTED', receiptStatus: 'NOT_ALLOWED' });
      expect(state.events.map((event) => event.eventTag)).toEqual([
        'MEMO_SEND_RECEIVED',
        'TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM',
        'MEMO_SEND_VALIDATION_FAILED',
        'BUSINESS_RECEIPT_CREATED',
        'BUSINESS_RECEIPT_SENT',
      ]);
    });

    it('answers 404 ErrorMessage for an unknown message', async () => {
      expectErrorMessage(
        await control(simulator, 'GET', '/messages/0f0f0f0f-0000-4000-8000-00000000abcd'),
        404,
        'NOT_FOUND',
      );
    });

    it('serves the stored MeMo byte for byte', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      await sendMemo(simulator, key, memo);
      const response = await control(simulator, 'GET', `/messages/${memo.messageHeader.messageUUID}/memo`);
      expect(response.status).toBe(200);
      expect(response.text).toContain(memo.messageHeader.messageUUID);
      expect(response.headers['content-type']).toMatch(/xml/);
    });
  });

  describe('GET /simulator/v1/mailboxes/{owner}/messages', () => {
    it('lists what landed in the mailbox with links', async () => {
      const memo = await letterTo({ cpr: '0101700001' }, { label: 'Din afgørelse' });
      await sendMemo(simulator, key, memo);
      await simulator.settle();
      expect(await mailbox(simulator, '0101700001')).toEqual([
        expect.objectContaining({
          messageUUID: memo.messageHeader.messageUUID,
          label: 'Din afgørelse',
          senderSystemId: SEED_IDS.senderPull,
          deliveredAt: '2025-03-10T10:00:00.000Z',
          memo: expect.stringContaining(memo.messageHeader.messageUUID),
        }),
      ]);
    });

    it('refuses an owner that is neither a CPR nor a CVR number with 400', async () => {
      expect((await control(simulator, 'GET', '/mailboxes/abc/messages')).status).toBe(400);
    });
  });

  it('answers unknown control paths with a JSON 404', async () => {
    expectErrorMessage(await control(simulator, 'GET', '/no-such-thing'), 404, 'NOT_FOUND');
  });
});

describe('control API on a real clock', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clock: 'real' });
  });
  afterAll(() => simulator.stop());

  it('reports mode real and the wall-clock time', async () => {
    const before = Date.now();
    const response = await control(simulator, 'GET', '/clock');
    const after = Date.now();
    const body = response.json as { now: string; mode: string };
    expect(body.mode).toBe('real');
    // The time the simulator read while answering: no earlier than the request, no later than the answer.
    expect(Date.parse(body.now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.now)).toBeLessThanOrEqual(after);
  });

  it('refuses POST /clock/advance with 409 CLOCK_NOT_MANUAL', async () => {
    expectErrorMessage(
      await control(simulator, 'POST', '/clock/advance', { by: 'PT1H' }),
      409,
      'CLOCK_NOT_MANUAL',
    );
  });

  it('refuses POST /clock/set with 409 CLOCK_NOT_MANUAL', async () => {
    expectErrorMessage(
      await control(simulator, 'POST', '/clock/set', { to: '2030-01-01T00:00:00Z' }),
      409,
      'CLOCK_NOT_MANUAL',
    );
  });
});
