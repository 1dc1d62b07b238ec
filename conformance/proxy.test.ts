/**
 * Proxy mode, with the simulator as the upstream NgDP: requests pass through unchanged, and when
 * the proxy stops it judges what it saw — here a system that sends an invalid MeMo and, once, its
 * API key in the URL.
 */
import { createLetter, DigitalPostClient } from 'digitalpost';
import { type RunningSimulator, startSimulator } from 'digitalpost/simulator';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../sdk/errors.ts';
import { failedIds } from '../test/support/conformance/adapters.ts';
import { REPORT_SCHEMA } from '../test/support/conformance/report-schema.ts';
import { schemaProblems } from '../test/support/json-schema.ts';
import { PROXY_CHECKS, startConformanceProxy } from './proxy.ts';

let ngdp: RunningSimulator;
beforeEach(async () => {
  ngdp = await startSimulator({ port: 0, clock: 'manual' });
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
      startConformanceProxy({ upstream: ngdp.apiUrl, profile: 'recipient-pull', port: 0 }),
    ).rejects.toThrow('no checks yet');
  });
});
