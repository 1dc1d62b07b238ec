import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClientOptions,
  DigitalPostClient,
  type Receipt,
  type ReceivedMemo,
  type SftpSenderOptions,
  type WaitForReceiptOptions,
} from 'digitalpost';
import { createLetter } from 'digitalpost/memo';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from 'digitalpost/simulator';
import ssh2 from 'ssh2';
import { Agent, type Dispatcher, getGlobalDispatcher, request, setGlobalDispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeWith } from '../test/support/requirements.ts';
import { SEEDED_SYSTEMS, seededApiKey } from './environment.ts';
import type { PushEndpoint } from './receive-push-express.ts';
import type { MutualTlsEndpoint } from './receive-push-mtls.ts';
import { makeThrowawayCertificates, type ThrowawayCertificates } from './throwaway-certificates.ts';

const MINUTE = 60_000;
const running: RunningSimulator[] = [];

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(running.splice(0).map((simulator) => simulator.stop()));
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A simulator on a free port whose time moves only when a test (or an example's wait) moves it. */
async function startNgdp(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = await startSimulator({ port: 0, clock: 'manual', ...options });
  running.push(simulator);
  return simulator;
}

function clientOf(
  simulator: RunningSimulator,
  systemId: string,
  extra: Partial<ClientOptions> = {},
): ClientOptions {
  return { baseUrl: simulator.apiUrl, apiKey: seededApiKey(simulator, systemId), ...extra };
}

/** A clock on simulator time for the waits of the examples. */
function simulatorClock(simulator: RunningSimulator): { now(): number; sleep(ms: number): Promise<unknown> } {
  return { now: () => simulator.clock.now().getTime(), sleep: (ms) => simulator.clock.advance(ms) };
}

/** Waiting for a receipt moves simulator time: deterministic, and ten simulated minutes take milliseconds. */
function onSimulatorTime(simulator: RunningSimulator, timeoutMs = 10 * MINUTE): WaitForReceiptOptions {
  return {
    timeoutMs,
    pollIntervalMs: MINUTE,
    clock: { now: () => simulator.clock.now().getTime(), sleep: (ms) => simulator.clock.advance(ms) },
  };
}

async function control(
  simulator: RunningSimulator,
  path: string,
  method: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${simulator.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** Sends Testfirma ApS (CVR 87654321, a PULL recipient system) a letter with this many attachments. */
async function letterToTestfirma(ngdp: RunningSimulator, attachments: number): Promise<string> {
  const pdf = (filename: string) => ({ content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename });
  const memo = await createLetter({
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient: { cvr: '87654321' },
    label: 'Afgørelse',
    document: pdf('Afgørelse.pdf'),
    attachments: Array.from({ length: attachments }, (_, i) => pdf(`Bilag ${i + 1}.pdf`)),
  });
  await new DigitalPostClient(clientOf(ngdp, SEEDED_SYSTEMS.sender)).memos.send(memo);
  await ngdp.settle();
  return memo.messageHeader.messageUUID;
}

describe('build-and-validate', () => {
  it('builds a letter and finds the two planted problems', async () => {
    const { main } = await import('./build-and-validate.ts');
    const result = await main();
    expect(result.bytes).toBeGreaterThan(500);
    expect(result.issues).toEqual(['CPR_INVALID', 'FILENAME_FORBIDDEN_CHARACTER']);
  });
});

describe('simulator-value-date', () => {
  it('holds a letter until its value date, then delivers and receipts it', async () => {
    const { main } = await import('./simulator-value-date.ts');
    expect(await main()).toEqual({ before: 'AWAITING_DELAY', after: 'DELIVERED', receipt: 'COMPLETED' });
  });
});

describe('admin-setup', () => {
  it('logs in, makes a citizen and a colleague whose right does not open the systems, and connects a system', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./admin-setup.ts');
    const result = await main({
      baseUrl: ngdp.apiUrl,
      username: 'admin-12345678',
      password: 'test-12345678',
    });
    expect(result).toMatchObject({
      organisationId: '10000000-0000-4000-8000-000000000001',
      citizen: expect.stringMatching(/^\d{10}$/),
      colleagueRefused: true,
      keyRenewed: true,
    });
    expect(result.systems).toContain('Sagssystem');
  });
});

describe('send-letter', () => {
  it('sends a letter to a registered citizen and gets the business receipt COMPLETED', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./send-letter.ts');
    const result = await main({ client: clientOf(ngdp, SEEDED_SYSTEMS.sender), wait: onSimulatorTime(ngdp) });
    expect(result).toMatchObject({ sent: true, receiptStatus: 'COMPLETED' });
  });

  it('acknowledges the receipt it waited for, so it is not handled twice', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./send-letter.ts');
    const client = clientOf(ngdp, SEEDED_SYSTEMS.sender);
    await main({ client, wait: onSimulatorTime(ngdp) });
    const left: Receipt[] = await collect(new DigitalPostClient(client).receipts.list());
    expect(left).toEqual([]);
  });

  it('reports NOT_ALLOWED with RECIPIENT_EXEMPT for a citizen exempt from Digital Post', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./send-letter.ts');
    const result = await main({
      client: clientOf(ngdp, SEEDED_SYSTEMS.sender),
      recipientCpr: '0101700002',
      wait: onSimulatorTime(ngdp),
    });
    expect(result).toMatchObject({ sent: true, receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_EXEMPT' });
  });

  it('reports PENDING when the business receipt does not come within the timeout', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./send-letter.ts');
    const result = await main({
      client: clientOf(ngdp, SEEDED_SYSTEMS.sender),
      recipientCpr: '0101700006', // slow mailbox: its receipt comes after an hour
      wait: onSimulatorTime(ngdp, 30 * MINUTE),
    });
    expect(result).toMatchObject({ sent: true, receiptStatus: 'PENDING' });
  });

  it('does not send a letter that breaks NgDP rules: MemoValidationError', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./send-letter.ts');
    const result = await main({ client: clientOf(ngdp, SEEDED_SYSTEMS.sender), recipientCpr: '01017' });
    expect(result).toMatchObject({
      sent: false,
      error: 'MemoValidationError',
      code: 'MEMO_INVALID',
      retryable: false,
    });
    const mailbox = await control(ngdp, '/mailboxes/0101700001/messages', 'GET');
    expect(mailbox).toEqual([]);
  });

  it('explains a wrong API key: AuthenticationError, not retryable', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./send-letter.ts');
    const result = await main({ client: { baseUrl: ngdp.apiUrl, apiKey: 'bm90LWEta2V5' } });
    expect(result).toMatchObject({
      sent: false,
      error: 'AuthenticationError',
      code: 'UNAUTHENTICATED',
      retryable: false,
    });
  });

  it('explains NgDP staying unavailable: ServiceUnavailableError, retryable with the same MeMo', async () => {
    const ngdp = await startNgdp();
    await control(ngdp, '/faults', 'POST', { operation: 'POST /memos/', status: 503 });
    const { main } = await import('./send-letter.ts');
    const result = await main({ client: clientOf(ngdp, SEEDED_SYSTEMS.sender, { retry: false }) });
    expect(result).toMatchObject({ sent: false, error: 'ServiceUnavailableError', retryable: true });
  });
});

