/**
 * With --data-dir, a simulator killed with SIGKILL at any moment loses nothing it acknowledged: after
 * a restart every message that got a 201 is delivered and receipted exactly once. Proven with the
 * real CLI in a child process, killed while messages are being sent and processed. The same holds
 * for the administration's records (employees, sessions, contact groups …).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../sdk/memo/writer.ts';
import type { Fixtures } from '../simulator/index.ts';
import { call, letterTo, SEED_IDS } from './support/simulator.ts';

const cli = new URL('../cli/index.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Started {
  child: ChildProcess;
  apiUrl: string;
  controlUrl: string;
  fixtures: Fixtures;
}

/** Starts `digitalpost sim start --json` and reads its first stdout line. */
function startCli(dataDir: string, flags: string[] = []): Promise<Started> {
  const child = spawn(
    process.execPath,
    [cli, 'sim', 'start', '--port', '0', '--sftp-port', '0', '--data-dir', dataDir, '--json', ...flags],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulator did not start: ${stderr}`)), 15_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, ...(JSON.parse(line) as Omit<Started, 'child'>) });
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}): ${stderr}`)));
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a simulator with --data-dir killed with SIGKILL', () => {
  it.each([
    ['right after the first 201', 1],
    ['in the middle of the burst', 40],
    ['after the last 201, while processing', 120],
  ])(
    'delivers and receipts every acknowledged message exactly once after a restart (killed %s)',
    async (_when, killAfterAcks) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'dp-durability-'));
      try {
        const first = await startCli(dataDir);
        const sender = first.fixtures.systems.find(
          (system) => system.roles.includes('SENDER') && system.protocol === 'REST_PULL',
        );
        if (sender === undefined) throw new Error('no seeded PULL sender');
        const memos = await Promise.all(Array.from({ length: 120 }, () => letterTo({ cpr: '0101700001' })));
        const acknowledged = new Set<string>();
        let reached: () => void = () => {};
        const enoughAcknowledged = new Promise<void>((resolve) => {
          reached = resolve;
        });
        const sends = memos.map(async (memo) => {
          const uuid = memo.messageHeader.messageUUID;
          try {
            const response = await call(`${first.apiUrl}/memos/?memo-message-uuid=${uuid}`, {
              method: 'POST',
              apiKey: sender.apiKey,
              contentType: 'application/xml',
              body: serializeMemoToBytes(memo),
            });
            if (response.status === 201) acknowledged.add(uuid);
            if (acknowledged.size >= killAfterAcks) reached();
          } catch {
            // Cut off by the kill: not acknowledged, so no promise was made.
          }
        });
        await Promise.race([enoughAcknowledged, Promise.allSettled(sends)]);
        await killHard(first.child);
        await Promise.allSettled(sends);
        expect(acknowledged.size).toBeGreaterThan(0);

        const second = await startCli(dataDir);
        const receipts = async (): Promise<Array<{ messageUUID: string; receiptStatus: string }>> => {
          const response = await call(`${second.apiUrl}/receipts-bulk/?size=1000`, { apiKey: sender.apiKey });
          return (response.json as { receipts: Array<{ messageUUID: string; receiptStatus: string }> })
            .receipts;
        };
        await waitFor(async () => {
          const got = new Set((await receipts()).map((receipt) => receipt.messageUUID));
          return [...acknowledged].every((uuid) => got.has(uuid));
        }, 20_000);
        await new Promise((resolve) => setTimeout(resolve, 300));

        const mailbox = (await call(`${second.controlUrl}/mailboxes/0101700001/messages`)).json as Array<{
          messageUUID: string;
        }>;
        const all = await receipts();
        for (const uuid of acknowledged) {
          expect(
            mailbox.filter((entry) => entry.messageUUID === uuid),
            `mailbox entries of ${uuid}`,
          ).toHaveLength(1);
          const own = all.filter((receipt) => receipt.messageUUID === uuid);
          expect(
            own.map((receipt) => receipt.receiptStatus),
            `receipts of ${uuid}`,
          ).toEqual(['COMPLETED']);
        }
        // Messages cut off mid-request may exist or not, but never twice.
        expect(new Set(mailbox.map((entry) => entry.messageUUID)).size).toBe(mailbox.length);
        await killHard(second.child);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('the administration with --data-dir killed with SIGKILL', () => {
  it('keeps every change it acknowledged, and the employees and logins made before', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dp-durability-admin-'));
    try {
      const first = await startCli(dataDir);
      const portal = first.apiUrl.replace(/\/apis\/v1$/, '/portal/v1');
      const seeded = first.fixtures.employees.find((each) => each.organisationId === SEED_IDS.authority);
      if (seeded === undefined) throw new Error('no seeded employee of the authority');
      const json = (body: unknown) => ({ body: JSON.stringify(body), contentType: 'application/json' });
      const login = async (base: string, username: string, password: string): Promise<string> => {
        const response = await call(`${base}/login`, { method: 'POST', ...json({ username, password }) });
        expect(response.status, response.text).toBe(200);
        return (response.json as { value: string }).value;
      };
      const token = await login(portal, seeded.username, seeded.password);
      const bearer = { authorization: `Bearer ${token}` };
      const colleague = await call(`${portal}/employees`, {
        method: 'POST',
        headers: bearer,
        ...json({ username: 'kollega', password: 'kollega-1234', rights: ['CONTACT_ADMINISTRATOR'] }),
      });
      expect(colleague.status, colleague.text).toBe(201);
      const groups = `${first.apiUrl}/organisations/${SEED_IDS.authority}/contact-groups/`;
      const acknowledged: string[] = [];
      for (let i = 0; i < 20; i++) {
        const response = await call(groups, {
          method: 'POST',
          headers: bearer,
          ...json({ name: `Gruppe ${i}`, description: 'Oprettet før SIGKILL' }),
        });
        expect(response.status, response.text).toBe(201);
        acknowledged.push((response.json as { id: string }).id);
      }
      await killHard(first.child);

      const second = await startCli(dataDir);
      const listed = await call(
        `${second.apiUrl}/organisations/${SEED_IDS.authority}/contact-groups/?size=100`,
        { headers: bearer },
      );
      expect(listed.status, listed.text).toBe(200);
      const ids = (listed.json as { contactGroups: { id: string }[] }).contactGroups.map((group) => group.id);
      expect(ids).toEqual(expect.arrayContaining(acknowledged));
      const secondPortal = second.apiUrl.replace(/\/apis\/v1$/, '/portal/v1');
      expect(await login(secondPortal, 'kollega', 'kollega-1234')).toEqual(expect.any(String));
      await killHard(second.child);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a data folder', () => {
  it('is used by one simulator at a time', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dp-lock-'));
    try {
      const first = await startCli(dataDir);
      const second = spawn(
        process.execPath,
        [cli, 'sim', 'start', '--port', '0', '--sftp-port', '0', '--data-dir', dataDir, '--json'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(second);
      let stderr = '';
      second.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise((resolve) => second.once('exit', resolve));
      expect(code).toBe(1);
      // Under --json the one line is JSON too.
      expect(JSON.parse(stderr)).toEqual({
        error: {
          code: expect.any(String),
          message: expect.stringMatching(
            /^the data folder .* is in use by another simulator \(process \d+\)/,
          ),
        },
      });
      // A lock left behind by a killed simulator is taken over.
      await killHard(first.child);
      const third = await startCli(dataDir);
      await killHard(third.child);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('a manual clock with --data-dir', () => {
  it('resumes where it stood after SIGKILL, and what fell due later still comes at its time', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dp-clock-'));
    const post = (url: string, body: unknown) =>
      call(url, { method: 'POST', contentType: 'application/json', body: JSON.stringify(body) });
    try {
      const first = await startCli(dataDir, ['--clock', 'manual']);
      expect((await post(`${first.controlUrl}/clock/set`, { to: '2031-01-01T00:00:00Z' })).status).toBe(200);
      const sender = first.fixtures.systems.find(
        (system) => system.roles.includes('SENDER') && system.protocol === 'REST_PULL',
      );
      if (sender === undefined) throw new Error('no seeded PULL sender');
      // The slow mailbox gives its business receipt one hour after delivery.
      const memo = await letterTo({ cpr: '0101700006' });
      const uuid = memo.messageHeader.messageUUID;
      const sent = await call(`${first.apiUrl}/memos/?memo-message-uuid=${uuid}`, {
        method: 'POST',
        apiKey: sender.apiKey,
        contentType: 'application/xml',
        body: serializeMemoToBytes(memo),
      });
      expect(sent.status, sent.text).toBe(201);
      expect((await post(`${first.controlUrl}/clock/advance`, { by: 'PT30M' })).status).toBe(200);
      await killHard(first.child);

      const second = await startCli(dataDir, ['--clock', 'manual']);
      expect((await call(`${second.controlUrl}/clock`)).json).toEqual({
        now: '2031-01-01T00:30:00.000Z',
        mode: 'manual',
      });
      expect((await post(`${second.controlUrl}/clock/advance`, { by: 'PT30M' })).status).toBe(200);
      const receipts = (await call(`${second.apiUrl}/receipts-bulk/`, { apiKey: sender.apiKey })).json as {
        receipts: Array<{ messageUUID: string; receiptStatus: string; timeStamp: string }>;
      };
      expect(receipts.receipts).toEqual([
        expect.objectContaining({
          messageUUID: uuid,
          receiptStatus: 'COMPLETED',
          timeStamp: '2031-01-01T01:00:00.000Z',
        }),
      ]);
      await killHard(second.child);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
