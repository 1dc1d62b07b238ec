/**
 * A recipient system NgDP pushes its post to: an express app with `createMemoReceiver` mounted at
 * the endpoint registered for the system in Administrativ Adgang.
 *
 * NgDP POSTs each MeMo there (multipart/form-data). The receiver reads and validates it and hands a
 * valid one to `onMemo`; once `onMemo` resolves it answers 200 and posts the business receipt
 * COMPLETED, which NgDP forwards to the sender. An invalid MeMo gets INVALID without reaching
 * `onMemo`. If `onMemo` throws, NgDP gets a 500 and delivers the MeMo again later, so a MeMo is
 * never confirmed before your system has it. Redeliveries of a handled MeMo are not handed over
 * twice.
 *
 * Run it:
 *
 *   npm run build && node examples/receive-push-express.ts
 *
 * starts a local simulator and this app, points the simulator's Testfirma ApS recipient system (CVR
 * 87654321) at the app (control API `PATCH /simulator/v1/systems/{id}`), sends it a letter from
 * Testkommune and prints what arrives and the receipt Testkommune gets. With DIGITALPOST_BASE_URL
 * and DIGITALPOST_API_KEY set to the recipient system's (see examples/environment.ts), it only
 * starts the app, on DIGITALPOST_PORT (default 8080), and handles what NgDP pushes until Ctrl-C.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientOptions, createMemoReceiver, DigitalPostClient, type ReceivedMemo } from 'digitalpost';
import { createLetter } from 'digitalpost/memo';
import express from 'express';
import { clientFromEnvironment, SEEDED_SYSTEMS, seededApiKey, withLocalSimulator } from './environment.ts';

export interface PushEndpointOptions {
  /** The recipient system's client settings: the receiver posts the business receipts with it. */
  client: ClientOptions;
  /** What your system does with a MeMo: archive it, start a case. Throw to have it delivered again. */
  onMemo: (received: ReceivedMemo) => void | Promise<void>;
  /** Port to listen on (default 0: any free port). */
  port?: number;
  host?: string;
}

export interface PushEndpoint {
  /** The URL to register as the system's endpoint. */
  url: string;
  close(): Promise<void>;
}

export const MEMO_PATH = '/digitalpost/memos';

/** Starts the app; resolves once it listens. */
export async function main(options: PushEndpointOptions): Promise<PushEndpoint> {
  const client = new DigitalPostClient(options.client);
  const app = express();
  // Mount the receiver before any body parser that would read multipart bodies.
  app.post(
    MEMO_PATH,
    createMemoReceiver({
      client,
      onMemo: options.onMemo,
      onError: (error, { messageUUID }) =>
        console.error(`digitalpost receiver${messageUUID ? ` (${messageUUID})` : ''}: ${String(error)}`),
    }),
  );
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, host);
    listening.once('listening', () => resolve(listening));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}${MEMO_PATH}`;
  console.log(`receiving MeMos on ${host}:${port} at ${MEMO_PATH}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The default handling of the direct run: say what came. */
const printMemo = ({ messageUUID, memo }: ReceivedMemo): void => {
  console.log(
    `received ${messageUUID}: "${memo.messageHeader.label}" from ${memo.messageHeader.sender.label}`,
  );
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const fromEnvironment = clientFromEnvironment();
  if (fromEnvironment !== undefined) {
    const endpoint = await main({
      client: fromEnvironment,
      onMemo: printMemo,
      host: '0.0.0.0',
      port: Number(process.env.DIGITALPOST_PORT ?? 8080),
    });
    process.once('SIGINT', () => void endpoint.close());
  } else
    await withLocalSimulator(async (simulator) => {
      const endpoint = await main({
        client: {
          baseUrl: simulator.apiUrl,
          apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.companyRecipient),
        },
        onMemo: printMemo,
      });
      try {
        // What you would set in Administrativ Adgang: protocol REST_PUSH and the endpoint.
        const patched = await fetch(`${simulator.controlUrl}/systems/${SEEDED_SYSTEMS.companyRecipient}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ protocol: 'REST_PUSH', endpoint: endpoint.url }),
        });
        if (!patched.ok) throw new Error(`the simulator refused the endpoint: ${await patched.text()}`);

        const sender = new DigitalPostClient({
          baseUrl: simulator.apiUrl,
          apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.sender),
        });
        const memo = await createLetter({
          sender: { cvr: '12345678', label: 'Testkommune' },
          recipient: { cvr: '87654321' },
          label: 'Påbud om fjernelse af affald',
          document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'Påbud.pdf' },
        });
        await sender.memos.send(memo);
        const receipt = await sender.receipts.waitFor(memo.messageHeader.messageUUID, {
          pollIntervalMs: 100,
          timeoutMs: 10_000,
        });
        console.log(`Testkommune's business receipt: ${receipt.receiptStatus}`);
      } finally {
        await endpoint.close();
      }
    });
}
