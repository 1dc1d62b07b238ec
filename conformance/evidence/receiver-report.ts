/**
 * The recipient profiles' vendor report: one JSON line per MeMo the system durably took in,
 * `{"messageUUID","sha256","outcome":"ACCEPTED"|"REJECTED"}` (conformance.md, "Recipient profiles"),
 * one file for the whole run. Read strictly: a line that is not the protocol's shape is a problem
 * to report, not something to guess at.
 */
import { readFile } from 'node:fs/promises';
import type { ReportProblem } from './vendor-report.ts';

export const RECEIVER_OUTCOMES = ['ACCEPTED', 'REJECTED'] as const;
export type ReceiverOutcome = (typeof RECEIVER_OUTCOMES)[number];

/** One well-formed line. */
export interface ReceiverReportLine {
  /** 1-based line number in the file. */
  line: number;
  /** Lower case. */
  messageUUID: string;
  /** Lower-case hex. */
  sha256: string;
  outcome: ReceiverOutcome;
}

export interface ReceiverReport {
  lines: ReceiverReportLine[];
  problems: ReportProblem[];
}

const SHOWN = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;

function readLine(text: string, line: number): ReceiverReportLine | ReportProblem {
  const problem = (reason: string): ReportProblem => ({ line, text: text.slice(0, SHOWN), reason });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return problem('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return problem('not a JSON object');
  const { messageUUID, sha256, outcome } = value as Record<string, unknown>;
  if (typeof messageUUID !== 'string' || !UUID.test(messageUUID))
    return problem('"messageUUID" is missing or not a UUID');
  if (typeof sha256 !== 'string' || !SHA256.test(sha256))
    return problem('"sha256" is missing or not 64 hex digits');
  if (typeof outcome !== 'string' || !(RECEIVER_OUTCOMES as readonly string[]).includes(outcome))
    return problem(`"outcome" must be one of ${RECEIVER_OUTCOMES.join(', ')}`);
  return {
    line,
    messageUUID: messageUUID.toLowerCase(),
    sha256: sha256.toLowerCase(),
    outcome: outcome as ReceiverOutcome,
  };
}

/** Reads a recipient report file (missing: no lines). */
export async function readReceiverReport(path: string): Promise<ReceiverReport> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const report: ReceiverReport = { lines: [], problems: [] };
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const read = readLine(trimmed, index + 1);
    if ('reason' in read) report.problems.push(read);
    else report.lines.push(read);
  });
  return report;
}
