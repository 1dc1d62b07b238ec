/**
 * The vendor report of the recipient profiles: one file for the whole run, one JSON line per MeMo
 * the system has durably taken in — `{"messageUUID","sha256","outcome":"ACCEPTED"|"REJECTED"}` —
 * read strictly: a line that is not the protocol's shape is a problem to report, not to guess at.
 */
import { readFile } from 'node:fs/promises';
import type { ReportProblem } from './vendor-report.ts';

/** The outcomes of the recipient protocol (conformance.md, "Recipient profiles"). */
export const RECIPIENT_OUTCOMES = ['ACCEPTED', 'REJECTED'] as const;

export type RecipientOutcome = (typeof RECIPIENT_OUTCOMES)[number];

/** One well-formed line. */
export interface RecipientReportLine {
  /** 1-based line number in the file. */
  line: number;
  /** Lower-cased. */
  messageUUID: string;
  /** Lower-cased hex. */
  sha256: string;
  outcome: RecipientOutcome;
  /** Wall clock (ms) when the suite first read the line. */
  seenAt: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
/** Lines longer than this are cut in problems. */
const SHOWN = 200;

/** One line of the file, read: a report line (without `seenAt`) or a problem. */
export function readRecipientLine(
  text: string,
  line: number,
): Omit<RecipientReportLine, 'seenAt'> | ReportProblem {
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
    return problem('"sha256" is missing or not 64 hexadecimal digits');
  if (typeof outcome !== 'string' || !(RECIPIENT_OUTCOMES as readonly string[]).includes(outcome))
    return problem(`"outcome" must be one of ${RECIPIENT_OUTCOMES.join(', ')}`);
  return {
    line,
    messageUUID: messageUUID.toLowerCase(),
    sha256: sha256.toLowerCase(),
    outcome: outcome as RecipientOutcome,
  };
}

/**
 * The run's report file, read again as it grows. A line counts once it ends with a newline (the
 * vendor may be writing the last one), or at the last read of the run.
 */
export class RecipientReportReader {
  private readonly path: string;
  readonly lines: RecipientReportLine[] = [];
  readonly problems: ReportProblem[] = [];
  private read = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Reads what was added since the last call; `final`: also a last line without its newline. */
  async more(final = false): Promise<{ lines: RecipientReportLine[]; problems: ReportProblem[] }> {
    const text = await readFile(this.path, 'utf8').catch(() => '');
    const pieces = text.split('\n');
    // The last piece is empty after a final newline, or a line still being written.
    const end = final ? pieces.length : pieces.length - 1;
    const added = { lines: [] as RecipientReportLine[], problems: [] as ReportProblem[] };
    const now = Date.now();
    for (let index = this.read; index < end; index++) {
      const trimmed = (pieces[index] ?? '').trim();
      if (trimmed === '') continue;
      const read = readRecipientLine(trimmed, index + 1);
      if ('reason' in read) added.problems.push(read);
      else added.lines.push({ ...read, seenAt: now });
    }
    // A final read in the middle of a run must not step over the empty piece after the last
    // newline: the next line written goes there.
    const complete = final && pieces.at(-1) === '' ? pieces.length - 1 : end;
    this.read = Math.max(this.read, complete);
    this.lines.push(...added.lines);
    this.problems.push(...added.problems);
    return added;
  }
}
