/** Uploads: written under a temporary name and renamed, readable, each container once, nothing left behind. */
import {
  INBOX,
  inFolder,
  isFinalUpload,
  renameOf,
  resolvedPath,
  SFTP_LOGIN,
  type SftpObservation,
  takingsOf,
} from '../../evidence/sender-sftp.ts';
import type { Check, Failure } from '../../model.ts';
import type { TranscriptEntry } from '../../runner/transcript.ts';
import { failure, judged, note } from '../shared/support.ts';
import { CLAUSES, requestEvidence, sftpCheck } from './support.ts';

/** Error-file codes that are not about the upload itself: NgDP could not take it now. */
const NOT_THE_UPLOAD = new Set(['SERVICE_UNAVAILABLE', 'SYSTEM_NOT_ACTIVE']);

/** Files opened in /in under a temporary name, by path: the last time each was opened. */
function temporaryFiles(requests: readonly TranscriptEntry[]): Map<string, TranscriptEntry> {
  const opened = new Map<string, TranscriptEntry>();
  for (const entry of requests.filter(inFolder('SFTP OPEN', INBOX))) {
    const path = resolvedPath(entry.path);
    if (!isFinalUpload(path) && entry.status === 0) opened.set(path, entry);
  }
  return opened;
}

/** Whether `path` left /in after `since`: renamed away or removed. */
function gone(requests: readonly TranscriptEntry[], path: string, since: number): boolean {
  return requests.some((entry) => {
    if (entry.seq <= since) return false;
    if (entry.operation === 'SFTP REMOVE') return resolvedPath(entry.path) === path && entry.status === 0;
    const rename = renameOf(entry);
    return rename?.from === path && (entry.status === 0 || entry.fault === 'drop-after');
  });
}

export const uploadChecks: Check<SftpObservation>[] = [
  sftpCheck(
    'upload.temp-name',
    'MUST',
    'Uploads are written under a temporary name (such as name.part) and renamed: no file is opened under a final name (.tar.lzma, .xml) in /in',
    CLAUSES.atomic,
    ({ requests }) => {
      const direct = requests.filter(
        (entry) => inFolder('SFTP OPEN', INBOX)(entry) && isFinalUpload(resolvedPath(entry.path)),
      );
      return judged(
        takingsOf(requests).length > 0 || direct.length > 0,
        direct.length === 0
          ? []
          : [
              failure(
                `${direct.length} upload${direct.length === 1 ? ' was' : 's were'} written under a final name, which NgDP may take half-written`,
                direct.slice(0, 10).map((entry) => requestEvidence(entry, 'opened under its final name')),
              ),
            ],
      );
    },
  ),
  sftpCheck(
    'upload.readable',
    'MUST',
    'Every upload NgDP takes is a readable .tar.lzma container with entries (or a single MeMo): none earns an error file',
    CLAUSES.sftp,
    ({ requests }) => {
      const takings = takingsOf(requests);
      return judged(
        takings.length > 0,
        takings
          .filter((entry) => entry.code !== null && !NOT_THE_UPLOAD.has(entry.code))
          .map((entry) =>
            failure(`NgDP did not take ${entry.path.split(' -> ').at(-1)}: ${entry.code}`, [
              requestEvidence(entry, `error file: ${entry.code}`),
            ]),
          ),
      );
    },
  ),
  sftpCheck(
    'upload.entries-named',
    'MUST',
    'Each container entry is a MeMo named <messageUUID>.xml after its own messageUUID',
    CLAUSES.sftp,
    ({ held, refusedEntries }) =>
      judged(
        held.size > 0 || refusedEntries.length > 0,
        refusedEntries.map((entry) =>
          failure(
            `NgDP could not take the container entry${entry.messageUUID === undefined ? '' : ` for ${entry.messageUUID}`}: it was refused unread`,
            [note(entry.reason, entry.messageUUID)],
          ),
        ),
      ),
  ),
  sftpCheck(
    'upload.no-resend',
    'MUST',
    'A container NgDP took is never uploaded again: not after a lost answer, not after reconnecting',
    CLAUSES.resend,
    ({ containers, requests, refusedEntries }) => {
      // Entries NgDP refused unread did not become messages either: upload.entries-named judges them.
      const refusedUnread = refusedEntries.length;
      const notNew = containers.reduce((sum, container) => sum + container.entries - container.fresh, 0);
      const repeats: Failure[] =
        notNew <= refusedUnread
          ? []
          : [
              failure(
                `NgDP took containers with ${notNew - refusedUnread} entries it held already`,
                containers
                  .filter((container) => container.fresh < container.entries)
                  .map((container) =>
                    note(
                      `transmission ${container.transmissionId}, taken ${container.at}: ${container.entries} entries, ${container.fresh} new`,
                    ),
                  ),
              ),
            ];
      const singles = new Map<string, TranscriptEntry[]>();
      for (const entry of takingsOf(requests)) {
        if (entry.messageUUID === null || !/\.xml$/i.test(entry.path)) continue;
        const uuid = entry.messageUUID.toLowerCase();
        singles.set(uuid, [...(singles.get(uuid) ?? []), entry]);
      }
      for (const [uuid, entries] of singles)
        if (entries.length > 1)
          repeats.push(
            failure(
              `the MeMo ${uuid} was uploaded ${entries.length} times`,
              entries.map((entry) => requestEvidence(entry)),
            ),
          );
      return judged(containers.length > 0 || singles.size > 0, repeats);
    },
  ),
  sftpCheck(
    'upload.cleans-up',
    'SHOULD',
    'A temporary file of an upload that failed is removed (or finished) once the system is back: none is left in /in',
    CLAUSES.atomic,
    ({ requests }) => {
      const files = temporaryFiles(requests);
      return judged(
        files.size > 0,
        [...files]
          .filter(([path, opened]) => !gone(requests, path, opened.seq))
          .map(([path, opened]) =>
            failure(`${path} was left in /in`, [requestEvidence(opened, 'opened, never renamed or removed')]),
          ),
      );
    },
  ),
  sftpCheck(
    'upload.inside-layout',
    'MUST',
    'Every request keeps to the home’s layout (write in /in, read and remove in /out): none is refused permission',
    CLAUSES.layout,
    ({ requests }) => {
      const denied = requests.filter((entry) => entry.status === 3 && entry.operation !== SFTP_LOGIN);
      return judged(
        requests.length > 0,
        denied.length === 0
          ? []
          : [
              failure(
                `${denied.length} request${denied.length === 1 ? ' was' : 's were'} refused permission`,
                denied.slice(0, 10).map((entry) => requestEvidence(entry, 'permission denied')),
              ),
            ],
      );
    },
  ),
];
