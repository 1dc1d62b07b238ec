/**
 * Who may send: API keys (401), roles, activation windows and IP allow-lists (403) as simulator.md
 * maps them, and that no request, however odd, makes the simulator answer 500.
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serializeMemo, serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import {
  type ApiResponse,
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  patchSystem,
  postMemo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const base64 = (text: string): string => Buffer.from(text).toString('base64');

describe('API authentication and permissions', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ clockStart: '2025-03-10T10:00:00Z' });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  const send = async (options: { apiKey?: string; authorization?: string; dispatcher?: Agent } = {}) => {
    const memo = await letterTo({ cpr: '0101700001' });
    return call(`${simulator.apiUrl}/memos/?memo-message-uuid=${memo.messageHeader.messageUUID}`, {
      method: 'POST',
      contentType: 'application/xml',
      body: serializeMemoToBytes(memo),
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.authorization === undefined ? {} : { headers: { authorization: options.authorization } }),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
  };

  describe('API keys', () => {
    it('answers 401 UNAUTHENTICATED without an Authorization header', async () => {
      expectErrorMessage(await send(), 401, 'UNAUTHENTICATED');
    });

    it('answers 401 UNAUTHENTICATED on GET /receipts/ without an Authorization header', async () => {
      expectErrorMessage(await call(`${simulator.apiUrl}/receipts/`), 401, 'UNAUTHENTICATED');
    });

    it.each([
      ['a Bearer token', (k: string) => `Bearer ${k}`],
      ['Basic without a key', () => 'Basic'],
      ['a key that is not base64', () => 'Basic !!!not-base64!!!'],
      ['base64 without a colon', () => `Basic ${base64('just-some-text')}`],
      ['base64 of user:password that are not UUIDs', () => `Basic ${base64('user:password')}`],
      ['the key base64-encoded a second time', (k: string) => `Basic ${base64(k)}`],
      ['the key cut short', (k: string) => `Basic ${k.slice(0, 60)}`],
      ['a header of 8 kB', () => `Basic ${'A'.repeat(8_000)}`],
    ])('answers 401 UNAUTHENTICATED for a malformed key: %s', async (_name, header) => {
      expectErrorMessage(await send({ authorization: header(key) }), 401, 'UNAUTHENTICATED');
    });

    it('answers 401 UNAUTHENTICATED for a known system id with the wrong secret', async () => {
      const wrong = base64(`${SEED_IDS.senderPull}:00000000-0000-4000-8000-000000000000`);
      expectErrorMessage(await send({ apiKey: wrong }), 401, 'UNAUTHENTICATED');
    });

    it('answers 401 UNAUTHENTICATED for a well-formed key of a system that does not exist', async () => {
      const unknown = base64('9a9a9a9a-0000-4000-8000-000000000001:30000000-0000-4000-8000-000000000001');
      expect(unknown).toHaveLength(100);
      expectErrorMessage(await send({ apiKey: unknown }), 401, 'UNAUTHENTICATED');
    });

    it("answers 401 UNAUTHENTICATED for one system's id with another system's secret", async () => {
      const pushSecret = Buffer.from(keyOf(simulator, SEED_IDS.senderPush), 'base64')
        .toString()
        .split(':')[1];
      const mixed = base64(`${SEED_IDS.senderPull}:${pushSecret}`);
      expectErrorMessage(await send({ apiKey: mixed }), 401, 'UNAUTHENTICATED');
    });

    it('checks the key before the request (401 even with a wrong Content-Type)', async () => {
      const response = await postMemo(simulator, 'not xml', { uuid: 'x', contentType: 'text/plain' });
      expectErrorMessage(response, 401, 'UNAUTHENTICATED');
    });

    it('accepts the seeded key sent verbatim as "Basic <key>" (scheme in any case)', async () => {
      expect((await send({ apiKey: key })).status).toBe(201);
      expect((await send({ authorization: `basic ${key}` })).status).toBe(201);
    });
  });

  describe('roles', () => {
    it('answers 403 SYSTEM_ROLE_MISSING when a recipient-only system calls POST /memos/', async () => {
      const response = await send({ apiKey: keyOf(simulator, SEED_IDS.authorityRecipient) });
      expectErrorMessage(response, 403, 'SYSTEM_ROLE_MISSING');
    });

    it('answers 403 SYSTEM_ROLE_MISSING when a recipient-only system pulls receipts', async () => {
      const response = await call(`${simulator.apiUrl}/receipts/`, {
        apiKey: keyOf(simulator, SEED_IDS.companyRecipient),
      });
      expectErrorMessage(response, 403, 'SYSTEM_ROLE_MISSING');
    });
  });

  describe('activation window', () => {
    it('answers 403 SYSTEM_NOT_ACTIVE while activeFrom lies in the future', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { activeFrom: '2025-03-11T00:00:00Z' });
      expectErrorMessage(await send({ apiKey: key }), 403, 'SYSTEM_NOT_ACTIVE');
      expectErrorMessage(
        await call(`${simulator.apiUrl}/receipts/`, { apiKey: key }),
        403,
        'SYSTEM_NOT_ACTIVE',
      );
    });

    it('lets the system in once simulator time reaches activeFrom', async () => {
      await control(simulator, 'POST', '/clock/set', { to: '2025-03-10T10:00:00Z' });
      await patchSystem(simulator, SEED_IDS.senderPull, { activeFrom: '2025-03-10T11:00:00Z' });
      expect((await send({ apiKey: key })).status).toBe(403);
      await simulator.clock.advance('PT1H');
      expect((await send({ apiKey: key })).status).toBe(201);
    });

    it('answers 403 SYSTEM_NOT_ACTIVE once activeTo has passed', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { activeTo: '2020-01-01T00:00:00Z' });
      expectErrorMessage(await send({ apiKey: key }), 403, 'SYSTEM_NOT_ACTIVE');
    });

    it('stops a system at activeTo on the simulator clock', async () => {
      await control(simulator, 'POST', '/clock/set', { to: '2025-03-10T10:00:00Z' });
      await patchSystem(simulator, SEED_IDS.senderPull, { activeTo: '2025-03-10T10:30:00Z' });
      expect((await send({ apiKey: key })).status).toBe(201);
      await simulator.clock.advance('PT30M');
      expectErrorMessage(await send({ apiKey: key }), 403, 'SYSTEM_NOT_ACTIVE');
    });

    it('does not affect the other sender system', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { activeTo: '2020-01-01T00:00:00Z' });
      expect((await send({ apiKey: keyOf(simulator, SEED_IDS.senderPush) })).status).toBe(201);
    });
  });

  describe('IP allow-list', () => {
    const agents: Agent[] = [];
    const from = (localAddress: string): Agent => {
      const agent = new Agent({ localAddress });
      agents.push(agent);
      return agent;
    };
    afterAll(() => Promise.all(agents.map((agent) => agent.close())));

    it('answers 403 IP_NOT_ALLOWED to a caller whose address is not on the list', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { allowedIps: ['127.0.0.2'] });
      const error = expectErrorMessage(await send({ apiKey: key }), 403, 'IP_NOT_ALLOWED');
      expect(error.message).toContain('127.0.0.1');
    });

    it('lets in a caller from an address on the list', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { allowedIps: ['127.0.0.2'] });
      const response = await send({ apiKey: key, dispatcher: from('127.0.0.2') });
      expect(response.status, response.text).toBe(201);
    });

    it('applies the list to every operation, not only POST /memos/', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { allowedIps: ['127.0.0.2'] });
      expectErrorMessage(await call(`${simulator.apiUrl}/receipts/`, { apiKey: key }), 403, 'IP_NOT_ALLOWED');
      const allowed = await call(`${simulator.apiUrl}/receipts/`, {
        apiKey: key,
        dispatcher: from('127.0.0.2'),
      });
      expect(allowed.status).toBe(200);
    });

    it('lets in callers from anywhere in a CIDR range of 32 addresses', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { allowedIps: ['127.0.0.0/27'] });
      expect((await send({ apiKey: key })).status).toBe(201);
      expect((await send({ apiKey: key, dispatcher: from('127.0.0.31') })).status).toBe(201);
    });

    it('answers 403 IP_NOT_ALLOWED just outside the CIDR range', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { allowedIps: ['127.0.0.0/27'] });
      expectErrorMessage(await send({ apiKey: key, dispatcher: from('127.0.0.32') }), 403, 'IP_NOT_ALLOWED');
    });

    it('allows every address when the list is empty', async () => {
      await patchSystem(simulator, SEED_IDS.senderPull, { allowedIps: ['127.0.0.2'] });
      await patchSystem(simulator, SEED_IDS.senderPull, { allowedIps: [] });
      expect((await send({ apiKey: key })).status).toBe(201);
    });

    it('refuses an allow-list entry that covers more than 32 addresses (400 with fieldErrors)', async () => {
      const response = await control(simulator, 'PATCH', `/systems/${SEED_IDS.senderPull}`, {
        allowedIps: ['127.0.0.0/26'],
      });
      const error = expectErrorMessage(response, 400, 'INVALID_FORMAT');
      expect(error.fieldErrors).toEqual([
        expect.objectContaining({ field: 'allowedIps', rejectedValue: '127.0.0.0/26' }),
      ]);
    });

    it('refuses an allow-list entry that is not an address', async () => {
      const response = await control(simulator, 'PATCH', `/systems/${SEED_IDS.senderPull}`, {
        allowedIps: ['localhost'],
      });
      expect(response.status).toBe(400);
    });
  });
});

describe('the API never answers 500', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  const uuid = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
  const cases: Array<[string, () => Promise<ApiResponse>]> = [
    [
      'binary garbage as a MeMo',
      () => postMemo(simulator, new Uint8Array([0, 255, 1, 254, 60, 0]), { apiKey: key, uuid }),
    ],
    [
      'invalid UTF-8 inside XML',
      async () => {
        const memo = await letterTo({ cpr: '0101700001' }, { messageUUID: uuid });
        const xml = Buffer.from(serializeMemo(memo));
        const at = xml.indexOf('Test letter');
        xml[at] = 0xff;
        return postMemo(simulator, xml, { apiKey: key, uuid });
      },
    ],
    [
      'a repeated memo-message-uuid',
      () =>
        call(`${simulator.apiUrl}/memos/?memo-message-uuid=${uuid}&memo-message-uuid=${uuid}`, {
          method: 'POST',
          apiKey: key,
          contentType: 'application/xml',
          body: '<x/>',
        }),
    ],
    [
      'a non-UUID memo-message-uuid matching the header',
      async () => {
        const memo = await letterTo({ cpr: '0101700001' }, { messageUUID: 'not-a-uuid', validate: false });
        return postMemo(simulator, memo, { apiKey: key, uuid: 'not-a-uuid' });
      },
    ],
    [
      'a bad percent-encoding in a receipt id',
      () => call(`${simulator.apiUrl}/receipts/%E0%A4%A`, { apiKey: key }),
    ],
    ['a NUL in a memo id', () => call(`${simulator.apiUrl}/memos/%00`, { method: 'DELETE', apiKey: key })],
    ['page given as an array', () => call(`${simulator.apiUrl}/receipts/?page=1&page=2`, { apiKey: key })],
    [
      'a huge page number',
      () => call(`${simulator.apiUrl}/receipts/?page=99999999999999999999`, { apiKey: key }),
    ],
    ['delete=yes', () => call(`${simulator.apiUrl}/receipts/${uuid}?delete=yes`, { apiKey: key })],
    ['PUT on /memos/', () => call(`${simulator.apiUrl}/memos/`, { method: 'PUT', apiKey: key })],
    ['an unknown path', () => call(`${simulator.apiUrl}/no-such-thing/`, { apiKey: key })],
    [
      'a JSON body on POST /memos/{id}/receipt by a sender',
      () =>
        call(`${simulator.apiUrl}/memos/${uuid}/receipt`, {
          method: 'POST',
          apiKey: key,
          contentType: 'application/json',
          body: '{',
        }),
    ],
  ];

  it.each(cases)('answers %s with a 4xx ErrorMessage', async (_name, run) => {
    const response = await run();
    expect(response.status, response.text).toBeGreaterThanOrEqual(400);
    expect(response.status, response.text).toBeLessThan(500);
    expect(response.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('still works after all of them', async () => {
    expect((await sendMemo(simulator, key, await letterTo({ cpr: '0101700001' }))).status).toBe(201);
  });
});
