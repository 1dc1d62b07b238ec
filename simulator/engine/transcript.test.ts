/**
 * The transcript (`engine.transcript`): entries as the adapters and pushes end their notes, the
 * ring of the last entries, reading by cursor and system, a reset, and where a caller's API key
 * showed — without ever keeping the key.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import { rejectionOf, SEED_IDS, START, testEngine } from '../../test/support/engine.ts';
import { DEFAULT_SEED, fixturesOf } from '../domain/seed.ts';
import type { IncomingCall } from './transcript.ts';

const SENDER = SEED_IDS.senderPull;
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** A wall clock that moves only when told to. */
function wallClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, move: (ms: number) => (now += ms) };
}

/** A call into NgDP's API, as the HTTP adapter describes it. */
function incoming(fields: Partial<IncomingCall> = {}): IncomingCall {
  return {
    operation: 'GET /receipts/',
    method: 'GET',
    path: '/apis/v1/receipts/',
    messageUUID: undefined,
    authorization: undefined,
    rawHeaders: ['Host', '127.0.0.1'],
    ...fields,
  };
}

describe('entries', () => {
  it('are appended when a call ends, with both clocks, its duration and what the adapter learnt', () => {
    const wall = wallClock();
    const { engine } = testEngine({ wallTime: wall.now });
    const note = engine.transcript.call(
      incoming({ operation: 'POST /memos/', method: 'POST', path: '/apis/v1/memos/' }),
    );
    note.systemId = SENDER;
    note.body(Buffer.from('<memo/>'));
    note.bodyEnd();
    wall.move(12);

    note.end(201);

    expect(engine.transcript.list().entries).toEqual([
      {
        seq: 1,
        at: START,
        wallAt: 1_700_000_000_000,
        direction: 'in',
        channel: 'http',
        systemId: SENDER,
        operation: 'POST /memos/',
        method: 'POST',
        path: '/apis/v1/memos/',
        status: 201,
        durationMs: 12,
        messageUUID: null,
        bodyBytes: 7,
        bodySha256: sha256('<memo/>'),
        code: null,
        fault: null,
        credentials: 'none',
      },
    ]);
  });

  it('are appended once, however often the call ends', () => {
    const { engine } = testEngine();
    const note = engine.transcript.call(incoming());

    note.end(null);
    note.end(200);

    expect(engine.transcript.list().entries).toMatchObject([{ status: null }]);
  });

  it('have no body size or hash when no body was read, and those of nothing for an empty one', () => {
    const { engine } = testEngine();
    engine.transcript.call(incoming()).end(200);
    const empty = engine.transcript.call(incoming());
    empty.bodyEnd();
    empty.end(200);

    expect(engine.transcript.list().entries).toMatchObject([
      { bodyBytes: null, bodySha256: null },
      { bodyBytes: 0, bodySha256: sha256('') },
    ]);
  });

  it('keep only the last transcriptSize entries', () => {
    const { engine } = testEngine({ settings: { transcriptSize: 3 } });

    for (let i = 0; i < 5; i++) engine.transcript.call(incoming()).end(200);

    expect(engine.transcript.list().entries.map((entry) => entry.seq)).toEqual([3, 4, 5]);
  });

  it('are forgotten on a reset, and numbering goes on after it', async () => {
    const { engine } = testEngine();
    engine.transcript.call(incoming()).end(200);

    await engine.reset();
    expect(engine.transcript.list()).toEqual({ entries: [], next: 0 });
    engine.transcript.call(incoming()).end(200);

    expect(engine.transcript.list().entries.map((entry) => entry.seq)).toEqual([2]);
  });
});

describe('reading', () => {
  function withEntries(count: number) {
    const harness = testEngine();
    for (let i = 0; i < count; i++) {
      const note = harness.engine.transcript.call(incoming());
      note.systemId = i % 2 === 0 ? SENDER : SEED_IDS.senderPush;
      note.end(200);
    }
    return harness.engine;
  }

  it('gives the entries after a sequence number, at most limit, and the last one as next', () => {
    const engine = withEntries(6);

    const page = engine.transcript.list({ after: 2, limit: 3 });

    expect(page.entries.map((entry) => entry.seq)).toEqual([3, 4, 5]);
    expect(page.next).toBe(5);
    expect(engine.transcript.list({ after: page.next }).entries.map((entry) => entry.seq)).toEqual([6]);
  });

  it('gives only the entries of a system when asked', () => {
    const engine = withEntries(6);

    const page = engine.transcript.list({ systemId: SEED_IDS.senderPush.toUpperCase() });

    expect(page.entries.map((entry) => entry.seq)).toEqual([2, 4, 6]);
  });

  it('answers nothing new with the cursor it was given', () => {
    const engine = withEntries(2);

    expect(engine.transcript.list({ after: 2 })).toEqual({ entries: [], next: 2 });
    expect(engine.transcript.list({ after: 40 })).toEqual({ entries: [], next: 40 });
  });

  it.each([
    ['a limit of 0', { limit: 0 }, 'limit'],
    ['a limit over 10,000', { limit: 10_001 }, 'limit'],
    ['a negative cursor', { after: -1 }, 'after'],
  ])('refuses %s: INVALID_PARAMETER', async (_case, query, field) => {
    const engine = withEntries(1);

    const rejection = await rejectionOf(() => engine.transcript.list(query));

    expect(rejection).toMatchObject({ code: 'INVALID_PARAMETER', fieldErrors: [{ field }] });
  });
});

