/**
 * What a push or publish/subscribe scenario observed — the evidence its checks judge: the MeMos
 * NgDP delivered with what became of them at NgDP, every delivery NgDP made to the vendor's
 * endpoint and every call the vendor's system made to NgDP (from the simulator's transcript), the
 * answers to the suite's own hostile requests, the vendor's report, and whether the receiver
 * stayed up.
 */
import type { ReceiverProfile } from '../checks/receiver/ids.ts';
import type { MessageState } from '../runner/control.ts';
import type { HostileResult } from '../runner/hostile.ts';
import type { TranscriptEntry } from '../runner/transcript.ts';
import type { ReceiverScenario } from '../scenarios/receiver.ts';
import type { BuiltMemo } from '../scenarios/receiver-memos.ts';
import type { RecipientReportLine } from './recipient-report.ts';
import type { ReportProblem } from './vendor-report.ts';

/** NgDP's push timeout (docs/simulator.md, "Delivery retries"; the suite's NgDP keeps it). */
export const PUSH_TIMEOUT_MS = 30_000;

/** The vendor's report: every line and problem read so far in the run. */
export interface ReceiverReport {
  lines: readonly RecipientReportLine[];
  problems: readonly ReportProblem[];
}

/** A MeMo NgDP delivered in the scenario. */
export interface DeliveredMemo extends Omit<BuiltMemo, 'xml'> {
  /** Lower case. */
  messageUUID: string;
  /** Of the MeMo's bytes as NgDP pushes and serves them. */
  sha256: string;
  bytes: number;
  /** The message at NgDP after the scenario (its receipt status among it). */
  state: MessageState | undefined;
}

export interface ReceiverObservation {
  profile: ReceiverProfile;
  scenario: ReceiverScenario;
  systemId: string;
  endpoint: string;
  memos: DeliveredMemo[];
  /** NgDP's deliveries (PUSH memo / PUSH notification) of the scenario's MeMos, in order. */
  deliveries: TranscriptEntry[];
  /** The vendor system's calls to NgDP's API during the scenario, in order. */
  requests: TranscriptEntry[];
  hostile: HostileResult[];
  /** The whole report so far (one file for the run). */
  report: ReceiverReport;
  /** Report lines and problems that appeared during this scenario. */
  newLines: RecipientReportLine[];
  newProblems: ReportProblem[];
  /** Every messageUUID NgDP delivered or the suite named in the run so far (lower case). */
  knownUuids: ReadonlySet<string>;
  /** Whether the endpoint still took connections (and the `--run` process still ran) at the end. */
  alive: { ok: boolean; reason?: string };
  /** Wall clock, ms. */
  startedAt: number;
  endedAt: number;
}

/** The report's lines about `messageUUID`. */
export function linesOf(observation: ReceiverObservation, messageUUID: string): RecipientReportLine[] {
  const uuid = messageUUID.toLowerCase();
  return observation.report.lines.filter((line) => line.messageUUID === uuid);
}

/** NgDP's deliveries of `messageUUID`, in order. */
export function deliveriesOf(observation: ReceiverObservation, messageUUID: string): TranscriptEntry[] {
  const uuid = messageUUID.toLowerCase();
  return observation.deliveries.filter((entry) => entry.messageUUID?.toLowerCase() === uuid);
}
