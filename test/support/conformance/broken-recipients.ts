/**
 * Deliberately broken push and publish/subscribe recipient adapters: each is the reference adapter
 * (examples/conformance-recipient-push.ts) with one mistake a real recipient system makes, so that
 * the suite can be shown to fail exactly the checks that mistake breaks — and to pass the rest.
 * Run as an adapter command:
 *
 *   node --import ./test/support/source-imports.ts test/support/conformance/broken-recipients.ts <profile> <kind>
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DigitalPostClient } from 'digitalpost';
import {
  type Receiving,
  type RecipientAdapterOptions,
  type RecipientAdapterSettings,
  runRecipientAdapter,
  settingsFromEnvironment,
} from '../../../examples/conformance-recipient-push.ts';
import { apiKeyInQuery } from './broken-senders.ts';

type Broken = (settings: RecipientAdapterSettings, receiving: Receiving) => Partial<RecipientAdapterOptions>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end('{}');
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A hand-made receiver that takes whatever comes in a part "file" (push), or whatever NgDP serves
 * for a notification (publish/subscribe), without looking at it: garbage is taken as a valid MeMo.
 */
function takesAnything(
  client: DigitalPostClient,
  report: (line: { messageUUID: string; sha256: string; outcome: 'ACCEPTED' }) => void,
  receiving: Receiving,
): RequestListener {
  const taken = new Set<string>();
  const take = async (messageUUID: string, bytes: Uint8Array): Promise<void> => {
    if (!taken.has(messageUUID)) {
      taken.add(messageUUID);
      report({ messageUUID, sha256: sha256(bytes), outcome: 'ACCEPTED' });
    }
    await client.inbox.complete(messageUUID).catch(() => undefined);
  };
  return (req, res) => {
    void (async () => {
      const type = req.headers['content-type'] ?? '';
      if (Number(req.headers['content-length'] ?? 0) > 200 * 1024 * 1024) return answer(res, 413);
      if (receiving === 'pubsub') {
        if (!type.startsWith('application/json')) return answer(res, 415);
        let messageUUID: unknown;
        try {
          messageUUID = (JSON.parse((await bodyOf(req)).toString()) as { messageUUID?: unknown }).messageUUID;
        } catch {
          return answer(res, 400);
        }
        if (typeof messageUUID !== 'string' || !UUID.test(messageUUID)) return answer(res, 400);
        const xml = await client.inbox.fetchXml(messageUUID).catch(() => undefined);
        if (xml === undefined) return answer(res, 502);
        answer(res, 200);
        return take(messageUUID, xml);
      }
      const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
      if (!type.startsWith('multipart/form-data') || boundary === undefined) return answer(res, 415);
      const body = await bodyOf(req);
      const text = body.toString('latin1');
      const head =
        /Content-Disposition: form-data; name="file"; filename="([^"]*)"\r\n(?:[^\r\n]+\r\n)*\r\n/i.exec(
          text,
        );
      if (head === null) return answer(res, 400);
      const start = head.index + head[0].length;
      const end = text.indexOf(`\r\n--${boundary}`, start);
      const content = body.subarray(start, end < 0 ? body.length : end);
      answer(res, 200);
      return take(head[1] ?? '', content);
    })().catch(() => answer(res, 500));
  };
}

/** Every 4xx the receiver would answer becomes a 500. */
const errorsOnRefusals =
  (handler: RequestListener): RequestListener =>
  (req, res) => {
    const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) =>
      writeHead(status >= 400 && status < 500 ? 500 : status, ...rest)) as typeof res.writeHead;
    handler(req, res);
  };

/** Once per messageUUID, onMemo throws first. */
function failsFirst(): Partial<RecipientAdapterOptions> {
  const failed = new Set<string>();
  return {
    onMemo: (received, report) => {
      if (!failed.has(received.messageUUID)) {
        failed.add(received.messageUUID);
        throw new Error('the archive is not ready');
      }
      report({ messageUUID: received.messageUUID, sha256: received.sha256, outcome: 'ACCEPTED' });
    },
  };
}

/** The first MeMo (only) is held for `ms` before it is taken. */
function holdsFirst(ms: number): Partial<RecipientAdapterOptions> {
  let first = true;
  return {
    onMemo: async (received, report) => {
      if (first) {
        first = false;
        await sleep(ms);
      }
      report({ messageUUID: received.messageUUID, sha256: received.sha256, outcome: 'ACCEPTED' });
    },
  };
}

/** Writes one line of its own when the first MeMo comes. */
const writesFirst =
  (line: string): Broken =>
  (settings) => {
    let written = false;
    return {
      onMemo: (received, report) => {
        if (!written) {
          written = true;
          appendFileSync(settings.reportPath, `${line}\n`);
        }
        report({ messageUUID: received.messageUUID, sha256: received.sha256, outcome: 'ACCEPTED' });
      },
    };
  };

