/**
 * Issue 11, "no freeze": while the simulator reads a decompression bomb or a large MeMo, other
 * callers are still answered. The simulator runs in a child process, a caller asks it for its
 * receipts every 25 ms meanwhile, and the latencies of those calls are checked with generous
 * bounds (the exact figures are bench/sim-hostile.bench.ts's). Before, reading the bomb held the one
 * thread for seconds: the median caller waited over a second.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { latencyWhile } from '../support/latency.ts';
import { connectSftp, newKeyPair, registerKey } from '../support/sftp.ts';
import { call, letterTo, SEED_IDS } from '../support/simulator.ts';
import { type SimulatorProcess, startSimulatorProcess } from '../support/simulator-process.ts';

/** 1 GiB of zeros as LZMA-alone (151,552 bytes): decompressing it costs seconds of CPU. */
const BOMB = readFileSync(new URL('../fixtures/hostile/zeros-1gib.lzma', import.meta.url));

const MEDIAN_MS = 500;
const MAX_MS = 5_000;

describe('while the simulator reads something heavy, other callers are answered', () => {
  let simulator: SimulatorProcess;
  let key: string;
  const receipts = () =>
    call(`${simulator.apiUrl}/receipts-bulk/?size=1`, { apiKey: key }).then((response) => {
      if (response.status !== 200) throw new Error(`receipts: ${response.status}`);
    });

  beforeAll(async () => {
    simulator = await startSimulatorProcess({ sftpPort: 0 });
    key = simulator.fixtures.systems.find((system) => system.id === SEED_IDS.senderPull)?.apiKey as string;
  });
  afterAll(() => simulator.stop());

  it('a 150 KB container that decompresses to 1 GiB of zeros, sent by REST', async () => {
    const { outcome, latencies } = await latencyWhile(
      call(`${simulator.apiUrl}/memos/`, {
        method: 'POST',
        apiKey: key,
        body: BOMB,
        contentType: 'application/x-lzma',
      }),
      receipts,
    );

    expect(outcome).toMatchObject({ status: 'fulfilled', value: { status: 400 } });
    expect(latencies.sorted.length).toBeGreaterThan(10);
    expect(latencies.errors).toBe(0);
    expect(latencies.median).toBeLessThan(MEDIAN_MS);
    expect(latencies.max).toBeLessThan(MAX_MS);
  }, 60_000);

  it('the same container uploaded over SFTP', async () => {
    const keys = newKeyPair();
    await registerKey(simulator, SEED_IDS.senderSftp, keys.public);
    const client = await connectSftp(simulator, { username: 'testkommune', privateKey: keys.private });
    try {
      const { outcome, latencies } = await latencyWhile(client.put('/in/bomb.tar.lzma', BOMB), receipts);

      expect(outcome.status).toBe('fulfilled');
      expect(latencies.sorted.length).toBeGreaterThan(10);
      expect(latencies.errors).toBe(0);
      expect(latencies.median).toBeLessThan(MEDIAN_MS);
      expect(latencies.max).toBeLessThan(MAX_MS);
    } finally {
      client.end();
    }
  }, 60_000);

  it('a 16 MB MeMo whose content holds character references', async () => {
    const memo = await letterTo(
      { cpr: '0101700001' },
      { document: { content: Buffer.alloc(12 * 1024 * 1024, 7), filename: 'sagsakter.pdf' } },
    );
    // "AAAA" written as character references: the same base64, but no longer a plain run of it.
    const xml = serializeMemoToBytes(memo)
      .toString('utf8')
      .replace('<memo:content>', '<memo:content>&#65;&#65;&#65;&#65;');
    const uuid = memo.messageHeader.messageUUID;

    const { outcome, latencies } = await latencyWhile(
      call(`${simulator.apiUrl}/memos/?memo-message-uuid=${uuid}`, {
        method: 'POST',
        apiKey: key,
        body: Buffer.from(xml),
        contentType: 'application/xml',
      }),
      receipts,
    );

    expect(outcome.status).toBe('fulfilled');
    expect([201, 400]).toContain((outcome as PromiseFulfilledResult<{ status: number }>).value.status);
    expect(latencies.errors).toBe(0);
    expect(latencies.median).toBeLessThan(MEDIAN_MS);
    expect(latencies.max).toBeLessThan(MAX_MS);
  }, 60_000);
});
