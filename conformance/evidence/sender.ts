/**
 * What a sender scenario observed — the evidence its checks judge: the vendor's requests (from the
 * simulator's transcript), every message NgDP holds from it with its MeMo checked and tied to a
 * letter, the vendor's report, the adapter's exit, pushed receipts, and how simulator time moved.
 */
import { createHash } from 'node:crypto';
import type { Memo, MemoIssue } from '../../sdk/memo/types.ts';
import { validateMemo } from '../../sdk/memo/validate.ts';
import type { AdapterRun } from '../runner/adapter.ts';
import type { ClockLog } from '../runner/clock.ts';
import type { ControlClient, MessageState } from '../runner/control.ts';
import type { TranscriptEntry } from '../runner/transcript.ts';
import type { SenderScenario } from '../scenarios/sender.ts';
import type { SenderReport } from './vendor-report.ts';

/** A file of a letter, as the scenario file names it. */
export interface LetterFile {
  filename: string;
  path: string;
  sha256: string;
}

/** A letter as the vendor got it, with what the suite expects of it. */
export interface ScenarioLetter {
  ref: string;
  recipient: { idType: 'CPR' | 'CVR'; id: string };
  label: string;
  /** `YYYY-MM-DD`, a Danish date. */
  valueDate?: string;
  recall: boolean;
  /** NgDP should end up holding it. */
  arrives: boolean;
  errorCode?: string;
  document: LetterFile;
  attachments: LetterFile[];
}

/** A message NgDP holds from the vendor's system. */
export interface HeldMessage {
  messageUUID: string;
  state: MessageState;
  /** The validator's findings: schema and NgDP's rules (default settings). */
  issues: MemoIssue[];
  memo: Memo | undefined;
  /** `doNotDeliverUntilDate` exactly as written in the XML. */
  valueDateText: string | undefined;
  /** The letter whose main document it carries, if any. */
  letter: string | undefined;
  /** Simulator time (ms) its business receipt was made, if it was. */
  receiptMadeAt: number | undefined;
}

/**
 * What every sender profile observes of a scenario, whatever the channel (REST or SFTP): the
 * letters, the adapter's run and report, the messages NgDP holds, and how simulator time moved.
 * The checks shared by the sender profiles (checks/shared/) judge this much.
 */
export interface LettersObservation {
  systemId: string;
  deadlineMs: number;
  letters: ScenarioLetter[];
  adapter: AdapterRun;
  /** By messageUUID. */
  held: ReadonlyMap<string, HeldMessage>;
  report: SenderReport;
  clock: ClockLog;
  /** messageUUIDs the system sent in earlier scenarios of the run, with the scenario. */
  earlierUuids: ReadonlyMap<string, string>;
}

export interface SenderObservation extends LettersObservation {
  scenario: SenderScenario;
  receipts: 'pull' | 'push';
  /** The vendor's requests to NgDP's API, in order. */
  requests: TranscriptEntry[];
  /** Pull: the receipts NgDP still listed for the system after the adapter ended. */
  leftoverReceipts: Array<{ id?: string; messageUUID?: string; receiptStatus: string }> | undefined;
  /** The business receipts NgDP pushed to the system's receipt endpoint (push), as the transcript has them. */
  pushes: TranscriptEntry[];
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The raw text of `doNotDeliverUntilDate` in a MeMo's XML (whatever prefix), if present. */
export function valueDateTextOf(xml: Uint8Array): string | undefined {
  const text = Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength).toString('utf8');
  return /<(?:[\w.-]+:)?doNotDeliverUntilDate\b[^>]*>([^<]*)</.exec(text)?.[1];
}

/** The letter whose main document `memo` carries, by the document's bytes. */
function letterOf(memo: Memo | undefined, letters: readonly ScenarioLetter[]): string | undefined {
  const files = memo?.messageBody?.mainDocument.files ?? [];
  const hashes = new Set(files.map((file) => sha256(file.content)));
  return letters.find((letter) => hashes.has(letter.document.sha256))?.ref;
}

/**
 * The message NgDP holds under `messageUUID` from `systemId`, examined; undefined when it holds
 * none (or it is another system's).
 */
export async function examineHeld(
  control: ControlClient,
  messageUUID: string,
  systemId: string,
  letters: readonly ScenarioLetter[],
): Promise<HeldMessage | undefined> {
  const state = await control.message(messageUUID);
  if (state === undefined || state.senderSystemId !== systemId) return undefined;
  const made = state.events.find((event) => event.eventTag === 'BUSINESS_RECEIPT_CREATED');
  const receiptMadeAt = made === undefined ? undefined : Date.parse(made.eventTime);
  const xml = await control.memo(messageUUID).catch(() => undefined);
  if (xml === undefined)
    return {
      messageUUID,
      state,
      issues: [],
      memo: undefined,
      valueDateText: undefined,
      letter: undefined,
      receiptMadeAt,
    };
  const validation = validateMemo(xml);
  return {
    messageUUID,
    state,
    issues: validation.issues,
    memo: validation.memo,
    valueDateText: valueDateTextOf(xml),
    letter: letterOf(validation.memo, letters),
    receiptMadeAt,
  };
}

/** The messageUUID a request concerns: the transcript's, or the `{id}` of `/memos/{id}`. */
export function messageUUIDOf(entry: TranscriptEntry): string | null {
  if (entry.messageUUID !== null) return entry.messageUUID;
  if (!entry.operation.includes('/memos/{id}')) return null;
  const id = decodeURIComponent(entry.path.split('?')[0]?.split('/').filter(Boolean).at(-1) ?? '');
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id : null;
}