describe('send-batch', () => {
  async function mailboxUUIDs(ngdp: RunningSimulator): Promise<string[]> {
    await ngdp.settle();
    const letters = (await control(ngdp, '/mailboxes/0101700001/messages', 'GET')) as Array<{
      messageUUID: string;
    }>;
    return letters.map((letter) => letter.messageUUID).sort();
  }

  it('sends 250 letters in containers of 100 and delivers each once', async () => {
    const ngdp = await startNgdp();
    const { main, sampleRows } = await import('./send-batch.ts');
    const rows = sampleRows(250);
    const result = await main({ client: clientOf(ngdp, SEEDED_SYSTEMS.sender), rows });
    expect(result).toEqual({ sent: 250, invalid: [], containers: 3, rounds: 1 });
    expect(await mailboxUUIDs(ngdp)).toEqual(rows.map((row) => row.messageUUID).sort());
  });

  it('leaves out a row that is not a valid MeMo, reports it and sends the rest', async () => {
    const ngdp = await startNgdp();
    const { main, sampleRows } = await import('./send-batch.ts');
    const rows = sampleRows(20, { badCprAt: 7 });
    const result = await main({ client: clientOf(ngdp, SEEDED_SYSTEMS.sender), rows });
    expect(result).toMatchObject({ sent: 19, rounds: 1 });
    expect(result.invalid).toEqual([
      { messageUUID: rows[7]?.messageUUID, problem: expect.stringContaining('recipientID') },
    ]);
  });

  it('resumes after NgDP fails mid-batch and sends no letter twice', async () => {
    const ngdp = await startNgdp();
    await control(ngdp, '/faults', 'POST', { operation: 'POST /memos/', status: 503, times: 1 });
    const { main, sampleRows } = await import('./send-batch.ts');
    const rows = sampleRows(250);
    const result = await main({
      client: clientOf(ngdp, SEEDED_SYSTEMS.sender, { retry: false }),
      rows,
      pauseMs: 0,
    });
    expect(result).toMatchObject({ sent: 250, rounds: 2 });
    expect(await mailboxUUIDs(ngdp)).toEqual(rows.map((row) => row.messageUUID).sort());
  });

  it('sends a container again when its answer was lost, and NgDP keeps one letter each', async () => {
    // Containers read on the main thread: no worker thread to start for the second round.
    const ngdp = await startNgdp({ workerThreads: 0 });
    // NgDP takes the first container, but only after the client has given up on it (1 s); the
    // second round comes after that (1.5 s later) and has the same second for its answer, which a
    // loaded CI machine needs (200 ms was too tight there).
    await control(ngdp, '/faults', 'POST', { operation: 'POST /memos/', delayMs: 2000, times: 1 });
    const { main, sampleRows } = await import('./send-batch.ts');
    const rows = sampleRows(150);
    const result = await main({
      client: clientOf(ngdp, SEEDED_SYSTEMS.sender, { retry: false, timeoutMs: 1000 }),
      rows,
      pauseMs: 1500,
    });
    expect(result).toMatchObject({ sent: 150, rounds: 2 });
    expect(await mailboxUUIDs(ngdp)).toEqual(rows.map((row) => row.messageUUID).sort());
  });
});

