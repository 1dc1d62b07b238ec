/**
 * Fault injection and chaos, in one place. Fault rules (`/simulator/v1/faults`) make chosen calls
 * into the simulator, SFTP requests, or deliveries the simulator makes fail or slow down — a number
 * of times, or with a probability. Chaos (`--chaos`, Pebble-style) adds random pressure: 503s on
 * `POST /memos/`, late business receipts, repeated pushes, random page sizes. The adapters ask one
 * question per call ({@link Faults.forCall}, {@link Faults.forSftp}); the engine asks the rest.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineContext } from './context.ts';
import type { PushOutcome } from './outbound.ts';
import { reject } from './rejections.ts';

/** Operations of deliveries the simulator makes. */
export const PUSH_OPERATIONS = ['PUSH memo', 'PUSH receipt', 'PUSH notification'] as const;

/** The SFTP requests a fault rule can name, as `"SFTP <REQUEST>"` (SFTP v3 request names). */
export const SFTP_REQUESTS = [
  'OPEN',
  'READ',
  'WRITE',
  'CLOSE',
  'FSTAT',
  'FSETSTAT',
  'STAT',
  'LSTAT',
  'SETSTAT',
  'OPENDIR',
  'READDIR',
  'REALPATH',
  'REMOVE',
  'RENAME',
] as const;

/** The operation of an SFTP request, e.g. `"SFTP RENAME"`. */
export type SftpOperation = `SFTP ${(typeof SFTP_REQUESTS)[number]}`;

const SFTP_OPERATIONS: readonly string[] = SFTP_REQUESTS.map((request) => `SFTP ${request}`);

/**
 * What an SFTP fault does to the request: `FAILURE` answers SSH_FX_FAILURE without doing it;
 * `DISCONNECT_BEFORE` closes the connection without doing it; `DISCONNECT_AFTER` does it, then
 * closes the connection instead of answering (the answer is lost: the client cannot know).
 */
export const SFTP_FAULTS = ['FAILURE', 'DISCONNECT_BEFORE', 'DISCONNECT_AFTER'] as const;

export type SftpFault = (typeof SFTP_FAULTS)[number];

/**
 * What a fault rule does to an HTTP call instead of answering it: `BEFORE` closes the connection
 * without doing it; `AFTER` does it, commits its effect, then closes the connection without an
 * answer (the lost answer a retrying client must survive).
 */
export const HTTP_DROPS = ['BEFORE', 'AFTER'] as const;

export type HttpDrop = (typeof HTTP_DROPS)[number];

export interface FaultRule {
  id: string;
  /**
   * `"METHOD /path-template"` relative to `/apis/v1` (e.g. `"POST /memos/"`), a PUSH operation, or
   * an SFTP request (`"SFTP RENAME"`).
   */
  operation: string;
  /** Only calls by (or deliveries to) this system. */
  systemId?: string;
  /** Answer with this status (calls) / treat the delivery as answered with it (pushes). */
  status?: number;
  /** Seconds the `Retry-After` header of a 503 or 429 answer says (calls; default 1 on a 503). */
  retryAfter?: number;
  /** Close the connection instead of answering (HTTP calls only). */
  drop?: HttpDrop;
  /** What happens to the SFTP request (SFTP operations only). */
  sftp?: SftpFault;
  /** Wait this long first (real milliseconds); with `drop: AFTER`, after doing the call. */
  delayMs?: number;
  /** Chance of applying to a matching call, 0–1 (default 1). */
  probability?: number;
  /** Apply to this many matching calls, then expire (default: no limit). */
  times?: number;
  /** Let this many matching calls through untouched first (default 0): e.g. the third WRITE of a session's uploads. */
  after?: number;
}

/** A problem with a submitted rule, for a 400 answer. */
export interface FaultRuleProblem {
  field: string;
  message: string;
  rejectedValue: unknown;
}

const OPERATION = /^(GET|POST|PUT|DELETE|PATCH) \/[A-Za-z0-9\-/{}._]*$/;
const FIELDS = [
  'operation',
  'systemId',
  'status',
  'retryAfter',
  'drop',
  'sftp',
  'delayMs',
  'probability',
  'times',
  'after',
];

