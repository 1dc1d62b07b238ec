/**
 * The control API for systems and test identities (simulator.md "Control API"): creating systems
 * whose API keys work, validating system changes, creating test citizens, registering SSH keys.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  call,
  createSystem,
  keyOf,
  letterTo,
  pullReceipts,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import { sshPublicKey } from '../../../test/support/ssh-keys.ts';
import type { RunningSimulator } from '../../index.ts';

let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());
beforeEach(() => resetSimulator(simulator));

function control(method: string, path: string, body?: unknown, contentType = 'application/json') {
  return call(`${simulator.controlUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: typeof body === 'string' ? body : JSON.stringify(body), contentType }),
  });
}

async function mailboxIds(owner: string): Promise<string[]> {
  const response = await call(`${simulator.controlUrl}/mailboxes/${owner}/messages`);
  return (response.json as Array<{ messageUUID: string }>).map((entry) => entry.messageUUID);
}

describe('POST /simulator/v1/systems', () => {
  test('answers 201 with an apiKey of 100 base64 characters decoding to <systemId>:<uuid>', async () => {
    const response = await control('POST', '/systems', {
      organisationId: SEED_IDS.authority,
      name: 'Nyt sagssystem',
      roles: ['SENDER'],
      protocol: 'REST_PULL',
    });

    expect(response.status).toBe(201);
    const system = response.json as { id: string; apiKey: string };
    expect(system).toMatchObject({
      organisationId: SEED_IDS.authority,
      roles: ['SENDER'],
      protocol: 'REST_PULL',
    });
    expect(system.apiKey).toMatch(/^[A-Za-z0-9+/]{98}==$|^[A-Za-z0-9+/]{100}$/);
    expect(system.apiKey).toHaveLength(100);
    const [id, secret] = Buffer.from(system.apiKey, 'base64').toString('utf8').split(':');
    expect(id).toBe(system.id);
    expect(secret).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('the apiKey of a new sender system sends mail and pulls its receipts', async () => {
    const system = await createSystem(simulator, {
      organisationId: SEED_IDS.authority,
      name: 'Nyt sagssystem',
      roles: ['SENDER'],
      protocol: 'REST_PULL',
    });
    const memo = await letterTo({ cpr: '0101700001' });

    const sent = await sendMemo(simulator, system.apiKey, memo);
    await simulator.settle();

    expect(sent.status).toBe(201);
    const receipts = await pullReceipts(simulator, system.apiKey);
    expect(receipts.map((receipt) => receipt.messageUUID)).toEqual([memo.messageHeader.messageUUID]);
    expect(await pullReceipts(simulator, keyOf(simulator, SEED_IDS.senderPull))).toEqual([]);
  });

  test('a new recipient system for the company without one receives its mail instead of the mailbox', async () => {
    const system = await createSystem(simulator, {
      organisationId: SEED_IDS.companyWithoutSystem,
      name: 'Testbutik modtagersystem',
      roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
      protocol: 'REST_PULL',
    });
    const memo = await letterTo({ cvr: '11223344' });

    await sendMemo(simulator, keyOf(simulator, SEED_IDS.senderPull), memo);
    await simulator.settle();

    const list = await call(`${simulator.apiUrl}/memos/`, { apiKey: system.apiKey });
    expect(list.status).toBe(200);
    expect((list.json as { content: string[] }).content).toEqual([memo.messageHeader.messageUUID]);
    expect(await mailboxIds('11223344')).toEqual([]);
  });

  test('a wrong key for a new system answers 401', async () => {
    const system = await createSystem(simulator, {
      organisationId: SEED_IDS.authority,
      roles: ['SENDER'],
      protocol: 'REST_PULL',
    });
    const forged = Buffer.from(`${system.id}:${randomUUID()}`).toString('base64');

    const response = await call(`${simulator.apiUrl}/receipts/`, { apiKey: forged });

    expect(response.status).toBe(401);
  });

  test('an unknown organisationId answers 400 with fieldErrors', async () => {
    const response = await control('POST', '/systems', {
      organisationId: randomUUID(),
      roles: ['SENDER'],
      protocol: 'REST_PULL',
    });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ fieldErrors: [{ field: 'organisationId' }] });
  });

  test.each([
    ['roles', { protocol: 'REST_PULL' }],
    ['protocol', { roles: ['SENDER'] }],
    ['roles', { roles: ['ADMIN'], protocol: 'REST_PULL' }],
    ['protocol', { roles: ['SENDER'], protocol: 'FTP' }],
  ])('a missing or invalid %s answers 400 with fieldErrors', async (field, fields) => {
    const response = await control('POST', '/systems', { organisationId: SEED_IDS.authority, ...fields });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ fieldErrors: [{ field }] });
  });

  test('an sshUsername another system has answers 400 ALREADY_IN_USE', async () => {
    const response = await control('POST', '/systems', {
      organisationId: SEED_IDS.authority,
      roles: ['SENDER'],
      protocol: 'SFTP',
      sshUsername: 'testkommune',
    });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({
      code: 'ALREADY_IN_USE',
      fieldErrors: [{ field: 'sshUsername', rejectedValue: 'testkommune' }],
    });
  });
});

describe('PATCH /simulator/v1/systems/{id}', () => {
  test('changes protocol and endpoint and answers the system', async () => {
    const response = await control('PATCH', `/systems/${SEED_IDS.companyRecipient}`, {
      protocol: 'REST_PUSH',
      endpoint: 'http://127.0.0.1:9/memos',
    });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: SEED_IDS.companyRecipient,
      protocol: 'REST_PUSH',
      endpoint: 'http://127.0.0.1:9/memos',
    });
  });

  test.each([
    ['endpoint', 'not a url'],
    ['endpoint', 'ftp://example.org/in'],
    ['receiptEndpoint', 'http://'],
    ['receiptEndpoint', 42],
  ])('a bad %s (%s) answers 400 with fieldErrors', async (field, value) => {
    const response = await control('PATCH', `/systems/${SEED_IDS.senderPush}`, { [field]: value });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({
      code: expect.any(String),
      fieldErrors: [{ field, rejectedValue: value }],
    });
  });

  test('an IP range over 32 addresses answers 400 with fieldErrors', async () => {
    const response = await control('PATCH', `/systems/${SEED_IDS.senderPull}`, {
      allowedIps: ['10.0.0.0/26'],
    });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ fieldErrors: [{ field: 'allowedIps' }] });
  });

  test('an IP range of exactly 32 addresses is accepted', async () => {
    const response = await control('PATCH', `/systems/${SEED_IDS.senderPull}`, {
      allowedIps: ['127.0.0.0/27'],
    });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ allowedIps: ['127.0.0.0/27'] });
  });

  test('a refused change leaves the system as it was', async () => {
    await control('PATCH', `/systems/${SEED_IDS.senderPush}`, {
      receiptEndpoint: 'http://127.0.0.1:9/receipts',
    });

    await control('PATCH', `/systems/${SEED_IDS.senderPush}`, {
      receiptEndpoint: 'http://127.0.0.1:9/other',
      allowedIps: ['10.0.0.0/8'],
    });

    const systems = (await control('GET', '/systems')).json as Array<Record<string, unknown>>;
    expect(systems.find((system) => system.id === SEED_IDS.senderPush)).toMatchObject({
      receiptEndpoint: 'http://127.0.0.1:9/receipts',
      allowedIps: [],
    });
  });

  test('an unknown system answers 404', async () => {
    const response = await control('PATCH', `/systems/${randomUUID()}`, { name: 'x' });

    expect(response.status).toBe(404);
  });

  test('a body that is not a JSON object answers 400', async () => {
    const response = await control('PATCH', `/systems/${SEED_IDS.senderPull}`, '[1, 2]');

    expect(response.status).toBe(400);
  });
});

describe('POST /simulator/v1/citizens', () => {
  test('creates a registered test citizen who can then receive mail', async () => {
    const created = await control('POST', '/citizens', { cprNumber: '0202800001', name: 'Ny Testborger' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ cprNumber: '0202800001', publicRegistrationStatus: 'REGISTERED' });
    const senderKey = keyOf(simulator, SEED_IDS.senderPull);

    const memo = await letterTo({ cpr: '0202800001' });
    await sendMemo(simulator, senderKey, memo);
    await simulator.settle();

    expect(await mailboxIds('0202800001')).toEqual([memo.messageHeader.messageUUID]);
    const receipt = (await pullReceipts(simulator, senderKey)).find(
      (r) => r.messageUUID === memo.messageHeader.messageUUID,
    );
    expect(receipt?.receiptStatus).toBe('COMPLETED');
  });

  test('the new citizen is found by GET /contacts/', async () => {
    await control('POST', '/citizens', { cprNumber: '0202800002' });

    const response = await call(`${simulator.apiUrl}/contacts/?cprNumber=0202800002`, {
      apiKey: keyOf(simulator, SEED_IDS.senderPull),
    });

    expect(response.json).toMatchObject({
      totalElements: 1,
      contacts: [
        { cprNumber: '0202800002', mailboxSubscription: { publicRegistrationStatus: 'REGISTERED' } },
      ],
    });
  });

  test('a citizen created EXEMPT gets NOT_ALLOWED RECIPIENT_EXEMPT mail', async () => {
    await control('POST', '/citizens', { cprNumber: '0202800003', publicRegistrationStatus: 'EXEMPT' });
    const senderKey = keyOf(simulator, SEED_IDS.senderPull);

    const memo = await letterTo({ cpr: '0202800003' });
    await sendMemo(simulator, senderKey, memo);
    await simulator.settle();

    const receipt = (await pullReceipts(simulator, senderKey)).find(
      (r) => r.messageUUID === memo.messageHeader.messageUUID,
    );
    expect(receipt).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_EXEMPT' });
  });

  test.each([['12345'], ['abcdefghij'], [1234567890]])('a bad cprNumber %s answers 400', async (cpr) => {
    const response = await control('POST', '/citizens', { cprNumber: cpr });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ fieldErrors: [{ field: 'cprNumber' }] });
  });
});

describe('PUT /simulator/v1/systems/{id}/ssh-key', () => {
  test('accepts one OpenSSH public key line', async () => {
    const response = await control(
      'PUT',
      `/systems/${SEED_IDS.senderPull}/ssh-key`,
      sshPublicKey(),
      'text/plain',
    );

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ id: SEED_IDS.senderPull, sshPublicKeys: 1 });
  });

  test('accepts a key line with a trailing newline, as ssh-keygen writes it', async () => {
    const response = await control(
      'PUT',
      `/systems/${SEED_IDS.senderPull}/ssh-key`,
      `${sshPublicKey()}\n`,
      'text/plain',
    );

    expect(response.status).toBe(200);
  });

  test.each([
    ['garbage', 'hello world'],
    ['an empty body', ''],
    ['two key lines', `${sshPublicKey('a')}\n${sshPublicKey('b')}`],
    [
      'a private key',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----',
    ],
    ['an unknown key type', 'ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIA== x'],
  ])('rejects %s with 400', async (_name, body) => {
    const response = await control('PUT', `/systems/${SEED_IDS.senderPull}/ssh-key`, body, 'text/plain');

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  test('takes the key as text whatever the content type says (curl sends a form type by default)', async () => {
    const response = await control(
      'PUT',
      `/systems/${SEED_IDS.senderPull}/ssh-key`,
      `${sshPublicKey()}\n`,
      'application/x-www-form-urlencoded',
    );

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ id: SEED_IDS.senderPull, sshPublicKeys: 1 });
  });

  test('takes the key as JSON { "publicKey": … } too', async () => {
    const response = await control('PUT', `/systems/${SEED_IDS.senderPull}/ssh-key`, {
      publicKey: sshPublicKey(),
    });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ sshPublicKeys: 1 });
  });

  test('registering the same key again changes nothing', async () => {
    const key = sshPublicKey();
    await control('PUT', `/systems/${SEED_IDS.senderPull}/ssh-key`, key, 'text/plain');
    const again = await control('PUT', `/systems/${SEED_IDS.senderPull}/ssh-key`, `${key}\n`, 'text/plain');

    expect(again.json).toMatchObject({ sshPublicKeys: 1 });
  });

  test.each([
    ['JSON that is not an object', '["ssh-ed25519 AAAA"]', 'INVALID_BODY'],
    ['JSON without publicKey', '{"key":"ssh-ed25519 AAAA"}', 'INVALID_FORMAT'],
    ['broken JSON', '{"publicKey":', 'INVALID_JSON'],
  ])('rejects %s with 400 %s', async (_name, body, code) => {
    const response = await control('PUT', `/systems/${SEED_IDS.senderPull}/ssh-key`, body);

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code });
  });

  test('rejects a body over 16 KiB with 400 MESSAGE_TOO_LARGE', async () => {
    const response = await control(
      'PUT',
      `/systems/${SEED_IDS.senderPull}/ssh-key`,
      'x'.repeat(17 * 1024),
      'text/plain',
    );

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });

  test('an unknown system answers 404', async () => {
    const response = await control('PUT', `/systems/${randomUUID()}/ssh-key`, sshPublicKey(), 'text/plain');

    expect(response.status).toBe(404);
  });
});