describe('send-sftp', () => {
  /** A simulator with its SFTP server, a key registered for its SFTP sender, and the sender settings. */
  async function sftpNgdp(): Promise<{ ngdp: RunningSimulator; sftp: SftpSenderOptions; dir: string }> {
    const ngdp = await startNgdp({ sftpPort: 0 });
    const address = ngdp.sftp;
    if (address === null) throw new Error('no SFTP server');
    // ECDSA: ssh2 1.17 makes an unreadable ed25519 pair about once in 256 (mscdex/ssh2#1390).
    const keys = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
    await fetch(`${ngdp.controlUrl}/systems/${SEEDED_SYSTEMS.sftpSender}/ssh-key`, {
      method: 'PUT',
      body: keys.public,
    });
    const dir = await mkdtemp(join(tmpdir(), 'example-sftp-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return {
      ngdp,
      dir,
      sftp: {
        host: address.host,
        port: address.port,
        username: 'testkommune',
        privateKey: keys.private,
        hostKey: address.hostKeyFingerprint,
      },
    };
  }

  it('uploads 250 letters in containers of 100 and collects a COMPLETED receipt for each', async () => {
    const { ngdp, sftp, dir } = await sftpNgdp();
    const { main, sampleLetters } = await import('./send-sftp.ts');
    const letters = sampleLetters(250);
    const result = await main({
      sftp,
      journal: join(dir, 'mailing.journal'),
      letters,
      clock: simulatorClock(ngdp),
    });
    expect(result).toEqual({
      uploaded: 250,
      alreadySent: 0,
      containers: 3,
      receipts: { COMPLETED: 250 },
      pending: [],
    });
    await ngdp.settle();
    const delivered = (await control(ngdp, '/mailboxes/0101700001/messages', 'GET')) as Array<{
      messageUUID: string;
    }>;
    expect(delivered.map((letter) => letter.messageUUID).sort()).toEqual(
      letters.map((l) => l.messageUUID).sort(),
    );
  });

  it('uploads nothing again when run a second time with the same journal', async () => {
    const { ngdp, sftp, dir } = await sftpNgdp();
    const { main, sampleLetters } = await import('./send-sftp.ts');
    const letters = sampleLetters(30);
    const journal = join(dir, 'mailing.journal');
    await main({ sftp, journal, letters, clock: simulatorClock(ngdp) });
    const again = await main({
      sftp,
      journal,
      letters,
      clock: simulatorClock(ngdp),
      receiptTimeoutMs: MINUTE,
    });
    expect(again).toMatchObject({ uploaded: 0, alreadySent: 30, containers: 0 });
    // The first run acknowledged the receipts: the second finds none and reports the letters pending.
    expect(again.pending).toHaveLength(30);
  });
});

describe('verify-connection', () => {
  async function settingsFor(ngdp: RunningSimulator, administratorCpr = '0101700001') {
    return {
      baseUrl: ngdp.apiUrl,
      apiKey: seededApiKey(ngdp, SEEDED_SYSTEMS.sender),
      senderCvr: '12345678',
      senderName: 'Testkommune',
      administratorCpr,
    };
  }

  it('succeeds when the verification letter reaches the administrator', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./verify-connection.ts');
    const result = await main(await settingsFor(ngdp), { wait: onSimulatorTime(ngdp) });
    expect(result).toMatchObject({ ok: true, deliveredAt: expect.any(String) });
  });

  it('reports a wrong API key as API_KEY_REJECTED (401)', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./verify-connection.ts');
    const wrongKey = Buffer.from(`${SEEDED_SYSTEMS.sender}:30000000-0000-4000-8000-000000000999`).toString(
      'base64',
    );
    const result = await main(
      { ...(await settingsFor(ngdp)), apiKey: wrongKey },
      { wait: onSimulatorTime(ngdp) },
    );
    expect(result).toMatchObject({ ok: false, reason: 'API_KEY_REJECTED', code: 'UNAUTHENTICATED' });
  });

  it('reports an inactive system as SYSTEM_NOT_ALLOWED with NgDP code SYSTEM_NOT_ACTIVE (403)', async () => {
    const ngdp = await startNgdp();
    await control(ngdp, `/systems/${SEEDED_SYSTEMS.sender}`, 'PATCH', { activeTo: '2020-01-01T00:00:00Z' });
    const { main } = await import('./verify-connection.ts');
    const result = await main(await settingsFor(ngdp), { wait: onSimulatorTime(ngdp) });
    expect(result).toMatchObject({ ok: false, reason: 'SYSTEM_NOT_ALLOWED', code: 'SYSTEM_NOT_ACTIVE' });
  });

  it('reports a key of a system that may not send as SYSTEM_NOT_ALLOWED with SYSTEM_ROLE_MISSING (403)', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./verify-connection.ts');
    const recipientKey = seededApiKey(ngdp, SEEDED_SYSTEMS.companyRecipient);
    const result = await main(
      { ...(await settingsFor(ngdp)), apiKey: recipientKey },
      { wait: onSimulatorTime(ngdp) },
    );
    expect(result).toMatchObject({ ok: false, reason: 'SYSTEM_NOT_ALLOWED', code: 'SYSTEM_ROLE_MISSING' });
  });

  it('reports NGDP_UNREACHABLE when nothing answers at the address', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./verify-connection.ts');
    const baseUrl = `http://127.0.0.1:${await closedPort()}/apis/v1`;
    const result = await main({ ...(await settingsFor(ngdp)), baseUrl }, { retry: false });
    expect(result).toMatchObject({ ok: false, reason: 'NGDP_UNREACHABLE', code: 'CONNECTION_FAILED' });
  });

  it.each([
    ['0101700002', 'RECIPIENT_EXEMPT'],
    ['0101700003', 'RECIPIENT_CLOSED'],
    ['0101709999', 'RECIPIENT_UNKNOWN'],
  ])('reports the letter to %s rejected with %s', async (administratorCpr, code) => {
    const ngdp = await startNgdp();
    const { main } = await import('./verify-connection.ts');
    const result = await main(await settingsFor(ngdp, administratorCpr), { wait: onSimulatorTime(ngdp) });
    expect(result).toMatchObject({
      ok: false,
      reason: 'LETTER_REJECTED',
      code,
      messageUUID: expect.any(String),
    });
  });

  it('reports NO_RECEIPT when the business receipt does not come within the timeout', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./verify-connection.ts');
    const result = await main(await settingsFor(ngdp, '0101700006'), {
      wait: onSimulatorTime(ngdp, 30 * MINUTE),
    });
    expect(result).toMatchObject({ ok: false, reason: 'NO_RECEIPT', code: 'RECEIPT_TIMEOUT' });
  });

  it('reports NgDP failing while it waits for the receipt, with the messageUUID of the letter sent', async () => {
    const ngdp = await startNgdp();
    await control(ngdp, '/faults', 'POST', { operation: 'GET /receipts-bulk/', status: 503 });
    const { main } = await import('./verify-connection.ts');
    const result = await main(await settingsFor(ngdp), { retry: false, wait: onSimulatorTime(ngdp) });
    expect(result).toMatchObject({ ok: false, reason: 'NGDP_UNAVAILABLE', messageUUID: expect.any(String) });
  });

  it('reports a malformed sender CVR as SETTINGS_INVALID without sending anything', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./verify-connection.ts');
    const result = await main({ ...(await settingsFor(ngdp)), senderCvr: '1234' });
    expect(result).toMatchObject({ ok: false, reason: 'SETTINGS_INVALID', code: 'CVR_INVALID' });
  });
});

