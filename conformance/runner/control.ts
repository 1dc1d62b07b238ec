/**
 * The simulator's control API (`/simulator/v1`) over HTTP: the suite drives the simulator only
 * through it — reset, clock, faults, systems, inspection and the transcript — so that it does not
 * depend on the engine's internals and works the same against a simulator in a container.
 */
import { request } from 'undici';
import { ConformanceSetupError } from '../../sdk/errors.ts';
import type { FaultRule } from '../../simulator/index.ts';
import type { TranscriptPage } from './transcript.ts';

/** A fault rule as `POST /simulator/v1/faults` takes it (docs/simulator.md, "Faults"). */
export interface FaultRuleInput {
  operation: string;
  systemId?: string;
  status?: number;
  /** Seconds of `Retry-After` on a 503 or 429. */
  retryAfter?: number;
  delayMs?: number;
  probability?: number;
  times?: number;
  /** `/apis/v1` calls: `BEFORE` closes the connection unprocessed, `AFTER` once processed and committed. */
  drop?: 'BEFORE' | 'AFTER';
  /** SFTP requests (`"SFTP RENAME"`, …): refused, or the connection closed before or after doing it. */
  sftp?: 'FAILURE' | 'DISCONNECT_BEFORE' | 'DISCONNECT_AFTER';
  /** Let this many matching calls through first. */
  after?: number;
}

/** The simulator's time and the clock's mode, as `GET /simulator/v1/clock` shows them. */
export interface ClockState {
  now: string;
  mode: 'real' | 'manual';
}

/** A letter in a mailbox, as `GET /simulator/v1/mailboxes/{owner}/messages` lists it. */
export interface MailboxEntry {
  messageUUID: string;
  label?: string;
  messageType?: string;
  senderSystemId?: string;
  deliveredAt?: string;
  /** The control API's URL of the message and of its MeMo. */
  message: string;
  memo: string;
}

/** A contact's registration, as `PATCH /simulator/v1/contacts/{number}` answers. */
export interface ContactRegistration {
  id: string;
  cprNumber?: string;
  cvrNumber?: string;
  name: string;
  publicRegistrationStatus: string;
  registrationStatus: string;
  version: number;
  lastUpdated: string;
}

/** A system as `GET /simulator/v1/systems` lists it (the fields a caller picks one by). */
export interface SystemSummary {
  id: string;
  name: string;
  sshUsername: string | null;
}

/**
 * What the control API answered to a call it refused: the `cause` of the ConformanceSetupError,
 * for callers that report the simulator's own code (the CLI).
 */
export interface ControlRefusal {
  status: number;
  /** The `ErrorMessage`'s code, or `HTTP_<status>` without one. */
  code: string;
  /** The `ErrorMessage`'s message with its field errors, or the start of the body. */
  message: string;
}

/** Whether `cause` is a {@link ControlRefusal}. */
export function isControlRefusal(cause: unknown): cause is ControlRefusal {
  return (
    typeof cause === 'object' &&
    cause !== null &&
    typeof (cause as ControlRefusal).status === 'number' &&
    typeof (cause as ControlRefusal).code === 'string'
  );
}

function refusalOf(status: number, text: string): ControlRefusal {
  let answer: { code?: unknown; message?: unknown; fieldErrors?: unknown } | undefined;
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    answer = undefined;
  }
  const message = typeof answer?.message === 'string' ? answer.message : text.slice(0, 300);
  // Field errors the message does not already say.
  const fields = (Array.isArray(answer?.fieldErrors) ? answer.fieldErrors : [])
    .map((field: { field?: unknown; message?: unknown }) => ({
      field: String(field.field),
      message: String(field.message),
    }))
    .filter((field) => !message.includes(field.message))
    .map((field) => `${field.field}: ${field.message}`);
  return {
    status,
    code: typeof answer?.code === 'string' ? answer.code : `HTTP_${status}`,
    message: [message, ...fields].join('; '),
  };
}

/** A message as `GET /simulator/v1/messages/{messageUUID}` shows it. */
export interface MessageState {
  messageUUID: string;
  senderSystemId: string;
  state: string;
  receiptStatus: string | null;
  doNotDeliverUntilDate?: string;
  receivedAt?: string;
  deliveredAt?: string;
  recalledAt?: string;
  events: Array<{ eventTag: string; eventTime: string; message?: string }>;
  /** SHA-256 of the MeMo's bytes as `GET /apis/v1/memos/{id}` serves them and pushes send them. */
  sha256?: string | null;
  fetchedAt?: string;
}

