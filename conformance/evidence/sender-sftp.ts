/**
 * What a sender-sftp scenario observed — the evidence its checks judge: the vendor's SFTP requests
 * and login attempts (from the simulator's transcript), the containers NgDP took from it and how many of their entries
 * were new, the entries it refused unread, the messages it holds, the receipt and error files left in the home after the adapter
 * ended, and the vendor's report.
 */
import type { TranscriptEntry } from '../runner/transcript.ts';
import type { SftpScenario } from '../scenarios/sender-sftp.ts';
import type { LettersObservation } from './sender.ts';

/** A container NgDP took (its `MEMO_MASS_SEND_RECEIVED` event), and what it added. */
export interface TakenContainer {
  transmissionId: string;
  /** When NgDP took it (simulator time, ISO). */
  at: string;
  /** Its entries. */
  entries: number;
  /** Entries that became messages of their own (`MEMO_EXTRACTED`): the rest NgDP held already. */
  fresh: number;
}

/**
 * A container entry NgDP refused before it became a message (misnamed, unreadable): its
 * `MEMO_SEND_VALIDATION_FAILED` event. Its messageUUID stays free, so NgDP holds nothing for it.
 */
export interface RefusedEntry {
  /** The messageUUID it named (inside it, else by its name), if any. */
  messageUUID: string | undefined;
  /** The container it came in. */
  containerTransmissionId: string;
  reason: string;
}

/** A file left in the vendor's home after the adapter ended. */
export interface LeftFile {
  /** Its path, e.g. `/out/receipts/<uuid>.json`. */
  path: string;
  messageUUID?: string;
  receiptStatus?: string;
}

export interface SftpObservation extends LettersObservation {
  scenario: SftpScenario;
  /** The vendor's SFTP requests, in the order they ended. */
  requests: TranscriptEntry[];
  containers: TakenContainer[];
  /** Container entries NgDP refused unread. */
  refusedEntries: RefusedEntry[];
  /** Receipt files still in `/out/receipts` after the adapter ended. */
  receiptsLeft: LeftFile[];
  /** Error files still in `/out/errors` after the adapter ended. */
  errorsLeft: LeftFile[];
  /** Error files that were in `/out/errors` when the adapter started (the scenario put them there). */
  errorsPlanted: string[];
}

/** A path as the server resolves it: from `/`, without `.`, `..` or repeated slashes. */
export function resolvedPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** A rename's `from` and `to`, resolved (the transcript writes `"<from> -> <to>"`). */
export function renameOf(entry: TranscriptEntry): { from: string; to: string } | undefined {
  if (entry.operation !== 'SFTP RENAME') return undefined;
  const [from, to] = entry.path.split(' -> ');
  return from === undefined || to === undefined
    ? undefined
    : { from: resolvedPath(from), to: resolvedPath(to) };
}

/** The transcript's operation of an SFTP login attempt (docs/simulator.md, "The transcript"). */
export const SFTP_LOGIN = 'SFTP LOGIN';

/** The uploads folder. */
export const INBOX = '/in';

/** Whether `path` (resolved) is a file NgDP takes when it is closed or renamed there: `/in/*.tar.lzma` or `/in/*.xml`. */
export function isFinalUpload(path: string): boolean {
  return path.startsWith(`${INBOX}/`) && /\.(tar\.lzma|xml)$/i.test(path);
}

/** Whether an entry is a request of `operation` whose path (resolved) starts with `folder/`. */
export const inFolder =
  (operation: string, folder: string) =>
  (entry: TranscriptEntry): boolean =>
    entry.operation === operation && resolvedPath(entry.path).startsWith(`${folder}/`);

/** The requests that took an upload: a rename to a final name, answered or with its answer lost after it was done. */
export function takingsOf(requests: readonly TranscriptEntry[]): TranscriptEntry[] {
  return requests.filter((entry) => {
    const rename = renameOf(entry);
    if (rename !== undefined)
      return isFinalUpload(rename.to) && (entry.status === 0 || entry.fault === 'drop-after');
    return (
      entry.operation === 'SFTP CLOSE' &&
      isFinalUpload(resolvedPath(entry.path)) &&
      (entry.status === 0 || entry.fault === 'drop-after')
    );
  });
}

/** A connection NgDP dropped (before or after doing the request). */
export const dropped = (entry: TranscriptEntry): boolean =>
  entry.fault === 'drop-before' || entry.fault === 'drop-after';

/** A request NgDP refused with SSH_FX_FAILURE by a fault rule. */
export const refused = (entry: TranscriptEntry): boolean => entry.fault === 'status';
