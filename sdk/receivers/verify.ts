/**
 * Who may push: the receivers' `verify` hook, run on every request before anything of it is read,
 * and {@link requireClientCertificate}, the hook for NgDP's client certificate.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { InvalidOptionsError, ReceiverRefusal } from '../errors.ts';

/**
 * What a `verify` hook says about a caller: `true` lets the request through; `false` refuses it
 * with 403 `CALLER_NOT_ALLOWED`; `{ status: 401 }` with 401 `CALLER_UNAUTHENTICATED` (the caller did
 * not say who it is), `{ status: 403 }` with 403, each with your `message` if given (it goes to the
 * caller: name no secret).
 */
export type CallerVerdict = boolean | { status: 401 | 403; message?: string };

/**
 * Decides whether a request comes from NgDP, from the request alone (its TLS socket, a header your
 * TLS terminator sets), before its body is read. A hook that throws refuses the request with 500
 * `CALLER_CHECK_FAILED` (NgDP delivers again later) and its error goes to `onError`.
 */
export type VerifyCaller = (request: IncomingMessage) => CallerVerdict | Promise<CallerVerdict>;

/** Checks the `verify` option when a receiver is created. */
export function checkVerify(owner: string, verify: unknown): void {
  if (verify !== undefined && typeof verify !== 'function')
    throw new InvalidOptionsError(
      `${owner}: verify must be a function (request) => boolean | { status, message }`,
    );
}

/**
 * Runs the `verify` hook, if any.
 *
 * @throws ReceiverRefusal 401 `CALLER_UNAUTHENTICATED`, 403 `CALLER_NOT_ALLOWED`, or 500
 *   `CALLER_CHECK_FAILED` (the hook threw: its error is the cause).
 */
export async function verifyCaller(
  request: IncomingMessage,
  verify: VerifyCaller | undefined,
): Promise<void> {
  if (verify === undefined) return;
  let verdict: CallerVerdict;
  try {
    verdict = await verify(request);
  } catch (error) {
    throw new ReceiverRefusal(500, 'CALLER_CHECK_FAILED', 'the caller could not be checked', {
      cause: error,
    });
  }
  if (verdict === true) return;
  if (typeof verdict === 'object' && verdict !== null && verdict.status === 401) {
    throw new ReceiverRefusal(
      401,
      'CALLER_UNAUTHENTICATED',
      verdict.message ?? 'the caller is not authenticated',
    );
  }
  const message = typeof verdict === 'object' && verdict !== null ? verdict.message : undefined;
  throw new ReceiverRefusal(403, 'CALLER_NOT_ALLOWED', message ?? 'the caller may not push here');
}

/** Options of {@link requireClientCertificate}. */
export interface ClientCertificateOptions {
  /**
   * SHA-256 fingerprints of the certificates let through, as `openssl x509 -noout -fingerprint
   * -sha256` prints them (`AB:CD:…`; case and colons do not matter). List NgDP's next certificate
   * too before NgDP renews its own.
   */
  fingerprints: readonly string[];
}

const normalise = (fingerprint: string): string => fingerprint.replace(/:/g, '').toUpperCase();

/**
 * A `verify` hook that lets through only callers whose client certificate the TLS handshake
 * verified against your server's `ca` (`requestCert: true` on the `node:https` server) and whose
 * SHA-256 fingerprint is one of `fingerprints`: NgDP's own certificate. Without a verified
 * certificate (plain HTTP, none sent, or one the `ca` did not issue) the answer is 401; with another
 * certificate, 403 — OCES CAs issue certificates to every Danish organisation, so the CA alone
 * proves only that the caller is some organisation.
 *
 * @example
 * const verify = requireClientCertificate({ fingerprints: ['AB:CD:…'] });
 * createServer({ cert, key, ca: ngdpCa, requestCert: true, rejectUnauthorized: false },
 *   createMemoReceiver({ client, onMemo, verify })).listen(8443);
 *
 * @throws InvalidOptionsError when `fingerprints` is empty or holds something that is not a SHA-256 fingerprint.
 */
export function requireClientCertificate(options: ClientCertificateOptions): VerifyCaller {
  const fingerprints = options?.fingerprints;
  if (!Array.isArray(fingerprints) || fingerprints.length === 0)
    throw new InvalidOptionsError(
      'requireClientCertificate: fingerprints must list at least one SHA-256 fingerprint',
    );
  const allowed = new Set<string>();
  for (const fingerprint of fingerprints) {
    const hex = typeof fingerprint === 'string' ? normalise(fingerprint) : '';
    if (!/^[0-9A-F]{64}$/.test(hex))
      throw new InvalidOptionsError(
        `requireClientCertificate: ${JSON.stringify(fingerprint)} is not a SHA-256 fingerprint (AB:CD:… , 32 bytes)`,
      );
    allowed.add(hex);
  }
  return (request) => {
    const socket = request.socket as Partial<TLSSocket>;
    const certificate = socket.authorized === true ? socket.getPeerCertificate?.() : undefined;
    if (certificate?.fingerprint256 === undefined)
      return { status: 401, message: 'a client certificate issued by NgDP’s CA is required' };
    return allowed.has(normalise(certificate.fingerprint256))
      ? true
      : { status: 403, message: 'only NgDP may push here' };
  };
}