/** A MeMo handed to a recipient system unchecked (`POST /simulator/v1/messages`). */
export interface InjectedMemo {
  memo: Uint8Array;
  messageUUID: string;
  senderSystemId: string;
  recipientSystemId: string;
}

const CALL_TIMEOUT_MS = 30_000;

/**
 * A typed client of the simulator's control API (`/simulator/v1`), for a simulator in this process,
 * another one or a container: the conformance suite and `digitalpost sim …` use it.
 *
 * Every call throws {@link ConformanceSetupError} when it fails: its `cause` is a
 * {@link ControlRefusal} (the simulator's status and code) when the simulator answered, else the
 * network error.
 */
export class ControlClient {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  /**
   * @param controlUrl the simulator's `…/simulator/v1` URL.
   * @param options.token the control API's bearer token (needed off loopback, or with `--control-token`).
   */
  constructor(controlUrl: string, options: { token?: string } = {}) {
    this.baseUrl = controlUrl.replace(/\/$/, '');
    this.headers = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
  }

  /** Back to the seed: messages, receipts, faults and the transcript gone; the clock stays. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  /** The simulator's time and the clock's mode. */
  async clock(): Promise<ClockState> {
    return (await this.call('GET', '/clock')) as ClockState;
  }

  /** Moves the manual clock on by an ISO 8601 duration (`P1D`, `PT90S`); resolves to the new state. */
  async advanceBy(duration: string): Promise<ClockState> {
    return (await this.call('POST', '/clock/advance', { by: duration })) as ClockState;
  }

  /** The simulator's time. */
  async now(): Promise<number> {
    const { now } = (await this.call('GET', '/clock')) as { now: string };
    return Date.parse(now);
  }

  /** Sets the manual clock (backwards just sets it; forwards runs what falls due). */
  async setClock(to: Date): Promise<number> {
    const { now } = (await this.call('POST', '/clock/set', { to: to.toISOString() })) as { now: string };
    return Date.parse(now);
  }

  /** Moves the manual clock on by `ms` (runs what falls due, in order); resolves to the new time. */
  async advance(ms: number): Promise<number> {
    const seconds = Math.max(0, Math.round(ms)) / 1000;
    const { now } = (await this.call('POST', '/clock/advance', { by: `PT${seconds}S` })) as { now: string };
    return Date.parse(now);
  }

  /** Adds a fault rule; resolves to it as the simulator keeps it (with its `id`). */
  async addFault(rule: FaultRuleInput): Promise<FaultRule> {
    return (await this.call('POST', '/faults', rule)) as FaultRule;
  }

  /** The active fault rules, with what is left of their `times`. */
  async faults(): Promise<FaultRule[]> {
    return (await this.call('GET', '/faults')) as FaultRule[];
  }

  /** Resolves once nothing is running and nothing is due in the simulator. */
  async settle(): Promise<void> {
    await this.call('POST', '/settle');
  }

  /** Hands a MeMo's bytes to a recipient system as they are, without NgDP's checks. */
  async inject(injected: InjectedMemo): Promise<void> {
    await this.call('POST', '/messages', {
      memo: Buffer.from(injected.memo.buffer, injected.memo.byteOffset, injected.memo.byteLength).toString(
        'base64',
      ),
      messageUUID: injected.messageUUID,
      senderSystemId: injected.senderSystemId,
      recipientSystemId: injected.recipientSystemId,
    });
  }

  /** Removes every fault rule. */
  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  /** Removes one fault rule. */
  async removeFault(id: string): Promise<void> {
    await this.call('DELETE', `/faults/${encodeURIComponent(id)}`);
  }

  /** What landed in the mailbox of a CPR or CVR number. */
  async mailbox(owner: string): Promise<MailboxEntry[]> {
    return (await this.call('GET', `/mailboxes/${encodeURIComponent(owner)}/messages`)) as MailboxEntry[];
  }

  /**
   * Changes the Digital Post registration of the contact registered under `number` (CPR or CVR):
   * its subscribers are notified.
   */
  async changeRegistration(
    number: string,
    change: { publicRegistrationStatus?: string; registrationStatus?: string },
  ): Promise<ContactRegistration> {
    return (await this.call(
      'PATCH',
      `/contacts/${encodeURIComponent(number)}`,
      change,
    )) as ContactRegistration;
  }

