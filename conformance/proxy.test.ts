/**
 * Proxy mode, with the simulator as the upstream NgDP (ignoring undeclared query parameters, as NgDP
 * presumably does): requests pass through unchanged, and when
 * the proxy stops it judges what it saw — a sender that sends an invalid MeMo and, once, its API key
 * in the URL; a recipient system that pulls its post with the SDK's client and gives (or never
 * gives) its business receipts, completes a MeMo that is not valid, or puts its key in the URL.
 */
import { createLetter, DigitalPostClient } from 'digitalpost';
import { type RunningSimulator, startSimulator } from 'digitalpost/simulator';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../sdk/errors.ts';
import { failedIds } from '../test/support/conformance/adapters.ts';
import { REPORT_SCHEMA } from '../test/support/conformance/report-schema.ts';
import { schemaProblems } from '../test/support/json-schema.ts';
import { PROXY_CHECKS, PROXY_PULL_CHECKS, startConformanceProxy } from './proxy.ts';
import { ControlClient } from './runner/control.ts';

let ngdp: RunningSimulator;
beforeEach(async () => {
  ngdp = await startSimulator({ port: 0, clock: 'manual', undeclaredParameters: 'ignore' });
});
afterEach(async () => {
  await ngdp.stop();
});

const SENDER = '20000000-0000-4000-8000-000000000001';
const letter = (extra: { notification?: string } = {}) =>
  createLetter({
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient: { cpr: '0101700001' },
    label: 'Afgørelse',
    document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'a.pdf' },
    validate: false,
    ...extra,
  });

describe('digitalpost conformance proxy', () => {
  it('forwards a system’s requests unchanged and passes a system that behaves', async () => {
    const proxy = await startConformanceProxy({ upstream: ngdp.apiUrl, profile: 'sender', port: 0 });
    const apiKey = ngdp.fixtures.systems.find((system) => system.id === SENDER)?.apiKey ?? '';
    const client = new DigitalPostClient({ baseUrl: proxy.apiUrl, apiKey });
    const memo = await letter();
    expect((await client.memos.send(memo)).messageUUID).toBe(memo.messageHeader.messageUUID);
    await ngdp.settle();
    const [receipt] = (await client.receipts.bulk()).receipts;
    expect(receipt).toMatchObject({
      messageUUID: memo.messageHeader.messageUUID,
      receiptStatus: 'COMPLETED',
    });
    const report = await proxy.stop();
    expect(failedIds(report)).toEqual([]);
    expect(schemaProblems(REPORT_SCHEMA, JSON.parse(JSON.stringify(report)))).toEqual([]);
    const judged = report.checks.filter((check) => check.status !== 'skipped').map((check) => check.id);
    expect(judged.every((id) => (PROXY_CHECKS as readonly string[]).includes(id))).toBe(true);
    expect(judged).toContain('sender.memo.valid');
  });

  it('finds an invalid MeMo and an API key in the URL', async () => {
    const proxy = await startConformanceProxy({ upstream: ngdp.apiUrl, profile: 'sender', port: 0 });
    const apiKey = ngdp.fixtures.systems.find((system) => system.id === SENDER)?.apiKey ?? '';
    const keyInQuery = new Agent().compose(
      (dispatch) => (options, handler) =>
        dispatch({ ...options, path: `${options.path}&apiKey=${encodeURIComponent(apiKey)}` }, handler),
    );
    const client = new DigitalPostClient({ baseUrl: proxy.apiUrl, apiKey, dispatcher: keyInQuery });
    await client.memos.send(await letter({ notification: 'N'.repeat(200) }), { validate: false });
    const report = await proxy.stop();
    expect(failedIds(report)).toEqual(['sender.auth.header-only', 'sender.memo.valid']);
    expect(report.checks.find((check) => check.id === 'sender.memo.valid')?.evidence[0]?.note).toContain(
      'MessageHeader/notification: VALUE_TOO_LONG',
    );
  });

  it('refuses an upstream that is not a URL, and a profile it cannot judge', async () => {
    await expect(startConformanceProxy({ upstream: 'nope', profile: 'sender', port: 0 })).rejects.toThrow(
      InvalidOptionsError,
    );
    await expect(
      startConformanceProxy({ upstream: ngdp.apiUrl, profile: 'recipient-push', port: 0 }),
    ).rejects.toThrow('--profile sender or recipient-pull, not recipient-push');
  });
});

