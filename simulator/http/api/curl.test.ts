/**
 * Smoke test with the system `curl`, as integrators try the API first (`--http1.1`, the key verbatim
 * after `Basic`, the MeMo file as the body): send a MeMo, then pull its business receipt.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../../sdk/memo/writer.ts';
import { describeWith } from '../../../test/support/requirements.ts';
import { keyOf, letterTo, SEED_IDS, startTestSimulator } from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const run = promisify(execFile);

const STATUS_MARK = '\n--status:';

/** Runs curl; answers the HTTP status and the body parsed as JSON (undefined when empty). */
async function curl(args: string[]): Promise<{ status: number; json: unknown }> {
  const { stdout } = await run('curl', ['--http1.1', '-sS', '-w', `${STATUS_MARK}%{http_code}`, ...args]);
  const at = stdout.lastIndexOf(STATUS_MARK);
  const body = stdout.slice(0, at);
  return {
    status: Number(stdout.slice(at + STATUS_MARK.length)),
    json: body === '' ? undefined : JSON.parse(body),
  };
}

describeWith({ tools: ['curl'] }, 'the API driven by the system curl', () => {
  let simulator: RunningSimulator;
  let folder: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    folder = await mkdtemp(join(tmpdir(), 'digitalpost-curl-'));
  });
  afterAll(async () => {
    await simulator.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('sends a MeMo file with POST /memos/ and pulls its COMPLETED receipt', async () => {
    const key = keyOf(simulator, SEED_IDS.senderPull);
    const memo = await letterTo({ cpr: '0101700001' }, { messageID: 'CURL-1' });
    const uuid = memo.messageHeader.messageUUID;
    const file = join(folder, 'letter.xml');
    await writeFile(file, serializeMemoToBytes(memo, { byteOrderMark: true }));
    const auth = ['-H', `Authorization: Basic ${key}`];

    const sent = await curl([
      ...auth,
      '-H',
      'Content-Type: application/xml; charset=utf-8',
      '--data-binary',
      `@${file}`,
      `${simulator.apiUrl}/memos/?memo-message-uuid=${uuid}`,
    ]);
    expect(sent).toEqual({
      status: 201,
      json: expect.objectContaining({ messageUUID: uuid, messageId: 'CURL-1', receiptStatus: 'RECEIVED' }),
    });
    await simulator.settle();

    const listed = await curl([...auth, `${simulator.apiUrl}/receipts/?page=0&size=10`]);
    expect(listed.status).toBe(200);
    const { content } = listed.json as { content: string[] };
    expect(content).toHaveLength(1);

    const receipt = await curl([...auth, `${simulator.apiUrl}/receipts/${content[0]}`]);
    expect([200, 201]).toContain(receipt.status);
    expect(receipt.json).toMatchObject({
      messageUUID: uuid,
      messageId: 'CURL-1',
      receiptStatus: 'COMPLETED',
    });

    const gone = await curl([...auth, `${simulator.apiUrl}/receipts/${content[0]}`]);
    expect(gone).toEqual({ status: 404, json: expect.objectContaining({ code: 'NOT_FOUND' }) });
  });

  it("registers an SSH key with the line the start banner prints (curl's default form content type)", async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    const blob = Buffer.concat([
      Buffer.from([0, 0, 0, 11]),
      Buffer.from('ssh-ed25519'),
      Buffer.from([0, 0, 0, 32]),
      raw,
    ]);
    const file = join(folder, 'id_ed25519.pub');
    await writeFile(file, `ssh-ed25519 ${blob.toString('base64')} curl@digitalpost\n`);

    const registered = await curl([
      '-X',
      'PUT',
      '--data-binary',
      `@${file}`,
      `${simulator.controlUrl}/systems/${SEED_IDS.senderSftp}/ssh-key`,
    ]);

    expect(registered).toEqual({ status: 200, json: expect.objectContaining({ sshPublicKeys: 1 }) });
  });
});