export function checkFaultRule(
  input: unknown,
): { rule: Omit<FaultRule, 'id'> } | { problems: FaultRuleProblem[] } {
  const problems: FaultRuleProblem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { problems: [{ field: '', message: 'the body must be a JSON object', rejectedValue: input }] };
  }
  const body = input as Record<string, unknown>;
  const { operation, systemId, status, retryAfter, drop, sftp, delayMs, probability, times, after } = body;
  const isSftp = typeof operation === 'string' && SFTP_OPERATIONS.includes(operation);
  const isPush = (PUSH_OPERATIONS as readonly unknown[]).includes(operation);
  if (typeof operation !== 'string' || !(OPERATION.test(operation) || isPush || isSftp)) {
    problems.push({
      field: 'operation',
      message:
        'must be "METHOD /path" relative to /apis/v1 (e.g. "POST /memos/"), one of PUSH memo, PUSH receipt, PUSH notification, ' +
        `or "SFTP <request>" with a request of ${SFTP_REQUESTS.join(', ')}`,
      rejectedValue: operation,
    });
  }
  if (systemId !== undefined && typeof systemId !== 'string')
    problems.push({ field: 'systemId', message: 'must be a string', rejectedValue: systemId });
  if (status !== undefined && isSftp) {
    problems.push({
      field: 'status',
      message:
        'SFTP requests have no HTTP status: give sftp (FAILURE, DISCONNECT_BEFORE or DISCONNECT_AFTER)',
      rejectedValue: status,
    });
  } else if (status !== undefined) {
    // A call is answered with the status and an ErrorMessage: only an error status says that truly
    // (a 101 left the call hanging). A push is taken as answered with it: success or failure.
    const [lowest, meaning] = isPush
      ? [200, 'an HTTP status from 200 to 599']
      : [400, 'an error status from 400 to 599'];
    if (!(Number.isInteger(status) && (status as number) >= lowest && (status as number) <= 599))
      problems.push({ field: 'status', message: `must be ${meaning}`, rejectedValue: status });
  }
  if (retryAfter !== undefined) {
    if (isPush || isSftp || (status !== 503 && status !== 429)) {
      problems.push({
        field: 'retryAfter',
        message: 'applies only to calls into the simulator answered with status 503 or 429',
        rejectedValue: retryAfter,
      });
    } else if (
      !(Number.isInteger(retryAfter) && (retryAfter as number) >= 0 && (retryAfter as number) <= 3_600)
    ) {
      problems.push({
        field: 'retryAfter',
        message: 'must be an integer number of seconds from 0 to 3600',
        rejectedValue: retryAfter,
      });
    }
  }
  if (drop !== undefined) {
    if (isPush || isSftp) {
      problems.push({
        field: 'drop',
        message: isSftp
          ? 'applies to HTTP calls into the simulator only; SFTP requests take sftp (DISCONNECT_BEFORE, DISCONNECT_AFTER)'
          : 'applies to HTTP calls into the simulator only; a push takes status or delayMs',
        rejectedValue: drop,
      });
    } else if (!(HTTP_DROPS as readonly unknown[]).includes(drop)) {
      problems.push({
        field: 'drop',
        message: `must be one of ${HTTP_DROPS.join(', ')}`,
        rejectedValue: drop,
      });
    } else if (status !== undefined) {
      problems.push({
        field: 'drop',
        message: 'a dropped call gets no answer: give status or drop, not both',
        rejectedValue: drop,
      });
    }
  }
  if (
    delayMs !== undefined &&
    !(Number.isInteger(delayMs) && (delayMs as number) >= 0 && (delayMs as number) <= 600_000)
  ) {
    problems.push({
      field: 'delayMs',
      message: 'must be an integer from 0 to 600000',
      rejectedValue: delayMs,
    });
  }
  if (
    probability !== undefined &&
    !(typeof probability === 'number' && probability >= 0 && probability <= 1)
  ) {
    problems.push({
      field: 'probability',
      message: 'must be a number from 0 to 1',
      rejectedValue: probability,
    });
  }
  if (times !== undefined && !(Number.isInteger(times) && (times as number) >= 1)) {
    problems.push({ field: 'times', message: 'must be a positive integer', rejectedValue: times });
  }
  if (after !== undefined && !(Number.isInteger(after) && (after as number) >= 0)) {
    problems.push({ field: 'after', message: 'must be an integer from 0', rejectedValue: after });
  }
  if (sftp !== undefined) {
    if (!isSftp) {
      problems.push({
        field: 'sftp',
        message: 'applies to SFTP operations only ("SFTP <request>"); HTTP calls and pushes take status',
        rejectedValue: sftp,
      });
    } else if (!(SFTP_FAULTS as readonly unknown[]).includes(sftp)) {
      problems.push({
        field: 'sftp',
        message: `must be one of ${SFTP_FAULTS.join(', ')}`,
        rejectedValue: sftp,
      });
    }
  }
  // What the rule does: an SFTP request's fate, or the answer to an HTTP call or push.
  const effect = isSftp ? 'sftp' : 'status';
  if (body[effect] === undefined && drop === undefined && delayMs === undefined)
    problems.push({
      field: effect,
      message: isSftp || isPush ? `give ${effect}, delayMs or both` : 'give status or drop, delayMs, or both',
      rejectedValue: undefined,
    });
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) {
      problems.push({ field: key, message: 'is not a fault rule field', rejectedValue: body[key] });
    }
  }
  if (problems.length > 0) return { problems };
  return { rule: body as Omit<FaultRule, 'id'> };
}

