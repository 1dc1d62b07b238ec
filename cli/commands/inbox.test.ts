/**
 * `digitalpost inbox pull` against a real simulator: letters to the seeded company (CVR 87654321)
 * wait for its REST_PULL recipient system. The simulator allows 20 attachments, so it delivers
 * letters that the CLI's NgDP rules (at most 10) find invalid.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Memo } from '../../sdk/memo/types.ts';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  call,
  keyOf,
  letterTo,
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
  simulator = await startTestSimulator({ validation: { maxAttachments: 20 } });
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-inbox-'));
  senderKey = keyOf(simulator, SEED_IDS.senderPull);
  env = {
    DIGITALPOST_BASE_URL: simulator.apiUrl,
    DIGITALPOST_API_KEY: keyOf(simulator, SEED_IDS.companyRecipient),
  };
});
afterAll(async () => {
  await simulator.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => resetSimulator(simulator));

/** Sends letters to the company and waits until they wait in its recipient system. */
async function deliver(...memos: Memo[]): Promise<string[]> {
  for (const memo of memos) expect((await sendMemo(simulator, senderKey, memo)).status).toBe(201);
  await simulator.settle();
  return memos.map((memo) => memo.messageHeader.messageUUID);
}

const toCompany = (extra: Parameters<typeof letterTo>[1] = {}): Promise<Memo> =>
  letterTo({ cvr: '87654321' }, extra);

/** A letter the simulator delivers but NgDP's rules call invalid (11 attachments); the schema allows it. */
const tooManyAttachments = (): Promise<Memo> =>
  toCompany({
    attachments: Array.from({ length: 11 }, () => ({
      content: Buffer.from('%PDF-1.4\n%%EOF\n'),
      filename: 'a.pdf',
    })),
    maxAttachments: 20,
  });

async function waiting(): Promise<string[]> {
  const response = await call(`${simulator.apiUrl}/memos/?size=1000`, { apiKey: env.DIGITALPOST_API_KEY });
  return (response.json as { content: string[] }).content;
}

describe('digitalpost inbox pull', () => {
  it('saves every waiting MeMo as <messageUUID>.xml, then completes it: the sender gets COMPLETED', async () => {
    const memos = [await toCompany(), await toCompany()];
    const ids = await deliver(...memos);
    const out = join(dir, 'saved');

    const result = await run(['inbox', 'pull', '--out', out], env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout).sort()).toEqual(
      ids.map((id) => `${id} COMPLETED ${join(out, `${id}.xml`)}`).sort(),
    );
    expect((await readdir(out)).sort()).toEqual(ids.map((id) => `${id}.xml`).sort());
    for (const [index, id] of ids.entries()) {
      expect(await readFile(join(out, `${id}.xml`))).toEqual(serializeMemoToBytes(memos[index] as Memo));
      expect((await receiptFor(simulator, senderKey, id)).receiptStatus).toBe('COMPLETED');
    }
    expect(await waiting()).toEqual([]);
  });

  it('only saves with --no-complete: the MeMos stay waiting', async () => {
    const [id] = await deliver(await toCompany());
    const out = join(dir, 'downloaded');

    const result = await run(['inbox', 'pull', '--out', out, '--no-complete'], env);

    expect(result).toMatchObject({ code: 0, stdout: `${id} SAVED ${join(out, `${id}.xml`)}\n` });
    expect(await waiting()).toEqual([id]);
  });

  it('rejects an invalid MeMo as INVALID with the reason, without saving it', async () => {
    const [id] = await deliver(await tooManyAttachments());
    const out = join(dir, 'rejected');

    const result = await run(['inbox', 'pull', '--out', out], env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(
        `^${id} REJECTED MessageBody: the message has 11 attachments \\(AdditionalDocument\\); at most 10 are allowed\\n$`,
      ),
    );
    expect(await readdir(out)).toEqual([]);
    expect(await receiptFor(simulator, senderKey, id as string)).toMatchObject({
      receiptStatus: 'INVALID',
      errorCode: 'MEMO_SCHEMA_INVALID',
      errorMessage:
        'MessageBody: the message has 11 attachments (AdditionalDocument); at most 10 are allowed',
    });
  });

  it('leaves an invalid MeMo waiting with --no-reject and exits 1', async () => {
    const [id] = await deliver(await tooManyAttachments());

    const result = await run(['inbox', 'pull', '--out', join(dir, 'kept'), '--no-reject'], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^digitalpost: ${id}: invalid MeMo left waiting \\(--no-reject\\): MessageBody: the message has 11 attachments \\(AdditionalDocument\\); at most 10 are allowed\\n$`,
      ),
    );
    expect(await waiting()).toEqual([id]);
  });

  it('judges by the schema only with --rules schema', async () => {
    const [id] = await deliver(await tooManyAttachments());

    const result = await run(['inbox', 'pull', '--out', join(dir, 'lenient'), '--rules', 'schema'], env);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${id} COMPLETED `));
  });

  it('prints one JSON object per MeMo with --json', async () => {
    const [valid, invalid] = await deliver(await toCompany(), await tooManyAttachments());
    const out = join(dir, 'json');

    const result = await run(['inbox', 'pull', '--out', out, '--json'], env);

    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual(
      expect.arrayContaining([
        { messageUUID: valid, status: 'COMPLETED', file: join(out, `${valid}.xml`) },
        {
          messageUUID: invalid,
          status: 'REJECTED',
          issues: [{ path: 'MessageBody', code: 'TOO_MANY_ATTACHMENTS', message: expect.any(String) }],
        },
      ]),
    );
  });

  it('stops without completing a MeMo whose file cannot be written, leaving no temporary file', async () => {
    const [id] = await deliver(await toCompany());
    const out = join(dir, 'blocked');
    await mkdir(join(out, `${id}.xml`), { recursive: true });

    const result = await run(['inbox', 'pull', '--out', out], env);

    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      `digitalpost: ${id}: cannot write ${join(out, `${id}.xml`)}: it is a directory; left waiting\n`,
    );
    expect(await waiting()).toEqual([id]);
    expect(await readdir(out)).toEqual([`${id}.xml`]);
  });

  it('prints nothing and exits 0 when no MeMo waits', async () => {
    expect(await run(['inbox', 'pull', '--out', join(dir, 'empty')], env)).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('needs --out (exit 2)', async () => {
    const result = await run(['inbox', 'pull'], env);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe("digitalpost: required option '--out <dir>' not specified (see --help)\n");
  });
});
