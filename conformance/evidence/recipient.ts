/**
 * What a recipient scenario observed — the evidence its checks judge: the MeMos the suite put in
 * front of the vendor's system (with their SHA-256 as NgDP serves them and the business receipt NgDP
 * holds from the system for each), the system's requests (from the simulator's transcript), its
 * report lines, the spells in which nothing changed, and how its process stands.
 */
import type { MessageState } from '../runner/control.ts';
import type { ProcessState } from '../runner/recipient-adapter.ts';
import type { TranscriptEntry } from '../runner/transcript.ts';
import type { MemoGroup, MemoKind } from '../scenarios/recipient-memos.ts';
import type { RecipientReportLine } from './recipient-report.ts';
import type { ReportProblem } from './vendor-report.ts';

/** A MeMo the suite put in front of the vendor's system, and where it stands at the scenario's end. */
export interface OfferedMemo {
  /** `served`: a MeMo proxy mode saw NgDP serve, which the suite did not make. */
  kind: MemoKind | 'served';
  group: MemoGroup;
  /** Lower-cased: the id it is offered under. */
  messageUUID: string;
  /** NgDP would pass it on: the system must take it as valid. */
  valid: boolean;
  /** Bytes of XML. */
  size: number;
  /** SHA-256 of its bytes as NgDP serves (and pushes) them. */
  sha256: string;
  /** The scenario that offered it. */
  scenario: string;
  /** Wall clock (ms) from when the system could find it. */
  offeredAt: number;
  /** The business receipt NgDP holds from the system for it, if any. */
  receiptStatus: string | null;
  state: MessageState | undefined;
}

/** A wall-clock spell (ms). */
export interface Spell {
  from: number;
  to: number;
}

/** What one recipient scenario observed. */
export interface RecipientObservation<S> {
  scenario: S;
  systemId: string;
  /** The MeMos this scenario offered. */
  memos: OfferedMemo[];
  /** The MeMos earlier scenarios of the run offered, by messageUUID. */
  earlier: ReadonlyMap<string, OfferedMemo>;
  /** The system's requests to NgDP's API while the scenario ran, in the order they ended. */
  requests: TranscriptEntry[];
  /** The MeMos (lower-cased messageUUIDs) NgDP served the system (`GET /memos/{id}` 200) in earlier scenarios. */
  fetchedBefore: ReadonlySet<string>;
  report: {
    /** Lines first read while the scenario ran. */
    lines: RecipientReportLine[];
    problems: ReportProblem[];
    /** Lines read in earlier scenarios. */
    earlier: RecipientReportLine[];
  };
  /** Spells in which nothing reached the system's queue and nothing could change. */
  quiet: Spell[];
  /** When the suite answered every call 503, if the scenario has an outage. */
  outage: Spell | undefined;
  /** The seconds the suite's 503s say in `Retry-After`, as ms. */
  retryAfterMs: number;
  /** Wall clock (ms) the scenario started and ended. */
  startedAt: number;
  endedAt: number;
  deadlineMs: number;
  /** The adapter's process as the scenario ended (undefined: `--wait`, no process). */
  adapter: ProcessState | undefined;
}

/** Every line of the run so far (earlier ones first) for `messageUUID`. */
export function linesOf<S>(observation: RecipientObservation<S>, messageUUID: string): RecipientReportLine[] {
  const uuid = messageUUID.toLowerCase();
  return [...observation.report.earlier, ...observation.report.lines].filter(
    (line) => line.messageUUID === uuid,
  );
}
