/**
 * A push recipient system's adapter for the conformance suite (`digitalpost conformance run
 * --profile recipient-push`): the suite starts it once, and it runs the system's endpoint — here
 * `createMemoReceiver` on `node:http` — until the suite stops it with SIGTERM. Each valid MeMo is
 * taken in once (a redelivery is known by its messageUUID and bytes, and remembered in a journal
 * that outlives a restart), answered 200 once taken, and confirmed with the business receipt
 * COMPLETED (sent again while NgDP refuses it); an invalid one is answered 200 and gets INVALID;
 * requests that are no push are refused with a 4xx. It writes one report line per MeMo it took in.
 *
 * Run it:
 *
 *   npm run build
 *   npx digitalpost conformance run --profile recipient-push \
 *     --endpoint http://127.0.0.1:8125/digitalpost/memos \
 *     --run "node examples/conformance-recipient-push.ts"
 *
 * The suite gives it (docs/conformance.md): DIGITALPOST_BASE_URL and DIGITALPOST_API_KEY (the
 * recipient system's, for the business receipts), DIGITALPOST_ENDPOINT (where to listen: the
 * `--endpoint` URL), DIGITALPOST_REPORT (where the report lines go) and DIGITALPOST_STATE_DIR (a
 * folder that lives for the whole run). A real adapter starts the vendor's own receiver instead:
 * the point is what the system does, not this file.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { join } from 'node:path';
import {
  type ClientOptions,
  createMemoReceiver,
  createNotificationReceiver,
  DigitalPostClient,
  type MemoReceiverOptions,
  type ReceivedMemo,
  type SeenStore,
} from 'digitalpost';

/** What the suite hands the adapter, read from its environment. */
export interface RecipientAdapterSettings {
  baseUrl: string;
  apiKey: string;
  /** Where to listen: the suite's `--endpoint`. */
  endpoint: URL;
  reportPath: string;
  stateDir: string;
}

export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): RecipientAdapterSettings {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '')
      throw new Error(`${name} is not set: run me from digitalpost conformance run`);
    return value;
  };
  return {
    baseUrl: need('DIGITALPOST_BASE_URL'),
    apiKey: need('DIGITALPOST_API_KEY'),
    endpoint: new URL(need('DIGITALPOST_ENDPOINT')),
    reportPath: need('DIGITALPOST_REPORT'),
    stateDir: need('DIGITALPOST_STATE_DIR'),
  };
}

/** A report line (docs/conformance.md, "Recipient profiles"). */
export interface RecipientReportLine {
  messageUUID: string;
  sha256: string;
  outcome: 'ACCEPTED' | 'REJECTED';
}

/**
 * The MeMos the system has handled, kept in a journal file (one key a line) so that a redelivery
 * after a restart is still known: what a database table does in a real system.
 */
export function journalSeenStore(path: string): SeenStore {
  const seen = new Set(
    existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
      : [],
  );
  return {
    has: (key) => seen.has(key),
    add(key) {
      seen.add(key);
      appendFileSync(path, `${key}\n`);
    },
  };
}

/** How a recipient system receives: NgDP pushes the MeMo, or notifies and the system fetches it. */
export type Receiving = 'push' | 'pubsub';

/** The parts of the adapter a system (or a test's deliberately broken adapter) may change. */
export interface RecipientAdapterOptions {
  receiving: Receiving;
  /** Client settings on top of the suite's (the client posts receipts and fetches notified MeMos). */
  client?: Partial<ClientOptions>;
  /** Receiver options on top of the adapter's. */
  receiver?: Partial<MemoReceiverOptions>;
  /** What the system does with a valid MeMo; default: keep it (here: report it). */
  onMemo?: (received: ReceivedMemo, report: (line: RecipientReportLine) => void) => void | Promise<void>;
  /** Changes the client once it is made (e.g. how it posts receipts). */
  adjustClient?: (client: DigitalPostClient) => void;
  /** Wraps the receiver's request handler. */
  wrap?: (handler: RequestListener) => RequestListener;
}

/** The running adapter. */
export interface RecipientAdapter {
  server: Server;
  client: DigitalPostClient;
  report(line: RecipientReportLine): void;
  close(): Promise<void>;
}

/** Starts the system's endpoint where the suite said; resolves once it listens. */
export async function startRecipientAdapter(
  settings: RecipientAdapterSettings,
  options: RecipientAdapterOptions,
): Promise<RecipientAdapter> {
  const client = new DigitalPostClient({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    timeoutMs: 20_000,
    ...options.client,
  });
  options.adjustClient?.(client);
  const report = (line: RecipientReportLine): void => {
    appendFileSync(settings.reportPath, `${JSON.stringify(line)}\n`);
  };
  const onMemo =
    options.onMemo ??
    ((received: ReceivedMemo) => {
      // A real system stores the MeMo durably here, then reports it.
      report({ messageUUID: received.messageUUID, sha256: received.sha256, outcome: 'ACCEPTED' });
    });
  const receiverOptions = {
    client,
    onMemo: (received: ReceivedMemo) => onMemo(received, report),
    seen: journalSeenStore(join(settings.stateDir, `seen-${options.receiving}.txt`)),
    onError: (error: unknown, context: { messageUUID?: string }) =>
      console.error(`receiver${context.messageUUID ? ` (${context.messageUUID})` : ''}: ${String(error)}`),
    ...options.receiver,
  };
  const receiver: RequestListener =
    options.receiving === 'push'
      ? createMemoReceiver(receiverOptions)
      : createNotificationReceiver(receiverOptions);
  const handler = options.wrap?.(receiver) ?? receiver;
  const path = settings.endpoint.pathname;
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === path) return handler(req, res);
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"code":"NOT_FOUND","message":"no such path"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(
      Number(settings.endpoint.port || 80),
      settings.endpoint.hostname.replace(/^\[|\]$/g, ''),
      resolve,
    );
  });
  return {
    server,
    client,
    report,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Runs the adapter until SIGTERM or SIGINT. */
export async function runRecipientAdapter(
  options: RecipientAdapterOptions,
  settings: RecipientAdapterSettings = settingsFromEnvironment(),
): Promise<RecipientAdapter> {
  const adapter = await startRecipientAdapter(settings, options);
  const stop = (): void => {
    void adapter.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return adapter;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRecipientAdapter({ receiving: 'push' });
}
