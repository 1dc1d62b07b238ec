/**
 * Issue 12 for the CLI: against a hostile NgDP, `receipts pull` and `send --wait` end (items 3),
 * `send` never says "not sent" for a letter NgDP may have (item 7), a malformed answer is a one-line
 * error and never a TypeError (item 8), plain http to another machine needs --allow-insecure-http
 * (item 10), and no control character from the server reaches the terminal (item 11).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { lines, run } from '../../cli/test-support.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { letterTo } from '../support/simulator.ts';
import { settlesBefore } from '../support/timers.ts';
import { API_KEY } from './client.ts';
import {
  bulkReceipt,
  firstThen,
  type Handler,
  type HostileServer,
  json,
  loseAnswerAfter,
  raw,
  receiptPage,
  startHostileServer,
} from './server.ts';

let server: HostileServer | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dp-hostile-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const env = (target: HostileServer) => ({
  DIGITALPOST_BASE_URL: target.apiUrl,
  DIGITALPOST_API_KEY: API_KEY,
});

/** A letter as a file; its messageUUID and receipt as NgDP would give it. */
async function letterFile(name: string) {
  const memo = await letterTo({ cpr: '0101700001' });
  const file = join(dir, name);
  await writeFile(file, serializeMemoToBytes(memo));
  const messageUUID = memo.messageHeader.messageUUID;
  const receipt = {
    transmissionId: '0d4f4b8e-2c55-4a57-9d0e-7f3e8b1a6c21',
    messageUUID,
    timeStamp: '2025-06-02T08:00:00Z',
    receiptStatus: 'RECEIVED',
  };
  return { file, messageUUID, receipt };
}

/** The same receipts on every page, `totalPages` always one further. */
const growingReceipts: Handler = (request, response) => {
  const page = Number(request.query.get('page'));
  json(200, receiptPage([bulkReceipt()], { currentPage: page, totalPages: page + 2 }))(request, response);
};

/** Terminal control (ESC, CSI, BEL, carriage return, …) and a bidi override; checked without the line ends. */
const CONTROL = /[\p{Cc}\u202e]/u;
const withoutLineEnds = (text: string): string => text.replaceAll('\n', '');
const HOSTILE_TEXT = '\u001b]0;pwned\u0007\u001b[2J\rall letters COMPLETED\nnext\u009b31m\u202eevil';

