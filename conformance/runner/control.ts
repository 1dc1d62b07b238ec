/**
 * The simulator's control API (`/simulator/v1`) over HTTP: the suite drives the simulator only
 * through it — reset, clock, faults, systems, inspection and the transcript — so that it does not
 * depend on the engine's internals and works the same against a simulator in a container.
 */
import { request } from 'undici';
import { ConformanceSetupError } from '../../sdk/errors.ts';
import type { TranscriptPage } from './transcript.ts';

/** A fault rule as `POST /simulator/v1/faults` takes it (docs/simulator.md, "Faults"). */
export interface FaultRuleInput {
  operation: string;
  systemId?: string;
  status?: number;
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
}

const CALL_TIMEOUT_MS = 30_000;

export class ControlClient {
  private readonly baseUrl: string;

  /** @param controlUrl the simulator's `…/simulator/v1` URL. */
  constructor(controlUrl: string) {
    this.baseUrl = controlUrl.replace(/\/$/, '');
  }

  /** Back to the seed: messages, receipts, faults and the transcript gone; the clock stays. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
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

  async addFault(rule: FaultRuleInput): Promise<void> {
    await this.call('POST', '/faults', rule);
  }

  /** Removes every fault rule. */
  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
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

  /** Pushes the message's last business receipt to its sender once more (at-least-once delivery). */
  async redeliverReceipt(messageUUID: string): Promise<void> {
    await this.call('POST', `/messages/${encodeURIComponent(messageUUID)}/receipt/redeliver`);
  }

  /** The MeMo XML NgDP holds under `messageUUID`. */
  async memo(messageUUID: string): Promise<Uint8Array> {
    const { statusCode, body } = await request(
      `${this.baseUrl}/messages/${encodeURIComponent(messageUUID)}/memo`,
      {
        headersTimeout: CALL_TIMEOUT_MS,
        bodyTimeout: CALL_TIMEOUT_MS,
      },
    );
    const bytes = new Uint8Array(await body.arrayBuffer());
    if (statusCode !== 200)
      throw new ConformanceSetupError(
        `the simulator's control API answered ${statusCode} to GET /messages/…/memo`,
      );
    return bytes;
  }

  /** One page of the transcript: entries after `after` (a `seq`), at most `limit`. */
  async transcript(after: number, limit = 10_000): Promise<TranscriptPage> {
    return (await this.call('GET', `/transcript?after=${after}&limit=${limit}`)) as TranscriptPage;
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    tolerated: readonly number[] = [],
  ): Promise<unknown> {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${this.baseUrl}${path}`, {
        method: method as 'GET',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
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
    const text = await response.body.text();
    if (tolerated.includes(response.statusCode)) return undefined;
    if (response.statusCode >= 300)
      throw new ConformanceSetupError(
        `the simulator's control API answered ${response.statusCode} to ${method} ${path}: ${text.slice(0, 300)}`,
      );
    return text === '' ? undefined : JSON.parse(text);
  }
}
