/**
 * A recipient system's push endpoint that only NgDP can reach: `createMemoReceiver` in an express
 * app served by `node:https`, which demands a client certificate (`requestCert: true,
 * rejectUnauthorized: true`) issued by the CA of NgDP's certificate, and then lets through only
 * NgDP's own certificate, by its SHA-256 fingerprint.
 *
 * Why both: without a client certificate anyone who finds the endpoint can POST a MeMo under a real
 * messageUUID; the receiver hands it to `onMemo` and posts a business receipt for it. And the CA
 * alone is not enough: OCES CAs issue certificates to every Danish organisation, so a certificate
 * from that CA proves only that the caller is *some* organisation. The handshake refuses everyone
 * without a certificate from the CA; the fingerprint check answers 403 to everyone but NgDP.
 *
 * Behind a TLS terminator (nginx, a load balancer) the same two checks move there — `ssl_verify_client
 * on` with `ssl_client_certificate` set to NgDP's CA, and the fingerprint compared there or passed on
 * in a header the terminator sets and overwrites — and the app listens where only the terminator
 * reaches it (docs/sdk.md "Only NgDP may push").
 *
 * Run it:
 *
 *   npm run build && node examples/receive-push-mtls.ts
 *
 * starts a local simulator, makes throwaway certificates with openssl (examples/throwaway-certificates.ts),
 * has the simulator push with "NgDP's" certificate, points the simulator's Testfirma ApS recipient system
 * at this endpoint and sends it a letter; then shows that a caller without a certificate, and one
 * with another certificate from the same CA, get nowhere.
 */
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type ClientOptions, createMemoReceiver, DigitalPostClient, type ReceivedMemo } from 'digitalpost';
import { createLetter } from 'digitalpost/memo';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Agent, getGlobalDispatcher, request, setGlobalDispatcher } from 'undici';
import { SEEDED_SYSTEMS, seededApiKey, withLocalSimulator } from './environment.ts';
import { makeThrowawayCertificates } from './throwaway-certificates.ts';

export interface MutualTlsEndpointOptions {
  /** The recipient system's client settings: the receiver posts the business receipts with it. */
  client: ClientOptions;
  /** What your system does with a MeMo. Throw to have it delivered again. */
  onMemo: (received: ReceivedMemo) => void | Promise<void>;
  tls: {
    /** This endpoint's own certificate and key: the name NgDP connects to. */
    cert: Buffer | string;
    key: Buffer | string;
    /** The CA certificate(s) that issued NgDP's client certificate: the only ones accepted. */
    ngdpCa: Buffer | string;
    /**
     * SHA-256 fingerprints of NgDP's client certificates, as `openssl x509 -fingerprint -sha256`
     * prints them (`AB:CD:…`). List the next one too before NgDP renews its certificate.
     */
    ngdpFingerprints: readonly string[];
  };
  port?: number;
  host?: string;
}

export interface MutualTlsEndpoint {
  /** The URL to register as the system's endpoint. */
  url: string;
  close(): Promise<void>;
}

export const MEMO_PATH = '/digitalpost/memos';

/**
 * Express middleware that lets through only requests over a TLS connection whose verified client
 * certificate is one of `fingerprints`, and answers everything else 403.
 */
export function onlyFrom(fingerprints: readonly string[]) {
  const allowed = new Set(fingerprints.map((fingerprint) => fingerprint.toUpperCase()));
  return (req: Request, res: Response, next: NextFunction): void => {
    const socket = req.socket as Partial<TLSSocket>;
    const certificate = socket.authorized === true ? socket.getPeerCertificate?.() : undefined;
    if (certificate?.fingerprint256 !== undefined && allowed.has(certificate.fingerprint256.toUpperCase())) {
      next();
      return;
    }
    res.status(403).json({ code: 'CLIENT_NOT_ALLOWED', message: 'only NgDP may push here' });
  };
}

/** Starts the endpoint; resolves once it listens. */
export async function main(options: MutualTlsEndpointOptions): Promise<MutualTlsEndpoint> {
  const client = new DigitalPostClient(options.client);
  const app = express();
  app.post(
    MEMO_PATH,
    onlyFrom(options.tls.ngdpFingerprints),
    createMemoReceiver({
      client,
      onMemo: options.onMemo,
      onError: (error, { messageUUID }) =>
        console.error(`digitalpost receiver${messageUUID ? ` (${messageUUID})` : ''}: ${String(error)}`),
    }),
  );

  const server: Server = createServer(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      ca: options.tls.ngdpCa,
      requestCert: true, // ask every caller for a client certificate…
      rejectUnauthorized: true, // …and end the handshake without one from `ca`
      minVersion: 'TLSv1.2',
    },
    app,
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  console.log(`receiving MeMos on https://${host}:${port}${MEMO_PATH}, from NgDP's certificate only`);
  return {
    url: `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}${MEMO_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The SHA-256 fingerprint of a PEM certificate, as Node and openssl show it. */
export function fingerprintOf(pem: Buffer | string): string {
  return new X509Certificate(pem).fingerprint256;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const certificates = makeThrowawayCertificates();
  // The simulator pushes through undici's global dispatcher: give it "NgDP's" client certificate.
  const previous = getGlobalDispatcher();
  setGlobalDispatcher(
    new Agent({ connect: { ca: certificates.ca, cert: certificates.ngdp.cert, key: certificates.ngdp.key } }),
  );
  try {
    await withLocalSimulator(async (simulator) => {
      const endpoint = await main({
        client: {
          baseUrl: simulator.apiUrl,
          apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.companyRecipient),
        },
        onMemo: ({ messageUUID, memo }) =>
          console.log(`received ${messageUUID}: "${memo.messageHeader.label}"`),
        tls: {
          ...certificates.server,
          ngdpCa: certificates.ca,
          ngdpFingerprints: [fingerprintOf(certificates.ngdp.cert)],
        },
      });
      try {
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

        const withoutCertificate = new Agent({ connect: { ca: certificates.ca } });
        await request(endpoint.url, { method: 'POST', dispatcher: withoutCertificate }).then(
          (answer) => console.log(`without a certificate: ${answer.statusCode}`),
          (error: Error) => console.log(`without a certificate: refused in the handshake (${error.message})`),
        );
        const impostor = new Agent({
          connect: { ca: certificates.ca, cert: certificates.impostor.cert, key: certificates.impostor.key },
        });
        const answer = await request(endpoint.url, { method: 'POST', dispatcher: impostor });
        console.log(`another certificate from the same CA: ${answer.statusCode} ${await answer.body.text()}`);
      } finally {
        await endpoint.close();
      }
    });
  } finally {
    setGlobalDispatcher(previous);
  }
}