/** What to do with a call into the simulator (after any delay its fault rule asked for first). */
export type CallVerdict =
  /** Serve it; `delayed` when a fault rule held it back first. */
  | { kind: 'proceed'; delayed: boolean }
  /** Answer with this status instead (an injected fault), with Retry-After when the rule says. */
  | { kind: 'answer'; status: number; retryAfter: number | undefined }
  /** Answer 503 as NgDP does when it cannot take a MeMo now (a fault rule, or chaos). */
  | { kind: 'unavailable'; retryAfter: number; chaos: boolean }
  /** Close the connection without doing the call. */
  | { kind: 'drop-before' }
  /** Do the call, then hold the answer `delayMs` and close the connection instead of sending it. */
  | { kind: 'drop-after'; delayMs: number };

/** What a fault rule did to a delivery: decided its outcome, or only delayed it (outcome undefined). */
export interface PushFault {
  fault: 'status' | 'delay';
  outcome: PushOutcome | undefined;
}

/** What a fault rule does to an SFTP request: a delay first, then the fault (none: serve it). */
export interface SftpVerdict {
  delayMs: number;
  fault: SftpFault | undefined;
}

/** The operation chaos answers with 503 now and then. */
const CHAOS_OPERATION = 'POST /memos/';
/** Seconds a 503's Retry-After says unless the fault rule says otherwise. */
const DEFAULT_RETRY_AFTER = 1;

export class Faults {
  private rules: FaultRule[] = [];
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  // ---------------------------------------------------------------- the rules

