/**
 * Issue 11, finding 7 (the smaller ones), each as it was found: forged paging cursors, a fault rule
 * whose status leaves the call hanging, a registration status nobody has, an SSH key that only
 * looks like one, a container without a MeMo, a client that goes away mid-body, a gzip body, and a
 * letter whose file is empty. (The stale lock and the data folder's modes: data-dir.test.ts; the
 * 100,000-deep JSON body: cross-site.test.ts.)
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { lzma } from '@napi-rs/lzma';
import tar from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  addFault,
  call,
  control,
  expectErrorMessage,
  keyOf,
  letterTo,
  mailbox,
  messageState,
  postMemo,
  resetSimulator,
  SEED_IDS,
  sendMemo,
  startTestSimulator,
} from '../support/simulator.ts';

const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** A tar of the given files, LZMA-alone compressed. */
async function tarLzma(files: Array<{ name: string; body: string }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const file of files) pack.entry({ name: file.name }, Buffer.from(file.body));
  pack.finalize();
  await done;
  return Buffer.from(await lzma.compress(Buffer.concat(chunks)));
}

describe('the smaller findings', () => {
  let simulator: RunningSimulator;
  let key: string;
  const logged: string[] = [];
  let onLog: (line: string) => void = () => {};

  beforeAll(async () => {
    simulator = await startTestSimulator({
      clockStart: '2025-03-10T10:00:00Z',
      log: (line) => {
        logged.push(line);
        onLog(line);
      },
    });
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());
  beforeEach(async () => {
    await resetSimulator(simulator);
    logged.length = 0;
  });

  describe('forged paging cursors', () => {
    it.each([
      ['a page size of 0', 'page:0:0'],
      ['a page size of 10^20', 'page:0:100000000000000000000'],
      ['a page size over 1000', 'page:0:1001'],
      ['a page past 1,000,000', 'page:1000001:20'],
      ['a page of 10^20', 'page:100000000000000000000:20'],
    ])('refuses %s in next with 400 INVALID_PARAMETER', async (_name, cursor) => {
      for (const path of ['/contact-points/', '/events/']) {
        const response = await call(`${simulator.apiUrl}${path}?next=${base64(cursor)}`, { apiKey: key });
        const body = expectErrorMessage(response, 400, 'INVALID_PARAMETER');
        expect(body.fieldErrors).toEqual([expect.objectContaining({ field: 'next' })]);
      }
    });

    it('takes the largest cursor the API could return', async () => {
      const response = await call(`${simulator.apiUrl}/contact-points/?next=${base64('page:1000000:1000')}`, {
        apiKey: key,
      });
      expect(response.status, response.text).toBe(200);
    });

    it.each([
      ['a time of 10^30', `[ ${'1'.padEnd(31, '0')}, "x" ]`],
      ['a transaction id of 10,000 characters', `[ 1, "${'x'.repeat(10_000)}" ]`],
    ])('refuses a contact cursor with %s', async (_name, cursor) => {
      const response = await call(
        `${simulator.apiUrl}/contacts/?cprNumber=0101700001&next=${base64(cursor)}`,
        {
          apiKey: key,
        },
      );
      expectErrorMessage(response, 400, 'INVALID_PARAMETER');
    });
  });

  describe('fault rules', () => {
    it.each([100, 101, 199, 204, 302])('refuses status %i for a call into the simulator', async (status) => {
      const response = await control(simulator, 'POST', '/faults', { operation: 'GET /receipts/', status });
      const body = expectErrorMessage(response, 400, 'INVALID_FAULT_RULE');
      expect(body.fieldErrors).toEqual([expect.objectContaining({ field: 'status', rejectedValue: status })]);
    });

    it.each([101, 199])('refuses status %i for a push', async (status) => {
      const response = await control(simulator, 'POST', '/faults', { operation: 'PUSH memo', status });
      expectErrorMessage(response, 400, 'INVALID_FAULT_RULE');
    });

    it('takes 2xx for a push (the delivery counts as answered) and 4xx/5xx for a call', async () => {
      await addFault(simulator, { operation: 'PUSH receipt', status: 204 });
      await addFault(simulator, { operation: 'GET /receipts/', status: 418, times: 1 });
      expect((await call(`${simulator.apiUrl}/receipts/`, { apiKey: key })).status).toBe(418);
    });
  });

  it('refuses a registrationStatus NgDP does not have', async () => {
    const response = await control(simulator, 'POST', '/citizens', {
      cprNumber: '0101800001',
      registrationStatus: 'ANYTHING <script>',
    });
    const body = expectErrorMessage(response, 400, 'NOT_ALLOWED_VALUE');
    expect(body.fieldErrors).toEqual([expect.objectContaining({ field: 'registrationStatus' })]);
  });

  it('refuses an SSH key line whose base64 holds no key (ssh-ed25519 QUFBQQ==)', async () => {
    const response = await call(`${simulator.controlUrl}/systems/${SEED_IDS.senderSftp}/ssh-key`, {
      method: 'PUT',
      contentType: 'text/plain',
      body: 'ssh-ed25519 QUFBQQ==',
    });
    expectErrorMessage(response, 400, 'INVALID_FORMAT');
  });

  describe('a container holding no MeMo', () => {
    it('refuses a container holding only readme.txt with 400 CONTAINER_EMPTY: the sender is told', async () => {
      const response = await postMemo(simulator, await tarLzma([{ name: 'readme.txt', body: 'hello' }]), {
        apiKey: key,
        contentType: 'application/x-lzma',
      });
      expectErrorMessage(response, 400, 'CONTAINER_EMPTY');
    });

    it('takes a container holding readme.txt beside a MeMo, the MeMo receipted', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const uuid = memo.messageHeader.messageUUID;
      const container = await tarLzma([
        { name: 'readme.txt', body: 'hello' },
        { name: `${uuid}.xml`, body: serializeMemoToBytes(memo).toString() },
      ]);
      const response = await postMemo(simulator, container, {
        apiKey: key,
        contentType: 'application/x-lzma',
      });
      expect(response.status, response.text).toBe(201);
      await simulator.settle();
      expect((await messageState(simulator, uuid)).receiptStatus).toBe('COMPLETED');
    });
  });

  it('logs a client that goes away in the middle of its body as one line, not as an internal error', async () => {
    const url = new URL(simulator.apiUrl);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    // With Expect: 100-continue the server answers "100 Continue" once the route is reading the body.
    const continued = new Promise((resolve) => socket.once('data', resolve));
    socket.write(
      'POST /apis/v1/memos/?memo-message-uuid=3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90 HTTP/1.1\r\n' +
        `Host: ${url.host}\r\nAuthorization: Basic ${key}\r\nContent-Type: application/xml\r\n` +
        'Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n',
    );
    await continued;
    const logLine = new Promise<string>((resolve) => {
      onLog = resolve;
    });
    socket.end('<memo:Message');
    socket.destroy();
    expect(await logLine).toMatch(/^POST \/apis\/v1\/memos\/: the client closed the connection/);
    expect(logged.filter((line) => line.includes('internal error'))).toEqual([]);
  });

  describe('Content-Encoding on POST /memos/', () => {
    it.each([
      ['gzip', 'application/xml'],
      ['br', 'application/xml'],
      ['gzip', 'application/x-lzma'],
    ])(
      'refuses %s (%s) with 400 UNSUPPORTED_ENCODING instead of reading the compressed bytes',
      async (encoding, type) => {
        const memo = await letterTo({ cpr: '0101700001' });
        const uuid = memo.messageHeader.messageUUID;
        const response = await call(`${simulator.apiUrl}/memos/?memo-message-uuid=${uuid}`, {
          method: 'POST',
          apiKey: key,
          contentType: type,
          headers: { 'content-encoding': encoding },
          body: gzipSync(serializeMemoToBytes(memo)),
        });
        expectErrorMessage(response, 400, 'UNSUPPORTED_ENCODING');
        expect((await call(`${simulator.controlUrl}/messages/${uuid}`)).status).toBe(404);
      },
    );

    it('takes Content-Encoding identity', async () => {
      const memo = await letterTo({ cpr: '0101700001' });
      const response = await call(
        `${simulator.apiUrl}/memos/?memo-message-uuid=${memo.messageHeader.messageUUID}`,
        {
          method: 'POST',
          apiKey: key,
          contentType: 'application/xml',
          headers: { 'content-encoding': 'identity' },
          body: serializeMemoToBytes(memo),
        },
      );
      expect(response.status, response.text).toBe(201);
    });
  });

  it('delivers a letter whose file is empty: the schema allows it and no NgDP rule refuses it (differences.md)', async () => {
    const memo = await letterTo({ cpr: '0101700001' }, {
      document: { content: Buffer.alloc(0), filename: 'empty.pdf' },
    } as never);
    expect(serializeMemoToBytes(memo).toString()).toMatch(
      /<memo:content\s*\/>|<memo:content><\/memo:content>/,
    );
    expect((await sendMemo(simulator, key, memo)).status).toBe(201);
    await simulator.settle();
    expect((await mailbox(simulator, '0101700001')).map((entry) => entry.messageUUID)).toEqual([
      memo.messageHeader.messageUUID,
    ]);
  });
});
