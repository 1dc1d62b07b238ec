/**
 * "Test connection": what survey and workflow platforms do when an administrator enters an API key
 * and a sender CVR. Send a verification letter to the administrator's own CPR number and wait for
 * its business receipt; report success, or the precise reason it failed — one the administrator can
 * act on, with a stable code for support.
 *
 * A letter, rather than a read-only call, because only a send proves everything at once: the key,
 * the system's SENDER role and activation, the allowed addresses, the sender CVR and the
 * administrator's mailbox.
 *
 * Run it:
 *
 *   npm run build && node examples/verify-connection.ts
 *
 * starts a local simulator and verifies its seeded sender system with test citizen 0101700001.
 * Against NgDP or your own simulator set DIGITALPOST_BASE_URL and DIGITALPOST_API_KEY (see
 * examples/environment.ts), DIGITALPOST_SENDER_CVR and DIGITALPOST_ADMINISTRATOR_CPR.
 */
import {
  ApiError,
  AuthenticationError,
  type BusinessReceipt,
  type ClientOptions,
  ConnectionError,
  DigitalPostClient,
  InvalidOptionsError,
  MemoValidationError,
  PermissionDeniedError,
  ServiceUnavailableError,
  TimeoutError,
  type WaitForReceiptOptions,
} from 'digitalpost';
import { createLetter, type Memo } from 'digitalpost/memo';
import { clientFromEnvironment, SEEDED_SYSTEMS, seededApiKey, withLocalSimulator } from './environment.ts';

/** What the administrator entered, plus where NgDP is. */
export interface ConnectionSettings {
  /** NgDP's API base URL; the platform would offer `environment: 'test' | 'production'` instead. */
  baseUrl: string;
  apiKey: string;
  senderCvr: string;
  /** The name letters are sent under. */
  senderName: string;
  /** Where the verification letter goes. */
  administratorCpr: string;
  /** The system's certificate, for NgDP's mutual TLS. */
  tls?: ClientOptions['tls'];
}

/** Why the verification failed; each asks something different of the administrator. */
export type FailureReason =
  /** A number or the key is malformed: nothing was sent. */
  | 'SETTINGS_INVALID'
  /** 401: NgDP does not know the key. */
  | 'API_KEY_REJECTED'
  /** 403: the key is right, but the system may not send (inactive, wrong role, address not allowed). */
  | 'SYSTEM_NOT_ALLOWED'
  /** No answer from NgDP: DNS, firewall, proxy, TLS, or a timeout. */
  | 'NGDP_UNREACHABLE'
  /** 503 even after retries: try again later. */
  | 'NGDP_UNAVAILABLE'
  /** NgDP answered with another error. */
  | 'NGDP_ERROR'
  /** NgDP took the letter, then refused it (INVALID / NOT_ALLOWED): `code` is the receipt's errorCode. */
  | 'LETTER_REJECTED'
  /** NgDP took the letter but no business receipt came in time. */
  | 'NO_RECEIPT';

export type VerificationResult =
  | {
      ok: true;
      messageUUID: string;
      /** When NgDP confirmed the letter delivered (the business receipt's timeStamp). */
      deliveredAt: string;
    }
  | {
      ok: false;
      reason: FailureReason;
      /** The precise code: NgDP's (`SYSTEM_NOT_ACTIVE`, `RECIPIENT_EXEMPT`, …) or the SDK's. */
      code: string;
      /** A sentence for the administrator. */
      message: string;
      /** Set once NgDP has the letter. */
      messageUUID?: string;
    };

type Failure = Extract<VerificationResult, { ok: false }>;

const failed = (reason: FailureReason, code: string, message: string, messageUUID?: string): Failure => ({
  ok: false,
  reason,
  code,
  message,
  ...(messageUUID === undefined ? {} : { messageUUID }),
});

/** What a failed call to NgDP means for the administrator. */
function callFailure(error: unknown): Failure {
  if (error instanceof AuthenticationError)
    return failed(
      'API_KEY_REJECTED',
      error.code,
      'Digital Post does not recognise the API key. Copy it again from Administrativ Adgang.',
    );
  if (error instanceof PermissionDeniedError)
    return failed(
      'SYSTEM_NOT_ALLOWED',
      error.code,
      `The API key is valid, but Digital Post does not let this system send letters: ${error.detail}`,
    );
  if (error instanceof ServiceUnavailableError)
    return failed(
      'NGDP_UNAVAILABLE',
      error.code,
      'Digital Post is temporarily unavailable. Try again later.',
    );
  if (error instanceof ApiError)
    return failed('NGDP_ERROR', error.code, `Digital Post answered: ${error.detail}`);
  if (error instanceof ConnectionError || error instanceof TimeoutError)
    return failed(
      'NGDP_UNREACHABLE',
      error.code,
      `Digital Post could not be reached (${error.message}). Check the network, proxy and firewall.`,
    );
  throw error;
}

