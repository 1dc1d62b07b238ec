/**
 * Issue 12, item 1 (the client's side of the reader fix): a MeMo whose label is tens of MB — served
 * by NgDP, or by something posing as it — no longer takes the process down. `inbox.fetch` reads it
 * with memory bounded by the label's limit, not by its size, and reports the label as too long, so
 * the recipient system can answer with an INVALID business receipt.
 */
import { afterEach, expect, test } from 'vitest';
import { serializeMemo } from '../../sdk/memo/writer.ts';
import { letterTo } from '../support/simulator.ts';
import { clientFor, peakRssGrowthMiB } from './client.ts';
import { type HostileServer, raw, startHostileServer } from './server.ts';

const MiB = 1024 * 1024;
const LABEL_BYTES = 40 * MiB;

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

test('inbox.fetch of a MeMo with a 40 MB label reports LABEL too long, in memory bounded by the body, not 36× it', async () => {
  const memo = await letterTo({ cvr: '87654321' }, { label: 'PLACEHOLDER-LABEL' });
  const xml = Buffer.from(serializeMemo(memo).replace('PLACEHOLDER-LABEL', 'x'.repeat(LABEL_BYTES)));
  server = await startHostileServer({
    'GET /memos/:id': raw(200, { 'content-type': 'application/xml' }, xml),
  });
  const { client } = clientFor(server);

  let issues: Array<{ path: string; code: string }> = [];
  const growth = await peakRssGrowthMiB(async () => {
    ({ issues } = await client.inbox.fetch(memo.messageHeader.messageUUID));
  });

  expect(issues).toContainEqual(
    expect.objectContaining({ path: 'MessageHeader/label', code: 'VALUE_TOO_LONG' }),
  );
  // The body itself (40 MB) is held once; the old reader needed ≈ 36 bytes per byte of label.
  expect(growth).toBeLessThan(4 * (LABEL_BYTES / MiB));
});