describe('fallback-to-print', () => {
  it('sends registered citizens Digital Post and prints for exempt, closed, unknown and not yet reachable', async () => {
    const ngdp = await startNgdp();
    const printed: Array<{ cpr: string; reason: string }> = [];
    const { main } = await import('./fallback-to-print.ts');
    const deliveries = await main({
      client: clientOf(ngdp, SEEDED_SYSTEMS.sender),
      recipients: ['0101700001', '0101700002', '0101700003', '0101709999', '0101700004'],
      print: async (letter, reason) => {
        printed.push({ cpr: letter.recipientCpr, reason });
      },
    });
    expect(deliveries.map((delivery) => delivery.channel)).toEqual([
      'DIGITAL_POST',
      'PRINT',
      'PRINT',
      'PRINT',
      'PRINT',
    ]);
    expect(printed).toEqual([
      { cpr: '0101700002', reason: 'EXEMPT' },
      { cpr: '0101700003', reason: 'CLOSED' },
      { cpr: '0101709999', reason: 'UNKNOWN' },
      { cpr: '0101700004', reason: 'UNCONFIRMED_REGISTRATION' },
    ]);
  });

  it('delivers the digital letter to the citizen mailbox', async () => {
    const ngdp = await startNgdp();
    const { main } = await import('./fallback-to-print.ts');
    const [delivery] = await main({
      client: clientOf(ngdp, SEEDED_SYSTEMS.sender),
      recipients: ['0101700001'],
      print: async () => {},
    });
    await ngdp.settle();
    const mailbox = (await control(ngdp, '/mailboxes/0101700001/messages', 'GET')) as Array<{
      messageUUID: string;
    }>;
    expect(delivery?.channel === 'DIGITAL_POST' ? [delivery.messageUUID] : []).toEqual(
      mailbox.map((entry) => entry.messageUUID),
    );
  });
});