const KINDS: Readonly<Record<string, Broken>> = {
  'takes-garbage': () => ({}),
  'errors-on-refusals': () => ({ wrap: errorsOnRefusals }),
  'fails-first-delivery': () => failsFirst(),
  'takes-twice': () => ({ receiver: { seen: { has: () => false, add: () => {} } } }),
  'no-receipts': () => ({
    adjustClient: (client) => {
      client.inbox.complete = async () => {};
      client.inbox.reject = async () => {};
    },
  }),
  'no-receipt-retry': () => ({ client: { retry: false }, receiver: { receiptRetry: false } }),
  slow: () => holdsFirst(31_000),
  sluggish: () => holdsFirst(6_000),
  'rejects-valid': () => ({
    adjustClient: (client) => {
      client.inbox.complete = (messageUUID) =>
        client.inbox.reject(messageUUID, { errorCode: 'NOT_WANTED', errorMessage: 'we take no post' });
    },
    onMemo: (received, report) =>
      report({ messageUUID: received.messageUUID, sha256: received.sha256, outcome: 'REJECTED' }),
  }),
  'wrong-hash': () => ({
    onMemo: (received, report) =>
      report({
        messageUUID: received.messageUUID,
        sha256: sha256(Buffer.concat([received.xml, Buffer.from('\n')])),
        outcome: 'ACCEPTED',
      }),
  }),
  'nine-attachments': () => ({ receiver: { validation: { maxAttachments: 9 } } }),
  'small-limit': (_settings, receiving) =>
    receiving === 'push'
      ? { receiver: { maxBytes: 20 * 1024 * 1024 } }
      : { client: { limits: { maxMemoBytes: 20 * 1024 * 1024 } } },
  'garbled-report': writesFirst('{"messageUUID": "not yet"}'),
  'reports-stranger': writesFirst(
    JSON.stringify({ messageUUID: randomUUID(), sha256: sha256(Buffer.from('x')), outcome: 'ACCEPTED' }),
  ),
  'crashes-on-wrong-type': (_settings, receiving) => ({
    wrap: (handler) => (req, res) => {
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith(receiving === 'push' ? 'multipart/' : 'application/json')) process.exit(1);
      handler(req, res);
    },
  }),
  'key-in-query': (settings) => ({ client: { dispatcher: apiKeyInQuery(settings.apiKey) } }),
  'unauthenticated-call': (settings) => {
    let called = false;
    return {
      onMemo: async (received, report) => {
        if (!called) {
          called = true;
          await fetch(`${settings.baseUrl}/memos/`).catch(() => undefined);
        }
        report({ messageUUID: received.messageUUID, sha256: received.sha256, outcome: 'ACCEPTED' });
      },
    };
  },
  'fetch-storm': () => {
    let client: DigitalPostClient | undefined;
    return {
      adjustClient: (made) => {
        client = made;
      },
      onMemo: async (received, report) => {
        for (let time = 0; time < 5; time++) await client?.inbox.fetchXml(received.messageUUID);
        report({ messageUUID: received.messageUUID, sha256: received.sha256, outcome: 'ACCEPTED' });
      },
    };
  },
  'never-fetches': () => ({}),
  'errors-on-repeats': () => {
    // Like a unique key in a database that fails the repeat instead of recognising it.
    const keys = new Set<string>();
    return {
      receiver: {
        seen: {
          has: (key) => {
            if (keys.has(key)) throw new Error(`duplicate key ${key}`);
            return false;
          },
          add: (key) => {
            keys.add(key);
          },
        },
      },
    };
  },
  'refetches-missing': () => ({
    adjustClient: (client) => {
      const fetchXml = client.inbox.fetchXml.bind(client.inbox);
      client.inbox.fetchXml = async (messageUUID, options) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await fetchXml(messageUUID, options);
          } catch (error) {
            if (attempt >= 6) throw error;
          }
        }
      };
    },
  }),
};

/** The kinds of broken recipient adapter this module plays. */
export const BROKEN_RECIPIENTS = Object.keys(KINDS);

if (import.meta.url === `file://${process.argv[1]}`) {
  const profile = process.argv[2];
  const kind = process.argv[3] ?? '';
  const broken = KINDS[kind];
  if (broken === undefined || (profile !== 'recipient-push' && profile !== 'recipient-pubsub'))
    throw new Error(`no broken recipient ${profile} ${kind}`);
  const receiving: Receiving = profile === 'recipient-push' ? 'push' : 'pubsub';
  const settings = settingsFromEnvironment();
  const options: RecipientAdapterOptions = { receiving, ...broken(settings, receiving) };
  if (kind === 'takes-garbage' || kind === 'never-fetches') {
    // The receiver is replaced by a hand-made one once the client exists.
    let replacement: RequestListener | undefined;
    options.adjustClient = (client) => {
      const report = (line: { messageUUID: string; sha256: string; outcome: 'ACCEPTED' }): void => {
        appendFileSync(settings.reportPath, `${JSON.stringify(line)}\n`);
      };
      replacement =
        kind === 'takes-garbage'
          ? takesAnything(client, report, receiving)
          : (req, res) => {
              // Answers at once, confirms and reports, and never fetches the MeMo.
              void bodyOf(req)
                .then(async (body) => {
                  const messageUUID = (JSON.parse(body.toString()) as { messageUUID: string }).messageUUID;
                  answer(res, 200);
                  report({ messageUUID, sha256: sha256(body), outcome: 'ACCEPTED' });
                  await client.inbox.complete(messageUUID).catch(() => undefined);
                })
                .catch(() => answer(res, 400));
            };
    };
    options.wrap = () => (req, res) => replacement?.(req, res);
  }
  await runRecipientAdapter(options, settings);
}