describe('waits and lists end', () => {
  test('receipts pull against a list that never ends stops at --max-pages, exit 1', async () => {
    server = await startHostileServer({ 'GET /receipts-bulk/': growingReceipts });
    const result = await run(['receipts', 'pull', '--no-ack', '--max-pages', '25'], env(server));

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the list did not end within 25 pages/);
    expect(server.requests).toHaveLength(25);
  });

  test('send --wait --wait-timeout: the wait ends when it runs out, though the list never ends', async () => {
    const letter = await letterFile('wait.xml');
    server = await startHostileServer({
      'POST /memos/': json(201, letter.receipt),
      'GET /receipts-bulk/': growingReceipts,
    });
    const sending = run(['send', letter.file, '--wait', '--wait-timeout', '0.5'], env(server));

    // Issue 12: --wait-timeout 3 never returned. The bound here is generous.
    expect(await settlesBefore(sending, 10_000)).toBe(true);
    const result = await sending;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${letter.messageUUID}: no business receipt within 0.5 s`);
  });
});

describe('a letter NgDP may have is never "not sent"', () => {
  test('a lost answer, then 409 DUPLICATE_MESSAGE_UUID with its receipt: sent, the original receipt', async () => {
    const letter = await letterFile('lost-409.xml');
    server = await startHostileServer({
      'POST /memos/': firstThen(
        1,
        loseAnswerAfter(() => {}),
        json(409, {
          code: 'DUPLICATE_MESSAGE_UUID',
          message: 'a different message',
          receipt: letter.receipt,
        }),
      ),
    });
    const result = await run(['send', letter.file, '--retries', '1'], env(server));

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`RECEIVED ${letter.messageUUID} (technical receipt`);
  });

  test('a lost answer, then 409 without a receipt: "may be at NgDP", sending again is safe', async () => {
    const letter = await letterFile('lost-unknown.xml');
    server = await startHostileServer({
      'POST /memos/': firstThen(
        1,
        loseAnswerAfter(() => {}),
        json(409, { code: 'DUPLICATE_MESSAGE_UUID' }),
      ),
    });
    const result = await run(['send', letter.file, '--retries', '1'], env(server));

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^digitalpost: .*lost-unknown\.xml: may be at NgDP: the answer was lost/);
    expect(result.stderr).toContain('sending the same file again is safe');
    expect(result.stderr).not.toContain('not sent');
  });

  test('a 201 with an empty body: "may be at NgDP", and --json says sent: null', async () => {
    const letter = await letterFile('empty-201.xml');
    server = await startHostileServer({ 'POST /memos/': raw(201, { 'content-type': 'application/json' }) });
    const result = await run(['send', letter.file, '--json'], env(server));

    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('not sent');
    expect(JSON.parse(lines(result.stdout)[0] as string)).toMatchObject({
      sent: null,
      messageUUID: letter.messageUUID,
      error: { code: 'UNKNOWN_OUTCOME' },
    });
  });
});

describe('malformed answers are one line, never a TypeError', () => {
  test('contacts lookup with statuses that are not text: UNEXPECTED_RESPONSE, no "padEnd is not a function"', async () => {
    server = await startHostileServer({
      'GET /contacts/': json(200, {
        contacts: [
          {
            id: 'c',
            type: 'CITIZEN',
            cprNumber: '0101700001',
            mailboxSubscription: { registrationStatus: 1, publicRegistrationStatus: 2 },
          },
        ],
      }),
    });
    const result = await run(['contacts', 'lookup', '0101700001'], env(server));

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('registrationStatus must be a string');
    expect(result.stderr).not.toMatch(/is not a function|TypeError/);
  });
});

describe('nothing from the server drives the terminal', () => {
  test('receipts pull prints an errorMessage with escape sequences escaped, on its one line', async () => {
    server = await startHostileServer({
      'GET /receipts-bulk/': json(
        200,
        receiptPage([
          bulkReceipt({ receiptStatus: 'NOT_ALLOWED', errorCode: 'X\u001b[31m', errorMessage: HOSTILE_TEXT }),
        ]),
      ),
    });
    const result = await run(['receipts', 'pull', '--no-ack'], env(server));

    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toHaveLength(1);
    expect(withoutLineEnds(result.stdout)).not.toMatch(CONTROL);
    expect(result.stdout).toContain(
      '\\x1b]0;pwned\\x07\\x1b[2J\\x0dall letters COMPLETED\\x0anext\\x9b31m\\u202eevil',
    );
  });

  test('--json keeps the exact text, escaped so that the line prints harmlessly', async () => {
    server = await startHostileServer({
      'GET /receipts-bulk/': json(
        200,
        receiptPage([bulkReceipt({ receiptStatus: 'INVALID', errorMessage: HOSTILE_TEXT })]),
      ),
    });
    const result = await run(['receipts', 'pull', '--no-ack', '--json'], env(server));

    expect(withoutLineEnds(result.stdout)).not.toMatch(CONTROL);
    expect(JSON.parse(result.stdout)).toMatchObject({ errorMessage: HOSTILE_TEXT });
  });

  test("an error answer's message is escaped on stderr", async () => {
    server = await startHostileServer({
      'GET /contacts/': json(400, { code: 'BAD', message: HOSTILE_TEXT }),
    });
    const result = await run(['contacts', 'lookup', '0101700001'], env(server));

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(withoutLineEnds(result.stderr)).not.toMatch(CONTROL);
  });

  test('contact statuses with escape sequences are escaped', async () => {
    server = await startHostileServer({
      'GET /contacts/': json(200, {
        contacts: [
          {
            id: 'c',
            type: 'CITIZEN',
            cprNumber: '0101700001',
            mailboxSubscription: {
              registrationStatus: `AUTOMATIC${HOSTILE_TEXT}`,
              publicRegistrationStatus: 'REGISTERED',
            },
          },
        ],
      }),
    });
    const result = await run(['contacts', 'lookup', '0101700001'], env(server));

    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toHaveLength(1);
    expect(withoutLineEnds(result.stdout)).not.toMatch(CONTROL);
  });

  test('a business receipt printed by send --wait is escaped', async () => {
    const letter = await letterFile('escaped-wait.xml');
    server = await startHostileServer({
      'POST /memos/': json(201, letter.receipt),
      'GET /receipts-bulk/': json(
        200,
        receiptPage([
          bulkReceipt({
            messageUUID: letter.messageUUID,
            receiptStatus: 'NOT_ALLOWED',
            errorMessage: HOSTILE_TEXT,
          }),
        ]),
      ),
    });
    const result = await run(['send', letter.file, '--wait', '--wait-timeout', '5'], env(server));

    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toHaveLength(2);
    expect(withoutLineEnds(result.stdout)).not.toMatch(CONTROL);
  });
});

describe('plain http to another machine', () => {
  test('is refused as a usage error naming --allow-insecure-http, nothing sent', async () => {
    const result = await run(['contacts', 'lookup', '0101700001'], {
      DIGITALPOST_BASE_URL: 'http://ngdp.example/apis/v1',
      DIGITALPOST_API_KEY: API_KEY,
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /http:\/\/ngdp\.example is plain http:\/\/ to another machine.*--allow-insecure-http/,
    );
  });

  test('is tried with --allow-insecure-http', async () => {
    const result = await run(
      ['contacts', 'lookup', '0101700001', '--allow-insecure-http', '--timeout', '2', '--retries', '0'],
      { DIGITALPOST_BASE_URL: 'http://ngdp.invalid/apis/v1', DIGITALPOST_API_KEY: API_KEY },
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach NgDP at http:\/\/ngdp\.invalid\/apis\/v1/);
  });
});