describe('receive-pull', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'digitalpost-inbox-'));
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it('stores valid MeMos, completes them and rejects the ones it cannot take with INVALID', async () => {
    const ngdp = await startNgdp();
    const accepted = await letterToTestfirma(ngdp, 1);
    const tooMany = await letterToTestfirma(ngdp, 3);
    const { main } = await import('./receive-pull.ts');
    const result = await main({
      client: clientOf(ngdp, SEEDED_SYSTEMS.companyRecipient),
      folder,
      maxAttachments: 2,
    });
    expect(result).toEqual({
      stored: [accepted],
      rejected: [{ messageUUID: tooMany, errorCode: 'TOO_MANY_ATTACHMENTS' }],
    });
    expect(await readdir(folder)).toEqual([`${accepted}.xml`]);
    const served = await (await fetch(`${ngdp.controlUrl}/messages/${accepted}/memo`)).text();
    expect(await readFile(join(folder, `${accepted}.xml`), 'utf8')).toBe(served);
  });

  it('gives the sender the recipient system business receipts', async () => {
    const ngdp = await startNgdp();
    const accepted = await letterToTestfirma(ngdp, 0);
    const tooMany = await letterToTestfirma(ngdp, 3);
    const { main } = await import('./receive-pull.ts');
    await main({ client: clientOf(ngdp, SEEDED_SYSTEMS.companyRecipient), folder, maxAttachments: 2 });
    await ngdp.settle();
    const receipts = await collect(
      new DigitalPostClient(clientOf(ngdp, SEEDED_SYSTEMS.sender)).receipts.list(),
    );
    const outcome = (uuid: string) => receipts.find((receipt) => receipt.messageUUID === uuid);
    expect(outcome(accepted)).toMatchObject({ receiptStatus: 'COMPLETED' });
    expect(outcome(tooMany)).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'TOO_MANY_ATTACHMENTS' });
  });

  it('leaves the inbox empty, so the next pass finds nothing', async () => {
    const ngdp = await startNgdp();
    await letterToTestfirma(ngdp, 0);
    const { main } = await import('./receive-pull.ts');
    const recipient = clientOf(ngdp, SEEDED_SYSTEMS.companyRecipient);
    await main({ client: recipient, folder });
    expect(await main({ client: recipient, folder })).toEqual({ stored: [], rejected: [] });
  });
});