  /** Every system of the simulator. */
  async systems(): Promise<SystemSummary[]> {
    return (await this.call('GET', '/systems')) as SystemSummary[];
  }

  /** Registers an OpenSSH public key line for the system's SFTP user (each call adds a key). */
  async registerSshKey(
    systemId: string,
    publicKey: string,
  ): Promise<{ id: string; sshUsername: string | null; sshPublicKeys: number }> {
    return (await this.call('PUT', `/systems/${encodeURIComponent(systemId)}/ssh-key`, {
      text: publicKey,
    })) as { id: string; sshUsername: string | null; sshPublicKeys: number };
  }

  async patchSystem(systemId: string, change: Record<string, unknown>): Promise<void> {
    await this.call('PATCH', `/systems/${encodeURIComponent(systemId)}`, change);
  }

  /** The message NgDP holds under `messageUUID`, or undefined when it holds none. */
  async message(messageUUID: string): Promise<MessageState | undefined> {
    const found = await this.call('GET', `/messages/${encodeURIComponent(messageUUID)}`, undefined, [404]);
    return found as MessageState | undefined;
  }

  /** Every message the system sent (alone, in bulk containers or over SFTP), oldest first. */
  async messagesOf(senderSystemId: string): Promise<Array<Pick<MessageState, 'messageUUID'>>> {
    return (await this.call(
      'GET',
      `/messages?senderSystemId=${encodeURIComponent(senderSystemId)}`,
    )) as Array<Pick<MessageState, 'messageUUID'>>;
  }

  /** Pushes the message's MeMo (or its notification) to its recipient system once more, now. */
  async redeliver(messageUUID: string): Promise<void> {
    await this.call('POST', `/messages/${encodeURIComponent(messageUUID)}/redeliver`);
  }

  /** Pushes the message's last business receipt to its sender once more (at-least-once delivery). */
  async redeliverReceipt(messageUUID: string): Promise<void> {
    await this.call('POST', `/messages/${encodeURIComponent(messageUUID)}/receipt/redeliver`);
  }

  /** The MeMo XML NgDP holds under `messageUUID`. */
  async memo(messageUUID: string): Promise<Uint8Array> {
    const { statusCode, body } = await request(
      `${this.baseUrl}/messages/${encodeURIComponent(messageUUID)}/memo`,
      {
        headers: this.headers,
        headersTimeout: CALL_TIMEOUT_MS,
        bodyTimeout: CALL_TIMEOUT_MS,
      },
    );
    const bytes = new Uint8Array(await body.arrayBuffer());
    if (statusCode !== 200)
      throw new ConformanceSetupError(
        `the simulator's control API answered ${statusCode} to GET /messages/…/memo`,
        { cause: refusalOf(statusCode, Buffer.from(bytes).toString('utf8')) },
      );
    return bytes;
  }

  /** One page of the transcript: entries after `after` (a `seq`), at most `limit`. */
  async transcript(after: number, limit = 10_000): Promise<TranscriptPage> {
    return (await this.call('GET', `/transcript?after=${after}&limit=${limit}`)) as TranscriptPage;
  }

  /** `body`: JSON, or `{ text }` sent as text/plain. */
  private async call(
    method: string,
    path: string,
    body?: unknown,
    tolerated: readonly number[] = [],
  ): Promise<unknown> {
    const text =
      typeof body === 'object' && body !== null && 'text' in body && typeof body.text === 'string'
        ? body.text
        : undefined;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${this.baseUrl}${path}`, {
        method: method as 'GET',
        headers: {
          ...this.headers,
          ...(body === undefined
            ? {}
            : { 'content-type': text === undefined ? 'application/json' : 'text/plain' }),
        },
        ...(body === undefined ? {} : { body: text ?? JSON.stringify(body) }),
        headersTimeout: CALL_TIMEOUT_MS,
        bodyTimeout: CALL_TIMEOUT_MS,
      });
    } catch (error) {
      throw new ConformanceSetupError(
        `the simulator's control API cannot be reached (${method} ${path}): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const answer = await response.body.text();
    if (tolerated.includes(response.statusCode)) return undefined;
    if (response.statusCode >= 300)
      throw new ConformanceSetupError(
        `the simulator's control API answered ${response.statusCode} to ${method} ${path}: ${answer.slice(0, 300)}`,
        { cause: refusalOf(response.statusCode, answer) },
      );
    return answer === '' ? undefined : JSON.parse(answer);
  }
}
