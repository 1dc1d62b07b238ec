/** `digitalpost send` against a real simulator (manual clock). */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  keyOf,
  letterTo,
  mailbox,
  receiptFor,
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

beforeAll(async () => {
  simulator = await startTestSimulator();
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-send-'));
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  env = { DIGITALPOST_BASE_URL: simulator.apiUrl, DIGITALPOST_API_KEY: senderKey };
});
afterAll(async () => {
  await simulator.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => resetSimulator(simulator));

interface LetterFile {
  file: string;
  messageUUID: string;
}

/** Writes a valid letter to `cpr` as a file. */
async function letterFile(name: string, cpr: string): Promise<LetterFile> {
  const memo = await letterTo({ cpr });
  const file = join(dir, name);
  await writeFile(file, serializeMemoToBytes(memo));
  return { file, messageUUID: memo.messageHeader.messageUUID };
}

/** Writes a letter whose recipientID is not a CPR number (invalid locally and at NgDP). */
async function invalidFile(name: string): Promise<LetterFile> {
  const memo = await letterTo({ cpr: '0101700001' });
  const file = join(dir, name);
  await writeFile(file, serializeMemoToBytes(memo).toString('utf8').replace('0101700001', '01017'));
  return { file, messageUUID: memo.messageHeader.messageUUID };
}

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const technicalLine = ({ file, messageUUID }: LetterFile): RegExp =>
  new RegExp(
    `^${literal(file)}: RECEIVED ${messageUUID} \\(technical receipt, transmissionId [0-9a-f-]{36}\\)$`,
    'm',
  );

describe('digitalpost send', () => {
  it('sends every file with the credentials from the environment and prints its technical receipt', async () => {
    const first = await letterFile('first.xml', '0101700001');
    const second = await letterFile('second.xml', '0101700001');

    const result = await run(['send', first.file, second.file], env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [firstLine, secondLine, ...rest] = lines(result.stdout);
    expect(firstLine).toMatch(technicalLine(first));
    expect(secondLine).toMatch(technicalLine(second));
    expect(rest).toEqual([]);
    await simulator.settle();
    const delivered = (await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID);
    expect(delivered).toEqual(expect.arrayContaining([first.messageUUID, second.messageUUID]));
  });

  it('takes --api-key and --base-url over the environment', async () => {
    const letter = await letterFile('flags.xml', '0101700001');

    const result = await run(['send', letter.file, '--api-key', senderKey, '--base-url', simulator.apiUrl], {
      DIGITALPOST_API_KEY: 'wrong-key',
      DIGITALPOST_BASE_URL: 'http://127.0.0.1:1/apis/v1',
    });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(technicalLine(letter));
  });

  it('lists the problems of an invalid MeMo on stderr, does not send it, sends the rest and exits 1', async () => {
    const invalid = await invalidFile('invalid.xml');
    const valid = await letterFile('valid.xml', '0101700001');

    const result = await run(['send', invalid.file, valid.file], env);

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      `digitalpost: ${invalid.file}: not sent: MessageHeader/Recipient/recipientID: recipientID must be a CPR number of exactly 10 digits (found 5 characters)`,
    ]);
    expect(lines(result.stdout)).toEqual([expect.stringMatching(technicalLine(valid))]);
    await simulator.settle();
    expect((await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID)).toEqual([
      valid.messageUUID,
    ]);
  });

  it('sends an invalid MeMo with --no-validate, and --wait shows NgDP rejecting it (exit 1)', async () => {
    const invalid = await invalidFile('unchecked.xml');

    const result = await run(['send', '--no-validate', '--wait', invalid.file], env);

    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(technicalLine(invalid)),
      expect.stringMatching(
        new RegExp(
          `^${literal(invalid.file)}: INVALID ${invalid.messageUUID} \\(business receipt\\) MEMO_SCHEMA_INVALID: `,
        ),
      ),
    ]);
  });

  it('waits with --wait for the business receipt, prints it and exits 0 when it is COMPLETED', async () => {
    const letter = await letterFile('wait.xml', '0101700001');

    const result = await run(['send', '--wait', letter.file], env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)[1]).toBe(
      `${letter.file}: COMPLETED ${letter.messageUUID} (business receipt)`,
    );
    // --wait only reads the receipt: it is still there for `receipts pull`.
    expect((await receiptFor(simulator, senderKey, letter.messageUUID)).receiptStatus).toBe('COMPLETED');
  });

  it('exits 1 when --wait gets NOT_ALLOWED, with the error code and message', async () => {
    const letter = await letterFile('exempt.xml', '0101700002');

    const result = await run(['send', '--wait', letter.file], env);

    expect(result.code).toBe(1);
    expect(lines(result.stdout)[1]).toBe(
      `${letter.file}: NOT_ALLOWED ${letter.messageUUID} (business receipt) RECIPIENT_EXEMPT: the citizen is exempt from Digital Post`,
    );
  });

  it('gives up after --wait-timeout with one line and exit 1 when no business receipt comes', async () => {
    const letter = await letterFile('slow.xml', '0101700006');

    const result = await run(['send', '--wait', '--wait-timeout', '0.2', letter.file], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `digitalpost: ${letter.file}: ${letter.messageUUID}: no business receipt within 0.2 s; it may still come (digitalpost receipts pull)\n`,
    );
  });

  it('prints one JSON object per file with --json', async () => {
    const letter = await letterFile('json.xml', '0101700001');
    const invalid = await invalidFile('json-invalid.xml');

    const result = await run(['send', '--json', '--wait', letter.file, invalid.file], env);

    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)).toEqual([
      {
        file: invalid.file,
        sent: false,
        error: {
          code: 'MEMO_INVALID',
          message: expect.stringContaining('recipientID must be a CPR number'),
          issues: [
            { path: 'MessageHeader/Recipient/recipientID', code: 'CPR_INVALID', message: expect.any(String) },
          ],
        },
      },
      {
        file: letter.file,
        sent: true,
        messageUUID: letter.messageUUID,
        receipt: expect.objectContaining({ receiptStatus: 'RECEIVED', messageUUID: letter.messageUUID }),
        businessReceipt: expect.objectContaining({
          receiptStatus: 'COMPLETED',
          messageUUID: letter.messageUUID,
        }),
      },
    ]);
  });

  it('sends nothing and exits 2 when a file cannot be read', async () => {
    const letter = await letterFile('present.xml', '0101700001');
    const missing = join(dir, 'missing.xml');

    const result = await run(['send', letter.file, missing], env);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `digitalpost: cannot read ${missing}: no such file (nothing was sent)\n`,
    });
    await simulator.settle();
    expect(await mailbox(simulator, '0101700001')).toEqual([]);
  });

  it('reports a messageUUID NgDP already holds (409) on one line, never as "not sent", and exits 1', async () => {
    const letter = await letterFile('reused.xml', '0101700001');
    const other = await letterTo({ cpr: '0101700005' }, { messageUUID: letter.messageUUID });
    expect((await sendMemo(simulator, senderKey, other)).status).toBe(201);

    const result = await run(['send', letter.file], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^digitalpost: ${literal(letter.file)}: may be at NgDP: NgDP already holds a message under this messageUUID \\(transmissionId [0-9a-f-]{36}, .+\\), so it was not sent again\\. .+only a different letter needs a new messageUUID\\n$`,
      ),
    );
    expect(result.stderr).not.toContain('not sent:');
  });

  it('runs as an executable with the environment variables and exit codes (one spawn)', async () => {
    const valid = await letterFile('spawn-valid.xml', '0101700001');
    const invalid = await invalidFile('spawn-invalid.xml');
    const entry = new URL('../index.ts', import.meta.url).pathname;

    const failure = await promisify(execFile)(process.execPath, [entry, 'send', valid.file, invalid.file], {
      env: { PATH: process.env.PATH, ...env },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 1 });
    expect(failure.stdout).toMatch(technicalLine(valid));
    expect(failure.stderr).toBe(
      `digitalpost: ${invalid.file}: not sent: MessageHeader/Recipient/recipientID: recipientID must be a CPR number of exactly 10 digits (found 5 characters)\n`,
    );
  });
});