describe('digitalpost conformance proxy --profile recipient-pull', () => {
  const RECIPIENT = '20000000-0000-4000-8000-000000000004';
  const keyOf = (systemId: string): string =>
    ngdp.fixtures.systems.find((system) => system.id === systemId)?.apiKey ?? '';
  /** A letter for Testfirma's recipient system, sent straight to NgDP (not through the proxy). */
  async function post(): Promise<string> {
    const memo = await createLetter({
      sender: { cvr: '12345678', label: 'Testkommune' },
      recipient: { cvr: '87654321' },
      label: 'Afgørelse',
      document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'a.pdf' },
    });
    await new DigitalPostClient({ baseUrl: ngdp.apiUrl, apiKey: keyOf(SENDER) }).memos.send(memo);
    await ngdp.settle();
    return memo.messageHeader.messageUUID;
  }
  /** The recipient system's pass over its inbox through the proxy: list, fetch, and (if it does) complete. */
  async function drain(client: DigitalPostClient, complete: boolean): Promise<string[]> {
    const fetched: string[] = [];
    for await (const messageUUID of client.inbox.list()) {
      await client.inbox.fetch(messageUUID);
      fetched.push(messageUUID);
      if (complete) await client.inbox.complete(messageUUID);
    }
    return fetched;
  }
  const start = () => startConformanceProxy({ upstream: ngdp.apiUrl, profile: 'recipient-pull', port: 0 });

  it('passes a system that fetches its letter through the proxy and gives the business receipt', async () => {
    const messageUUID = await post();
    const proxy = await start();
    const client = new DigitalPostClient({ baseUrl: proxy.apiUrl, apiKey: keyOf(RECIPIENT) });
    expect(await drain(client, true)).toEqual([messageUUID]);
    expect(await drain(client, true)).toEqual([]); // NgDP took the receipt: the letter left the queue
    const report = await proxy.stop();
    expect(report.profile).toBe('recipient-pull');
    expect(failedIds(report)).toEqual([]);
    expect(schemaProblems(REPORT_SCHEMA, JSON.parse(JSON.stringify(report)))).toEqual([]);
    const status = (id: string) => report.checks.find((check) => check.id === id)?.status;
    for (const id of [
      'recipient-pull.receipts.each',
      'recipient-pull.receipts.after-fetch',
      'recipient-pull.receipts.accepted',
      'recipient-pull.fetch.bounded',
      'recipient-pull.auth.header-only',
      'recipient-pull.auth.accepted',
      'recipient-pull.rate.polling',
    ])
      expect([id, status(id)]).toEqual([id, 'passed']);
    const judged = report.checks.filter((check) => check.status !== 'skipped').map((check) => check.id);
    expect(judged.every((id) => (PROXY_PULL_CHECKS as readonly string[]).includes(id))).toBe(true);
    expect(report.checks.find((check) => check.id === 'recipient-pull.report.sha256')).toMatchObject({
      status: 'skipped',
      message: expect.stringContaining('proxy mode cannot judge it'),
    });
  });

  it('fails a system that fetches a letter and never gives its business receipt', async () => {
    const messageUUID = await post();
    const proxy = await start();
    const client = new DigitalPostClient({ baseUrl: proxy.apiUrl, apiKey: keyOf(RECIPIENT) });
    expect(await drain(client, false)).toEqual([messageUUID]);
    const report = await proxy.stop();
    expect(failedIds(report)).toEqual(['recipient-pull.receipts.each']);
    expect(report.checks.find((check) => check.id === 'recipient-pull.receipts.each')?.message).toContain(
      `${messageUUID.slice(0, 8)}… (served) was fetched, but NgDP holds no business receipt for it`,
    );
  });

  for (const [what, answer, failed] of [
    [
      'fails a system that completes a MeMo that is not valid instead of refusing it',
      'complete',
      ['recipient-pull.invalid.never-accepted', 'recipient-pull.invalid.refused'],
    ],
    ['passes a system that refuses a MeMo that is not valid with an INVALID receipt', 'reject', []],
  ] as const) {
    it(what, async () => {
      const messageUUID = '6a1c2e6e-8d53-4f55-9d0e-2f1b3c4d5e6f';
      await new ControlClient(ngdp.controlUrl, { token: ngdp.controlToken }).inject({
        memo: Buffer.from('this is not XML'),
        messageUUID,
        senderSystemId: SENDER,
        recipientSystemId: RECIPIENT,
      });
      const proxy = await start();
      const client = new DigitalPostClient({ baseUrl: proxy.apiUrl, apiKey: keyOf(RECIPIENT) });
      expect(Buffer.from(await client.inbox.fetchXml(messageUUID)).toString()).toBe('this is not XML');
      if (answer === 'complete') await client.inbox.complete(messageUUID);
      else await client.inbox.reject(messageUUID, { errorCode: 'XML_MALFORMED', errorMessage: 'not XML' });
      const report = await proxy.stop();
      expect(failedIds(report)).toEqual(failed);
      expect(report.checks.find((check) => check.id === 'recipient-pull.invalid.refused')?.status).toBe(
        failed.length === 0 ? 'passed' : 'failed',
      );
    });
  }

  it('fails a system that puts its API key in the query string', async () => {
    await post();
    const proxy = await start();
    const apiKey = keyOf(RECIPIENT);
    const keyInQuery = new Agent().compose(
      (dispatch) => (options, handler) =>
        dispatch(
          {
            ...options,
            path: `${options.path}${options.path.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(apiKey)}`,
          },
          handler,
        ),
    );
    const client = new DigitalPostClient({ baseUrl: proxy.apiUrl, apiKey, dispatcher: keyInQuery });
    await drain(client, true);
    const report = await proxy.stop();
    expect(failedIds(report)).toEqual(['recipient-pull.auth.header-only']);
  });
});
