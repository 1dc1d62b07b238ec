/**
 * The vendor's report file: one JSON line per letter (sender profiles), read strictly — a line
 * that is not the protocol's shape is a problem to report, not something to guess at.
 */
import { readFile } from 'node:fs/promises';

/** The outcomes of the protocol (conformance.md, "The vendor protocol"). */
export const SENDER_OUTCOMES = [
  'DELIVERED',
  'NOT_DELIVERED',
  'INVALID',
  'RECALLED',
  'PENDING',
  'FAILED',
] as const;

export type SenderOutcome = (typeof SENDER_OUTCOMES)[number];

/** One well-formed line. */
export interface SenderReportLine {
  /** 1-based line number in the file. */
  line: number;
  ref: string;
  messageUUID: string | null;
  outcome: SenderOutcome;
  receiptStatus?: string;
  errorCode?: string;
}

/** A line that is not one of the protocol's. */
export interface ReportProblem {
  line: number;
  text: string;
  reason: string;
}

export interface SenderReport {
  lines: SenderReportLine[];
  problems: ReportProblem[];
}

/** Lines longer than this are cut in problems. */
const SHOWN = 200;

function readLine(text: string, line: number, refs: ReadonlySet<string>): SenderReportLine | ReportProblem {
  const problem = (reason: string): ReportProblem => ({ line, text: text.slice(0, SHOWN), reason });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return problem('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return problem('not a JSON object');
  const fields = value as Record<string, unknown>;
  const { ref, messageUUID, outcome, receiptStatus, errorCode } = fields;
  if (typeof ref !== 'string') return problem('"ref" is missing or not a string');
  if (!refs.has(ref)) return problem(`"ref" ${JSON.stringify(ref)} is no letter of the scenario`);
  if (!(messageUUID === null || typeof messageUUID === 'string'))
    return problem('"messageUUID" must be a string or null');
  if (typeof outcome !== 'string' || !(SENDER_OUTCOMES as readonly string[]).includes(outcome))
    return problem(`"outcome" must be one of ${SENDER_OUTCOMES.join(', ')}`);
  if (receiptStatus !== undefined && typeof receiptStatus !== 'string')
    return problem('"receiptStatus" must be a string');
  if (errorCode !== undefined && typeof errorCode !== 'string')
    return problem('"errorCode" must be a string');
  return {
    line,
    ref,
    messageUUID,
    outcome: outcome as SenderOutcome,
    ...(receiptStatus === undefined ? {} : { receiptStatus }),
    ...(errorCode === undefined ? {} : { errorCode }),
  };
}

/** Reads a sender report file (missing: no lines). `refs` are the scenario's letters. */
export async function readSenderReport(path: string, refs: ReadonlySet<string>): Promise<SenderReport> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const report: SenderReport = { lines: [], problems: [] };
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const read = readLine(trimmed, index + 1, refs);
    if ('reason' in read) report.problems.push(read);
    else report.lines.push(read);
  });
  return report;
}
