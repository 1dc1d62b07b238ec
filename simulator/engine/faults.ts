/**
 * Fault injection (`/simulator/v1/faults`): make chosen calls into the simulator, or deliveries the
 * simulator makes, fail or slow down — a number of times, or with a probability.
 */
import { randomUUID } from 'node:crypto';

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
  /** What happens to the SFTP request (SFTP operations only). */
  sftp?: SftpFault;
  /** Wait this long first (real milliseconds). */
  delayMs?: number;
  /** Chance of applying to a matching call, 0–1 (default 1). */
  probability?: number;
  /** Apply to this many matching calls, then expire (default: no limit). */
  times?: number;
}

/** A problem with a submitted rule, for a 400 answer. */
export interface FaultRuleProblem {
  field: string;
  message: string;
  rejectedValue: unknown;
}

const OPERATION = /^(GET|POST|PUT|DELETE|PATCH) \/[A-Za-z0-9\-/{}._]*$/;

export function checkFaultRule(
  input: unknown,
): { rule: Omit<FaultRule, 'id'> } | { problems: FaultRuleProblem[] } {
  const problems: FaultRuleProblem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { problems: [{ field: '', message: 'the body must be a JSON object', rejectedValue: input }] };
  }
  const body = input as Record<string, unknown>;
  const { operation, systemId, status, sftp, delayMs, probability, times } = body;
  const isSftp = typeof operation === 'string' && SFTP_OPERATIONS.includes(operation);
  if (
    typeof operation !== 'string' ||
    !(OPERATION.test(operation) || (PUSH_OPERATIONS as readonly string[]).includes(operation) || isSftp)
  ) {
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
  } else if (
    status !== undefined &&
    !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599)
  ) {
    problems.push({
      field: 'status',
      message: 'must be an HTTP status code (100–599)',
      rejectedValue: status,
    });
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
  if (body[effect] === undefined && delayMs === undefined)
    problems.push({ field: effect, message: `give ${effect}, delayMs or both`, rejectedValue: undefined });
  for (const key of Object.keys(body)) {
    if (!['operation', 'systemId', 'status', 'sftp', 'delayMs', 'probability', 'times'].includes(key)) {
      problems.push({ field: key, message: 'is not a fault rule field', rejectedValue: body[key] });
    }
  }
  if (problems.length > 0) return { problems };
  return { rule: body as Omit<FaultRule, 'id'> };
}

export class Faults {
  private rules: FaultRule[] = [];
  private readonly random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  add(rule: Omit<FaultRule, 'id'>): FaultRule {
    const stored = { id: randomUUID(), ...rule };
    this.rules.push(stored);
    return { ...stored };
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule that applies to this call, if any (counting it against `times`). */
  match(operation: string, systemId: string | undefined): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.operation !== operation) continue;
      if (rule.systemId !== undefined && rule.systemId !== systemId) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) this.remove(rule.id);
      }
      return { ...rule };
    }
    return undefined;
  }
}