const REJECTION_ADVICE: Record<string, string> = {
  RECIPIENT_EXEMPT:
    'The administrator is exempt from Digital Post; verify with the CPR number of someone who is not.',
  RECIPIENT_CLOSED: 'The CPR number has no open Digital Post mailbox.',
  RECIPIENT_UNKNOWN: 'Digital Post does not know the CPR number; check it.',
  RECIPIENT_NOT_REACHABLE: 'The administrator cannot receive Digital Post yet.',
};

export interface VerifyOptions {
  wait?: WaitForReceiptOptions;
  /** The client's retries; a connection test may prefer quick answers (`false`). */
  retry?: ClientOptions['retry'];
}

export async function verifyConnection(
  settings: ConnectionSettings,
  options: VerifyOptions = {},
): Promise<VerificationResult> {
  let client: DigitalPostClient;
  try {
    client = new DigitalPostClient({
      baseUrl: settings.baseUrl,
      apiKey: settings.apiKey,
      ...(settings.tls === undefined ? {} : { tls: settings.tls }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
    });
  } catch (error) {
    if (error instanceof InvalidOptionsError)
      return failed('SETTINGS_INVALID', 'CLIENT_SETTINGS_INVALID', error.message);
    throw error;
  }

  let memo: Memo;
  try {
    memo = await createLetter({
      sender: { cvr: settings.senderCvr, label: settings.senderName },
      recipient: { cpr: settings.administratorCpr },
      label: `Digital Post er forbundet til ${settings.senderName}`,
      document: {
        content: Buffer.from('Forbindelsen til Digital Post virker. Du behøver ikke gøre noget.\n'),
        filename: 'Forbindelsestest.txt',
      },
    });
  } catch (error) {
    // A malformed CVR or CPR number: the letter breaks NgDP's rules before anything is sent.
    if (error instanceof MemoValidationError) {
      const issue = error.issues[0];
      return failed(
        'SETTINGS_INVALID',
        issue?.code ?? error.code,
        `Check the settings: ${issue?.message ?? error.message}`,
      );
    }
    if (error instanceof InvalidOptionsError)
      return failed('SETTINGS_INVALID', 'SETTINGS_INVALID', error.message);
    throw error;
  }
  const messageUUID = memo.messageHeader.messageUUID;
  try {
    await client.memos.send(memo);
  } catch (error) {
    return callFailure(error);
  }

  let receipt: BusinessReceipt;
  try {
    receipt = await client.receipts.waitFor(messageUUID, options.wait);
  } catch (error) {
    // waitFor's TimeoutError: the wait ran out (failing polls are tried again until then). When its
    // last poll failed, that failure (NgDP unavailable, unreachable) is what to report.
    if (error instanceof TimeoutError && error.cause !== undefined)
      return { ...callFailure(error.cause), messageUUID };
    if (error instanceof TimeoutError)
      return failed(
        'NO_RECEIPT',
        'RECEIPT_TIMEOUT',
        'Digital Post accepted the letter but has not confirmed its delivery yet. Try again in a few minutes.',
        messageUUID,
      );
    return { ...callFailure(error), messageUUID };
  }
  if (receipt.receiptStatus !== 'COMPLETED') {
    const code = receipt.errorCode ?? receipt.receiptStatus;
    const advice =
      REJECTION_ADVICE[code] ?? `Digital Post refused the letter: ${receipt.errorMessage ?? code}.`;
    return failed('LETTER_REJECTED', code, advice, messageUUID);
  }
  return { ok: true, messageUUID, deliveredAt: receipt.timeStamp };
}

export async function main(
  settings: ConnectionSettings,
  options?: VerifyOptions,
): Promise<VerificationResult> {
  const result = await verifyConnection(settings, options);
  console.log(
    result.ok
      ? `connected: letter ${result.messageUUID} delivered`
      : `${result.reason} (${result.code}): ${result.message}`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fromEnvironment = clientFromEnvironment();
  const entered = {
    senderCvr: process.env.DIGITALPOST_SENDER_CVR ?? '12345678',
    senderName: 'Testkommune',
    administratorCpr: process.env.DIGITALPOST_ADMINISTRATOR_CPR ?? '0101700001',
  };
  if (fromEnvironment?.baseUrl !== undefined)
    await main({
      ...entered,
      baseUrl: fromEnvironment.baseUrl,
      apiKey: fromEnvironment.apiKey,
      tls: fromEnvironment.tls,
    });
  else
    await withLocalSimulator((simulator) =>
      main({ ...entered, baseUrl: simulator.apiUrl, apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.sender) }),
    );
}
