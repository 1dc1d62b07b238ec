/** `digitalpost receipts pull` against a real simulator. */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  keyOf,
  letterTo,
  pullReceipts,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../../test/support/simulator.ts';
import { jsonLines, lines, run } from '../test-support.ts';

let simulator: RunningSimulator;
let dir: string;
let senderKey: string;
let env: Record<string, string>;
let completed: string;
let exempt: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-receipts-'));
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  env = { DIGITALPOST_BASE_URL: simulator.apiUrl, DIGITALPOST_API_KEY: senderKey };
});
afterAll(async () => {
  await simulator.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Two business receipts wait: COMPLETED and NOT_ALLOWED (RECIPIENT_EXEMPT). */
beforeEach(async () => {
  await resetSimulator(simulator);
  const toRegistered = await letterTo({ cpr: '0101700001' });
  const toExempt = await letterTo({ cpr: '0101700002' });
  for (const memo of [toRegistered, toExempt])
    expect((await sendMemo(simulator, senderKey, memo)).status).toBe(201);
  await simulator.settle();
  completed = toRegistered.messageHeader.messageUUID;
  exempt = toExempt.messageHeader.messageUUID;
});

const ISO = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';

describe('digitalpost receipts pull', () => {
  it('prints every receipt on one line and acknowledges it', async () => {
    const result = await run(['receipts', 'pull'], env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const printed = lines(result.stdout);
    expect(printed).toHaveLength(2);
    expect(printed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${completed} COMPLETED ${ISO}$`)),
        expect.stringMatching(
          new RegExp(
            `^${exempt} NOT_ALLOWED ${ISO} RECIPIENT_EXEMPT: the citizen is exempt from Digital Post$`,
          ),
        ),
      ]),
    );
    expect(await pullReceipts(simulator, senderKey)).toEqual([]);
  });

  it('leaves the receipts on NgDP with --no-ack', async () => {
    const first = await run(['receipts', 'pull', '--no-ack'], env);
    const second = await run(['receipts', 'pull', '--no-ack'], env);

    expect(first.code).toBe(0);
    expect(lines(first.stdout)).toHaveLength(2);
    expect(second.stdout).toBe(first.stdout);
    expect(await pullReceipts(simulator, senderKey)).toHaveLength(2);
  });

  it('writes each receipt to --out as <messageUUID>.json, creating the directory', async () => {
    const out = join(dir, 'new', 'receipts');

    const result = await run(['receipts', 'pull', '--out', out], env);

    expect(result.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([`${completed}.json`, `${exempt}.json`].sort());
    expect(JSON.parse(await readFile(join(out, `${exempt}.json`), 'utf8'))).toEqual({
      id: expect.any(String),
      transmissionId: expect.any(String),
      messageUUID: exempt,
      timeStamp: expect.any(String),
      receiptStatus: 'NOT_ALLOWED',
      errorCode: 'RECIPIENT_EXEMPT',
      errorMessage: 'the citizen is exempt from Digital Post',
    });
  });

  it('leaves a receipt it cannot write unacknowledged and exits 1', async () => {
    const out = join(dir, 'blocked');
    await run(['receipts', 'pull', '--no-ack', '--out', out], env);
    await rm(join(out, `${completed}.json`));
    await mkdir(join(out, `${completed}.json`));

    const result = await run(['receipts', 'pull', '--out', out], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^digitalpost: cannot write .*${completed}\\.json: it is a directory; the receipt stays unacknowledged\\n$`,
      ),
    );
    const left = (await pullReceipts(simulator, senderKey)).map((receipt) => receipt.messageUUID);
    expect(left).toContain(completed);
  });

  it('stops before acknowledging a receipt when stdout is closed (| head -1), exit 1', async () => {
    const closed = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    let flushes = 0;
    const flushed = async (): Promise<void> => {
      if (++flushes > 1) throw closed;
    };

    const result = await run(['receipts', 'pull'], env, { flushed });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'digitalpost: cannot write to stdout: the reader closed it; the last receipt stays unacknowledged\n',
    );
    const [, second] = lines(result.stdout);
    expect((await pullReceipts(simulator, senderKey)).map((receipt) => receipt.messageUUID)).toEqual([
      second?.split(' ')[0],
    ]);
  });

  it('prints each receipt as NgDP gave it with --json', async () => {
    const result = await run(['receipts', 'pull', '--json', '--no-ack'], env);

    expect(result.code).toBe(0);
    const byUUID = new Map(jsonLines(result.stdout).map((receipt) => [receipt.messageUUID, receipt]));
    expect(byUUID.get(completed)).toMatchObject({ receiptStatus: 'COMPLETED', id: expect.any(String) });
    expect(byUUID.get(exempt)).toMatchObject({ receiptStatus: 'NOT_ALLOWED', errorCode: 'RECIPIENT_EXEMPT' });
  });

  it('prints nothing and exits 0 when no receipts wait', async () => {
    await run(['receipts', 'pull'], env);

    expect(await run(['receipts', 'pull'], env)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