  /**
   * Adds a fault rule from its JSON form.
   *
   * @throws Rejection INVALID_FAULT_RULE naming every problem of the rule.
   */
  add(input: unknown): FaultRule {
    const checked = checkFaultRule(input);
    if ('problems' in checked) throw reject.invalidFaultRule(checked.problems);
    const stored = { id: this.context.newId(), ...checked.rule };
    this.rules.push(stored);
    return { ...stored };
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** @throws Rejection NOT_FOUND when there is no rule with this id. */
  remove(id: string): void {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    if (this.rules.length === before) throw reject.notFound(`no fault rule ${id}`);
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule that applies to this call, if any (counting it against `after`, then `times`). */
  private match(operation: string, systemId: string | undefined): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.operation !== operation) continue;
      if (rule.systemId !== undefined && rule.systemId !== systemId) continue;
      if (rule.after !== undefined && rule.after > 0) {
        rule.after -= 1;
        continue;
      }
      if (rule.probability !== undefined && this.context.random('fault-probability') >= rule.probability)
        continue;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) this.rules = this.rules.filter((other) => other !== rule);
      }
      return { ...rule };
    }
    return undefined;
  }

  // ---------------------------------------------------------------- the questions

  /**
   * What to do with a call into NgDP's API by `systemId` (`operation`: `"METHOD /path-template"`);
   * undefined for a call no system makes (Administrativ Adgang's, by an employee).
   * Resolves after the delay a fault rule asks for — except for `drop: AFTER`, whose delay comes
   * after the call is done (the verdict's `delayMs`).
   */
  async forCall(operation: string, systemId: string | undefined): Promise<CallVerdict> {
    const fault = this.match(operation, systemId);
    if (fault?.drop === 'AFTER') return { kind: 'drop-after', delayMs: fault.delayMs ?? 0 };
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.drop === 'BEFORE') return { kind: 'drop-before' };
    if (fault?.status !== undefined) {
      return operation === CHAOS_OPERATION && fault.status === 503
        ? { kind: 'unavailable', retryAfter: fault.retryAfter ?? DEFAULT_RETRY_AFTER, chaos: false }
        : { kind: 'answer', status: fault.status, retryAfter: fault.retryAfter };
    }
    const { rejectRate } = this.context.settings.chaos;
    if (operation === CHAOS_OPERATION && rejectRate > 0 && this.context.random('chaos-reject') < rejectRate)
      return { kind: 'unavailable', retryAfter: DEFAULT_RETRY_AFTER, chaos: true };
    return { kind: 'proceed', delayed: fault !== undefined };
  }

  /** What to do with an SFTP request of `systemId`, when a fault rule names it. */
  forSftp(operation: SftpOperation, systemId: string): SftpVerdict | undefined {
    const fault = this.match(operation, systemId);
    return fault === undefined ? undefined : { delayMs: fault.delayMs ?? 0, fault: fault.sftp };
  }

  /**
   * What a fault rule does to a delivery the simulator makes (`PUSH memo`, …), after its delay:
   * undefined without a rule; an `outcome` when the rule decides it (a status, or no answer when
   * the delay reaches the push timeout); none when it only delayed the delivery, to be made for real.
   */
  async forPush(
    operation: (typeof PUSH_OPERATIONS)[number],
    systemId: string,
  ): Promise<PushFault | undefined> {
    const fault = this.match(operation, systemId);
    if (fault === undefined) return undefined;
    const { pushTimeoutMs } = this.context.settings;
    const delay = fault.delayMs ?? 0;
    if (delay >= pushTimeoutMs) {
      await sleep(pushTimeoutMs);
      return {
        fault: 'delay',
        outcome: { ok: false, reason: `no answer within ${pushTimeoutMs} ms (injected fault)` },
      };
    }
    await sleep(delay);
    if (fault.status === undefined) return { fault: 'delay', outcome: undefined };
    return {
      fault: 'status',
      outcome:
        fault.status >= 200 && fault.status < 300
          ? { ok: true, status: fault.status }
          : { ok: false, status: fault.status, reason: `answered ${fault.status} (injected fault)` },
    };
  }

  // ---------------------------------------------------------------- chaos

  /** The page size a list uses: with random page sizes, a random one up to the one asked for. */
  pageSize(size: number): number {
    return this.context.settings.chaos.randomPageSizes
      ? 1 + Math.floor(this.context.random('page-size') * size)
      : size;
  }

  /** How much later a business receipt comes (simulator time, ms). */
  receiptDelay(): number {
    const max = this.context.settings.chaos.receiptDelayMaxMs;
    return max > 0 ? Math.floor(this.context.random('receipt-delay') * max) : 0;
  }

  /** Whether a successful push is made once more (at-least-once delivery). */
  repeatPush(): boolean {
    const rate = this.context.settings.chaos.duplicatePushRate;
    return rate > 0 && this.context.random('repeat-push') < rate;
  }
}