describe('credentials', () => {
  const fixtures = fixturesOf(DEFAULT_SEED);
  const apiKey = fixtures.systems.find((system) => system.id === SENDER)?.apiKey as string;
  const secret = Buffer.from(apiKey, 'base64').toString('utf8').split(':')[1] as string;

  /** The entry of one call described by `fields`, whose body starts with `body`. */
  function entryOf(fields: Partial<IncomingCall>, body?: string) {
    const { engine } = testEngine();
    const note = engine.transcript.call(incoming(fields));
    if (body !== undefined) {
      note.body(Buffer.from(body));
      note.bodyEnd();
    }
    note.end(200);
    return engine.transcript.list().entries[0];
  }

  it('are in the Authorization header when the key shows nowhere else', () => {
    expect(entryOf({ authorization: `Basic ${apiKey}` })?.credentials).toBe('authorization');
  });

  it('are nowhere when there is no Authorization header and no key', () => {
    expect(entryOf({})?.credentials).toBe('none');
  });

  it('are elsewhere when the presented key is also in the query, which is kept without it', () => {
    const entry = entryOf({ authorization: `Basic ${apiKey}`, path: `/apis/v1/receipts/?key=${apiKey}` });

    expect(entry?.credentials).toBe('elsewhere');
    expect(entry?.path).toBe('/apis/v1/receipts/?key=[REDACTED]');
    expect(JSON.stringify(entry)).not.toContain(secret);
  });

  it('are elsewhere when the secret half is in another header', () => {
    const entry = entryOf({ authorization: `Basic ${apiKey}`, rawHeaders: ['X-Api-Secret', secret] });

    expect(entry?.credentials).toBe('elsewhere');
  });

  it('are elsewhere when the key is in the start of the body', () => {
    const entry = entryOf({ authorization: `Basic ${apiKey}` }, `{"apiKey":"${apiKey}"}`);

    expect(entry?.credentials).toBe('elsewhere');
  });

  it('are elsewhere, naming the system, for a real key sent only URL-encoded in the query', () => {
    const entry = entryOf({ path: `/apis/v1/receipts/?apiKey=${encodeURIComponent(apiKey)}` });

    expect(entry).toMatchObject({ credentials: 'elsewhere', systemId: SENDER });
    expect(entry?.path).not.toContain(secret);
    expect(entry?.path).not.toContain(apiKey.slice(0, 40));
  });

  it('are elsewhere for `systemId:secret` in a header of its own', () => {
    const entry = entryOf({ rawHeaders: ['X-Key', `${SENDER}:${secret}`] });

    expect(entry).toMatchObject({ credentials: 'elsewhere', systemId: SENDER });
  });

  it('do not count a key-shaped string that is no system key', () => {
    const fake = Buffer.from(`${SENDER}:00000000-0000-4000-8000-000000000000`).toString('base64');

    expect(entryOf({ path: `/apis/v1/receipts/?key=${fake}` })).toMatchObject({
      credentials: 'none',
      systemId: null,
    });
  });

  it('name the system a Basic header claims, when it exists, though the key is wrong', () => {
    const wrong = Buffer.from(`${SENDER}:00000000-0000-4000-8000-000000000000`).toString('base64');

    expect(entryOf({ authorization: `Basic ${wrong}` })).toMatchObject({
      credentials: 'authorization',
      systemId: SENDER,
    });
  });
});

describe('pushes', () => {
  it('are entries of the call the simulator made, with the MeMo as pushed', async () => {
    const { engine, letter, send } = testEngine();
    engine.systems.update(SEED_IDS.companyRecipient, {
      protocol: 'REST_PUSH',
      endpoint: 'https://user:password@company.example/memos',
    });
    const memo = await letter({ cvr: '87654321' });
    const xml = serializeMemoToBytes(memo);

    await send(memo);

    const pushes = engine.transcript.list({ systemId: SEED_IDS.companyRecipient }).entries;
    expect(pushes).toEqual([
      expect.objectContaining({
        direction: 'out',
        channel: 'http',
        operation: 'PUSH memo',
        method: 'POST',
        path: 'https://company.example/memos',
        status: 200,
        messageUUID: memo.messageHeader.messageUUID,
        bodyBytes: xml.byteLength,
        bodySha256: sha256(xml),
        fault: null,
        credentials: 'none',
      }),
    ]);
  });

  it('are entries also when a fault rule answered instead of the endpoint', async () => {
    const { engine, letter, send } = testEngine();
    engine.systems.update(SEED_IDS.companyRecipient, {
      protocol: 'REST_PUSH',
      endpoint: 'https://company.example/',
    });
    engine.faults.add({ operation: 'PUSH memo', status: 503, times: 1 });

    await send(await letter({ cvr: '87654321' }));

    expect(engine.transcript.list({ systemId: SEED_IDS.companyRecipient }).entries).toMatchObject([
      { operation: 'PUSH memo', status: 503, fault: 'status' },
    ]);
  });

  it('of a receipt carry its errorCode', async () => {
    const { engine, letter, send } = testEngine();
    engine.systems.update(SEED_IDS.senderPush, { receiptEndpoint: 'https://sender.example/receipts' });

    const { messageUUID } = await send(await letter({ cpr: '0101700003' }), SEED_IDS.senderPush);

    expect(engine.transcript.list({ systemId: SEED_IDS.senderPush }).entries).toMatchObject([
      { operation: 'PUSH receipt', messageUUID, code: 'RECIPIENT_CLOSED', status: 200 },
    ]);
  });
});
