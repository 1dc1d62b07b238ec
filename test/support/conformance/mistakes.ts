/**
 * The mistakes the broken sender adapters of both sender profiles make alike (broken-senders.ts,
 * broken-sftp-senders.ts): in the MeMo they build, in the report they write.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Memo } from 'digitalpost/memo';
import type { ReportLine, ScenarioLetter } from '../../../examples/conformance-sender.ts';

/** A UUID v4 shape made from the letter's ref: the same ref, the same messageUUID, in every scenario. */
export function uuidFromRef(ref: string): string {
  const hex = createHash('sha256').update(`letter ${ref}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The calendar day before `date` (a Danish date turned into UTC and back, a day early). */
export const dayBefore = (date: string): string =>
  new Date(Date.parse(`${date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** A change to a MeMo as built; `validate: false` when the MeMo is no longer valid and must go unchecked. */
export interface MemoMistake {
  change(memo: Memo, letter: ScenarioLetter): void;
  validate: boolean;
}

/** Mistakes in the MeMo, by the broken adapter's kind. */
export const MEMO_MISTAKES: Readonly<Record<string, MemoMistake>> = {
  'invalid-memo': {
    change: (memo) => {
      memo.messageHeader.notification = 'N'.repeat(200);
    },
    validate: false,
  },
  'wrong-sender-label': {
    change: (memo) => {
      memo.messageHeader.sender.label = 'Kommunen';
    },
    validate: true,
  },
  'renames-attachments': {
    change: (memo) => {
      memo.messageBody?.additionalDocuments?.forEach((document, index) => {
        for (const file of document.files) file.filename = `bilag-${index + 1}.csv`;
      });
    },
    validate: true,
  },
  'generic-label': {
    change: (memo) => {
      memo.messageHeader.label = 'Brev fra Testkommune';
    },
    validate: true,
  },
  'uuid-from-ref': {
    change: (memo, letter) => {
      memo.messageHeader.messageUUID = uuidFromRef(letter.ref);
    },
    validate: true,
  },
};

/** Mistakes in the report, by the broken adapter's kind: the lines written for one line. */
export const REPORT_MISTAKES: Readonly<
  Record<string, (line: ReportLine, letters: readonly ScenarioLetter[]) => ReportLine[]>
> = {
  'garbled-report': (line) => [line, { ...line, ref: `${line.ref} (again)` }],
  'forgets-a-letter': (line, letters) => (line.ref === letters.at(-1)?.ref ? [] : [line]),
  'reports-wrong-uuid': (line) => [line.messageUUID === null ? line : { ...line, messageUUID: randomUUID() }],
};
