/**
 * An example to copy: unit tests of application code that uses DigitalPostClient, against the
 * in-process NgDP of `digitalpost/testing` — with msw, and with a dispatcher for code whose client
 * has its own (mutual TLS). Written as a user writes it: only the package's public entry points.
 */
import {
  type DigitalPostClient as Client,
  canReceiveDigitalPost,
  createLetter,
  DigitalPostClient,
  type Receipt,
} from 'digitalpost';
import { createDigitalPostHandlers, type DigitalPostHandlers, interceptUndici } from 'digitalpost/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// ---- The application code under test ------------------------------------------------------------

/** Sends a notice as Digital Post when the citizen can receive it; else says it must be printed. */
async function sendNotice(
  client: Client,
  cpr: string,
): Promise<{ channel: 'digital' | 'print'; id?: string }> {
  const contact = await client.contacts.lookup({ cpr });
  if (!canReceiveDigitalPost(contact)) return { channel: 'print' };
  const letter = await createLetter({
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient: { cpr },
    label: 'Your new health insurance card',
    document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'card.pdf' },
  });
  await client.memos.send(letter);
  return { channel: 'digital', id: letter.messageHeader.messageUUID };
}

/** How a sent notice ended, from NgDP's business receipts. */
async function outcomeOf(client: Client, messageUUID: string): Promise<Receipt['receiptStatus'] | undefined> {
  for await (const receipt of client.receipts.list()) {
    if (receipt.messageUUID === messageUUID) return receipt.receiptStatus;
  }
  return undefined;
}

// ---- The tests ------------------------------------------------------------------------------------

/** The seeded sender system that pulls its receipts (see the simulator's fixtures). */
function senderApiKey(ngdp: DigitalPostHandlers): string {
  const sender = ngdp.fixtures.systems.find((system) => system.name.includes('PULL'));
  if (sender === undefined) throw new Error('no PULL sender in the fixtures');
  return sender.apiKey;
}

describe('sendNotice, with msw', () => {
  let ngdp: DigitalPostHandlers;
  let server: ReturnType<typeof setupServer>;
  let restoreUndici: () => void;
  let client: Client;

  beforeAll(async () => {
    ngdp = await createDigitalPostHandlers();
    server = setupServer(...ngdp.handlers);
    server.listen({ onUnhandledFrame: 'error' });
    // DigitalPostClient speaks undici, which msw does not see by itself.
    restoreUndici = interceptUndici(server);
    // Exactly as in production, minus the certificate: no dispatcher, so undici's global one.
    client = new DigitalPostClient({ environment: 'test', apiKey: senderApiKey(ngdp) });
  });
  afterEach(async () => {
    server.resetHandlers();
    await ngdp.reset();
  });
  afterAll(async () => {
    restoreUndici();
    server.close();
    await ngdp.close();
  });

  it('sends the notice digitally to a registered citizen, and NgDP completes it', async () => {
    const sent = await sendNotice(client, '0101700001');
    await ngdp.settle();
    expect(sent.channel).toBe('digital');
    expect(await outcomeOf(client, sent.id ?? '')).toBe('COMPLETED');
  });

  it('puts the notice in the citizen’s mailbox', async () => {
    const sent = await sendNotice(client, '0101700001');
    await ngdp.settle();
    const mailbox = await ngdp.control<Array<{ messageUUID: string }>>(
      'GET',
      '/mailboxes/0101700001/messages',
    );
    expect(mailbox.map((entry) => entry.messageUUID)).toEqual([sent.id]);
  });

  it('asks for print for a citizen exempt from Digital Post', async () => {
    expect(await sendNotice(client, '0101700002')).toEqual({ channel: 'print' });
  });

  it('survives NgDP answering 503 once (the client retries)', async () => {
    await ngdp.control('POST', '/faults', { operation: 'POST /memos/', status: 503, times: 1 });
    const sent = await sendNotice(client, '0101700001');
    await ngdp.settle();
    expect(await outcomeOf(client, sent.id ?? '')).toBe('COMPLETED');
  });
});

describe('sendNotice, with a client that has its own dispatcher (as mutual TLS needs)', () => {
  let ngdp: DigitalPostHandlers;

  beforeAll(async () => {
    ngdp = await createDigitalPostHandlers();
  });
  afterAll(() => ngdp.close());

  it('sends the notice digitally when the client is given ngdp.dispatcher()', async () => {
    // In production: new DigitalPostClient({ environment: 'production', apiKey, tls: { pfx, passphrase } }).
    const client = new DigitalPostClient({
      environment: 'test',
      apiKey: senderApiKey(ngdp),
      dispatcher: ngdp.dispatcher(),
    });
    const sent = await sendNotice(client, '0101700001');
    await ngdp.settle();
    expect(await outcomeOf(client, sent.id ?? '')).toBe('COMPLETED');
  });
});