describe('receive-push-express', () => {
  const endpoints: PushEndpoint[] = [];
  afterEach(() => Promise.all(endpoints.splice(0).map((endpoint) => endpoint.close())));

  /** Starts the example's app and registers it as Testfirma's endpoint, as Administrativ Adgang would. */
  async function testfirmaPushesTo(ngdp: RunningSimulator, onMemo: (received: ReceivedMemo) => void) {
    const { main } = await import('./receive-push-express.ts');
    const endpoint = await main({ client: clientOf(ngdp, SEEDED_SYSTEMS.companyRecipient), onMemo });
    endpoints.push(endpoint);
    await control(ngdp, `/systems/${SEEDED_SYSTEMS.companyRecipient}`, 'PATCH', {
      protocol: 'REST_PUSH',
      endpoint: endpoint.url,
    });
  }

  /** The receiver posts its receipt right after answering the push: poll in real time, briefly. */
  const senderReceipt = (ngdp: RunningSimulator, messageUUID: string) =>
    new DigitalPostClient(clientOf(ngdp, SEEDED_SYSTEMS.sender)).receipts.waitFor(messageUUID, {
      pollIntervalMs: 5,
      timeoutMs: 5_000,
    });

  it('receives the letter the simulator pushes in onMemo', async () => {
    const ngdp = await startNgdp();
    const received: ReceivedMemo[] = [];
    await testfirmaPushesTo(ngdp, (memo) => {
      received.push(memo);
    });
    const messageUUID = await letterToTestfirma(ngdp, 1);
    expect(received.map((memo) => [memo.messageUUID, memo.memo.messageHeader.label])).toEqual([
      [messageUUID, 'Afgørelse'],
    ]);
  });

  it('gives the sender the business receipt COMPLETED once onMemo has handled the letter', async () => {
    const ngdp = await startNgdp();
    await testfirmaPushesTo(ngdp, () => {});
    const messageUUID = await letterToTestfirma(ngdp, 0);
    expect(await senderReceipt(ngdp, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  it('gets a letter again when onMemo failed, and completes it then', async () => {
    const ngdp = await startNgdp();
    const received: string[] = [];
    let failures = 1;
    await testfirmaPushesTo(ngdp, ({ messageUUID }) => {
      if (failures-- > 0) throw new Error('the archive is down');
      received.push(messageUUID);
    });
    const messageUUID = await letterToTestfirma(ngdp, 0);
    expect(received).toEqual([]);
    await ngdp.clock.advance('PT10M'); // the simulator's first retry
    expect(received).toEqual([messageUUID]);
    expect(await senderReceipt(ngdp, messageUUID)).toMatchObject({ receiptStatus: 'COMPLETED' });
  });
});

describeWith({ tools: ['openssl'] }, 'receive-push-mtls', () => {
  let certificates: ThrowawayCertificates;
  let previous: Dispatcher;
  const endpoints: MutualTlsEndpoint[] = [];

  beforeAll(() => {
    certificates = makeThrowawayCertificates();
    // The simulator pushes through undici's global dispatcher: as NgDP, with NgDP's certificate.
    previous = getGlobalDispatcher();
    setGlobalDispatcher(
      new Agent({
        connect: { ca: certificates.ca, cert: certificates.ngdp.cert, key: certificates.ngdp.key },
      }),
    );
  });
  afterAll(() => setGlobalDispatcher(previous));
  afterEach(() => Promise.all(endpoints.splice(0).map((endpoint) => endpoint.close())));

  /** Starts the example's endpoint, registered as Testfirma's, recording what reaches onMemo. */
  async function testfirmaPushesTo(ngdp: RunningSimulator): Promise<{ url: string; received: string[] }> {
    const { main, fingerprintOf } = await import('./receive-push-mtls.ts');
    const received: string[] = [];
    const endpoint = await main({
      client: clientOf(ngdp, SEEDED_SYSTEMS.companyRecipient),
      onMemo: ({ messageUUID }) => {
        received.push(messageUUID);
      },
      tls: {
        ...certificates.server,
        ngdpCa: certificates.ca,
        ngdpFingerprints: [fingerprintOf(certificates.ngdp.cert)],
      },
    });
    endpoints.push(endpoint);
    await control(ngdp, `/systems/${SEEDED_SYSTEMS.companyRecipient}`, 'PATCH', {
      protocol: 'REST_PUSH',
      endpoint: endpoint.url,
    });
    return { url: endpoint.url, received };
  }

  /** A forged push to the endpoint, over a connection with `agent`. */
  async function forge(url: string, agent: Agent): Promise<number> {
    const boundary = 'forged';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n<x/>\r\n--${boundary}--\r\n`;
    const answer = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      dispatcher: agent,
    });
    await answer.body.dump();
    return answer.statusCode;
  }

  it('takes the letter NgDP pushes with its certificate, and the sender gets COMPLETED', async () => {
    const ngdp = await startNgdp();
    const endpoint = await testfirmaPushesTo(ngdp);

    const messageUUID = await letterToTestfirma(ngdp, 0);

    expect(endpoint.received).toEqual([messageUUID]);
    const receipt = await new DigitalPostClient(clientOf(ngdp, SEEDED_SYSTEMS.sender)).receipts.waitFor(
      messageUUID,
      { pollIntervalMs: 5, timeoutMs: 5_000 },
    );
    expect(receipt).toMatchObject({ receiptStatus: 'COMPLETED' });
  });

  it('ends the handshake with a caller that has no client certificate', async () => {
    const ngdp = await startNgdp();
    const endpoint = await testfirmaPushesTo(ngdp);

    const attempt = forge(endpoint.url, new Agent({ connect: { ca: certificates.ca } }));

    await expect(attempt).rejects.toThrow();
    expect(endpoint.received).toEqual([]);
  });

  it('answers 403 to another organisation’s certificate from the same CA', async () => {
    const ngdp = await startNgdp();
    const endpoint = await testfirmaPushesTo(ngdp);
    const impostor = new Agent({
      connect: { ca: certificates.ca, cert: certificates.impostor.cert, key: certificates.impostor.key },
    });

    expect(await forge(endpoint.url, impostor)).toBe(403);
    expect(endpoint.received).toEqual([]);
  });

  it('ends the handshake with a certificate from another CA', async () => {
    const ngdp = await startNgdp();
    const endpoint = await testfirmaPushesTo(ngdp);
    const elsewhere = makeThrowawayCertificates();
    const stranger = new Agent({
      connect: { ca: certificates.ca, cert: elsewhere.ngdp.cert, key: elsewhere.ngdp.key },
    });

    await expect(forge(endpoint.url, stranger)).rejects.toThrow();
    expect(endpoint.received).toEqual([]);
  });
});
