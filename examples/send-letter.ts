/**
 * Send a letter and wait for its business receipt: the everyday job of a sender system.
 *
 * `createLetter` builds the MeMo (and checks it against NgDP's rules), `client.memos.send` posts it
 * and resolves to NgDP's technical receipt (RECEIVED: NgDP has the letter). The business receipt
 * comes later — COMPLETED when the letter is in the recipient's mailbox, INVALID or NOT_ALLOWED with
 * an `errorCode` when NgDP refused it — so the sender pulls receipts until the letter's own arrives
 * or a timeout passes. Failures are handled by error class: what to tell the user, and whether the
 * same letter may be sent again.
 *
 * Run it:
 *
 *   npm run build && node examples/send-letter.ts
 *
 * starts a local simulator and writes to its test citizen 0101700001 as Testkommune (CVR 12345678).
 * Against NgDP or your own simulator set DIGITALPOST_BASE_URL and DIGITALPOST_API_KEY (see
 * examples/environment.ts), and DIGITALPOST_SENDER_CVR / DIGITALPOST_RECIPIENT_CPR if you like.
 */
import {
  ApiError,
  AuthenticationError,
  type BusinessReceipt,
  type ClientOptions,
  ConnectionError,
  DigitalPostClient,
  DuplicateMessageError,
  MemoValidationError,
  PermissionDeniedError,
  ServiceUnavailableError,
  TimeoutError,
  type WaitForReceiptOptions,
} from 'digitalpost';
import { createLetter } from 'digitalpost/memo';
import { clientFromEnvironment, SEEDED_SYSTEMS, seededApiKey, withLocalSimulator } from './environment.ts';

/** Why a letter was not sent, for the user and for deciding what to do next. */
export interface NotSent {
  sent: false;
  /** The error's class, e.g. `AuthenticationError`. */
  error: string;
  /** Its stable code: NgDP's (`SYSTEM_NOT_ACTIVE`, …) or the SDK's (`MEMO_INVALID`, `CONNECTION_FAILED`, …). */
  code: string;
  /** Whether sending the same MeMo (same messageUUID) later may succeed. */
  retryable: boolean;
  message: string;
}

export type SendLetterResult =
  | {
      sent: true;
      messageUUID: string;
      /** The business receipt's status, or `PENDING` when none came within the timeout. */
      receiptStatus: 'COMPLETED' | 'INVALID' | 'NOT_ALLOWED' | 'PENDING';
      errorCode?: string;
      errorMessage?: string;
    }
  | NotSent;

/** Turns what `createLetter` and `memos.send` throw into advice; rethrows what is not theirs. */
export function explainSendFailure(error: unknown): NotSent {
  const notSent = (code: string, retryable: boolean, message: string): NotSent => ({
    sent: false,
    error: (error as Error).name,
    code,
    retryable,
    message,
  });
  if (error instanceof MemoValidationError) {
    const issues = error.issues.map((issue) => `${issue.path}: ${issue.message} (${issue.code})`);
    return notSent(error.code, false, `the letter breaks NgDP's rules, fix it: ${issues.join('; ')}`);
  }
  if (error instanceof AuthenticationError) {
    return notSent(
      error.code,
      false,
      'NgDP does not accept the API key: copy it again from Administrativ Adgang',
    );
  }
  if (error instanceof PermissionDeniedError) {
    return notSent(error.code, false, `NgDP refuses this system (${error.code}): ${error.detail}`);
  }
  if (error instanceof DuplicateMessageError) {
    const original = error.originalReceipt?.timeStamp ?? 'an earlier send';
    return notSent(
      error.code,
      false,
      `messageUUID ${error.messageUUID} already names another letter (${original})`,
    );
  }
  if (error instanceof ServiceUnavailableError) {
    return notSent(error.code, true, 'NgDP is busy even after retries: send the same MeMo again later');
  }
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    // NgDP answers a repeat of a letter it already holds with the original receipt: a later retry
    // with the same MeMo (same messageUUID and bytes) never makes a second letter.
    return notSent(
      error.code,
      true,
      `NgDP could not be reached (${error.message}): send the same MeMo again later`,
    );
  }
  if (error instanceof ApiError) {
    const fields = error.fieldErrors.map((field) => `${field.field}: ${field.message}`).join('; ');
    return notSent(
      error.code,
      error.retryable,
      `NgDP refused the letter: ${error.detail}${fields ? ` (${fields})` : ''}`,
    );
  }
  throw error;
}

export interface SendLetterOptions {
  /** The sender system's client settings (`baseUrl` or `environment`, `apiKey`, `tls`, …). */
  client: ClientOptions;
  senderCvr?: string;
  senderName?: string;
  recipientCpr?: string;
  /** How to wait for the business receipt (timeout, poll interval, clock). */
  wait?: WaitForReceiptOptions;
}

export async function main(options: SendLetterOptions): Promise<SendLetterResult> {
  const client = new DigitalPostClient(options.client);
  let messageUUID: string;
  try {
    const memo = await createLetter({
      sender: { cvr: options.senderCvr ?? '12345678', label: options.senderName ?? 'Testkommune' },
      recipient: { cpr: options.recipientCpr ?? '0101700001' },
      label: 'Kvittering for din ansøgning',
      document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'Kvittering.pdf' },
    });
    messageUUID = memo.messageHeader.messageUUID;
    const technical = await client.memos.send(memo);
    console.log(`sent ${messageUUID}: ${technical.receiptStatus} at ${technical.timeStamp}`);
  } catch (error) {
    const failure = explainSendFailure(error);
    console.log(`not sent: ${failure.error} ${failure.code}: ${failure.message}`);
    return failure;
  }

  let receipt: BusinessReceipt;
  try {
    // Acknowledged (deleted at NgDP) as it is returned: this function is where it is handled.
    receipt = await client.receipts.waitFor(messageUUID, options.wait);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    // Not a failure: the letter is with NgDP. Its receipt will still come; your receipt loop gets it.
    console.log(`no business receipt yet for ${messageUUID}`);
    return { sent: true, messageUUID, receiptStatus: 'PENDING' };
  }
  const { receiptStatus, errorCode, errorMessage } = receipt;
  console.log(`business receipt: ${receiptStatus}${errorCode ? ` ${errorCode}: ${errorMessage}` : ''}`);
  return {
    sent: true,
    messageUUID,
    receiptStatus,
    ...(errorCode === undefined ? {} : { errorCode }),
    ...(errorMessage === undefined ? {} : { errorMessage }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fromEnvironment = clientFromEnvironment();
  const letter = {
    senderCvr: process.env.DIGITALPOST_SENDER_CVR,
    recipientCpr: process.env.DIGITALPOST_RECIPIENT_CPR,
  };
  if (fromEnvironment !== undefined) await main({ client: fromEnvironment, ...letter });
  else
    await withLocalSimulator((simulator) =>
      main({
        client: { baseUrl: simulator.apiUrl, apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.sender) },
        ...letter,
      }),
    );
}
