/**
 * The sender-sftp profile's scenarios: each hands the vendor's adapter some letters to mass-send
 * over SFTP and puts NgDP's SFTP server in a situation — a rename whose answer is lost, a connection
 * dropped in the middle of an upload or before a rename, refused writes and renames, a lasting
 * refusal, an error file waiting, slow and negative receipts, value dates — and names the checks it
 * judges. Recipients are those of the sender profile (scenarios/sender.ts).
 */
import type { SftpCheckId } from '../checks/sender-sftp/ids.ts';
import type { ScenarioInfo } from '../model.ts';
import type { ClockStep } from '../runner/clock.ts';
import type { FaultRuleInput } from '../runner/control.ts';
import type { TranscriptEntry } from '../runner/transcript.ts';
import { INVALID_BESIDE_GOOD, type LetterPlan, letter, RECIPIENTS, REFUSED_LETTERS } from './sender.ts';

export interface SftpScenario extends ScenarioInfo {
  judges: readonly SftpCheckId[];
  letters: readonly LetterPlan[];
  /** Fault rules set for the vendor's system before the adapter starts. */
  faults?: readonly FaultRuleInput[];
  /** The least time the adapter gets (`--timeout-s` may give more). */
  deadlineMs: number;
  /** The script for simulator time (default: the time-lapse throughout). */
  clock?: readonly ClockStep[];
  /** NgDP refuses every upload: the system must give up and say so. */
  outage?: boolean;
  /**
   * Before the adapter starts, the suite uploads a file NgDP cannot read in the vendor's home, so
   * that an error file waits in `/out/errors` (as one left by an earlier run would).
   */
  errorFile?: boolean;
}

const PROTOCOL: readonly SftpCheckId[] = [
  'sender-sftp.adapter.exit-zero',
  'sender-sftp.adapter.within-deadline',
  'sender-sftp.report.well-formed',
  'sender-sftp.report.every-letter',
  'sender-sftp.report.message-uuid',
];
const LETTERS: readonly SftpCheckId[] = [
  'sender-sftp.letters.each-sent',
  'sender-sftp.letters.exactly-once',
  'sender-sftp.letters.unique-uuid',
  'sender-sftp.letters.no-stray',
  'sender-sftp.memo.valid',
  'sender-sftp.memo.parties',
  'sender-sftp.memo.documents',
  'sender-sftp.memo.label',
];
/** Judged wherever they can happen: a system may misbehave in any scenario. */
const ANYWHERE: readonly SftpCheckId[] = [
  'sender-sftp.upload.temp-name',
  'sender-sftp.upload.readable',
  'sender-sftp.upload.entries-named',
  'sender-sftp.upload.no-resend',
  'sender-sftp.upload.cleans-up',
  'sender-sftp.upload.inside-layout',
  'sender-sftp.retry.resumes',
  'sender-sftp.retry.lost-answer',
  'sender-sftp.retry.after-refusal',
  'sender-sftp.retry.backs-off',
  'sender-sftp.retry.bounded',
  'sender-sftp.errors.read',
  'sender-sftp.errors.removed',
  'sender-sftp.value-date.only-when-asked',
  'sender-sftp.value-date.date-only',
  'sender-sftp.value-date.within-horizon',
  'sender-sftp.auth.key-only',
  'sender-sftp.auth.accepted',
  'sender-sftp.rate.sessions',
  'sender-sftp.rate.listing',
];
const RECEIPTS: readonly SftpCheckId[] = [
  'sender-sftp.receipts.listed',
  'sender-sftp.receipts.followed',
  'sender-sftp.receipts.removed',
  'sender-sftp.outcome.delivered',
];
const EVERY: readonly SftpCheckId[] = [...PROTOCOL, ...LETTERS, ...ANYWHERE, ...RECEIPTS];

/**
 * A main document that takes several SFTP writes of 32 KiB even compressed (base64 in the MeMo,
 * random bytes under it). Two small letters go up in a write or two, then this one in several: the
 * fourth write falls in the middle of an upload however the system packs its containers.
 */
const LARGE_DOCUMENT_BYTES = 96 * 1024;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Uploads NgDP took so far: renames to a final name in /in that were answered OK. */
const takenCount = (entries: readonly TranscriptEntry[]): number =>
  entries.filter((e) => e.operation === 'SFTP RENAME' && e.status === 0 && /\.(tar\.lzma|xml)$/i.test(e.path))
    .length;

/** Until an upload was taken (or 10 s passed). */
const untilTaken = (lapse: boolean): ClockStep => ({
  kind: 'until',
  done: (entries) => takenCount(entries) >= 1,
  lapse,
  timeoutMs: 10_000,
});

/** A few everyday letters: a citizen with attachments, one with NemSMS, a company, another citizen. */
const mixed = (label: string, count: number): LetterPlan[] =>
  Array.from({ length: count }, (_, index) => {
    const ref = `L${index + 1}`;
    if (index % 4 === 2) return { ref, recipient: { cvr: RECIPIENTS.company }, label: `${label} (${ref})` };
    return letter(ref, index % 4 === 1 ? RECIPIENTS.withNemSms : RECIPIENTS.registered, label, {
      attachments: index % 4 === 0 ? 2 : 0,
    });
  });

export const SFTP_SCENARIOS: readonly SftpScenario[] = [
  {
    id: 'everyday',
    title: 'Four letters to a citizen with attachments, a citizen with NemSMS, a company and a citizen',
    judges: EVERY,
    deadlineMs: 20_000,
    letters: mixed('Afgørelse om ejendomsskat', 4),
  },
  {
    id: 'negative-receipts',
    title: 'Letters NgDP refuses for their recipients: exempt, closed, not yet reachable, unknown',
    judges: [...EVERY, 'sender-sftp.outcome.not-delivered', 'sender-sftp.outcome.error-code'],
    deadlineMs: 20_000,
    letters: REFUSED_LETTERS,
  },
  {
    id: 'invalid-receipt',
    title:
      'A letter NgDP finds INVALID (its content is over the size the suite’s NgDP takes) beside a good one',
    judges: [...EVERY, 'sender-sftp.outcome.invalid', 'sender-sftp.outcome.error-code'],
    deadlineMs: 20_000,
    letters: INVALID_BESIDE_GOOD,
  },
  {
    id: 'lost-rename-answer',
    title:
      'NgDP takes the first upload at its rename and the connection closes before the answer: the container must not go again',
    judges: EVERY,
    deadlineMs: 20_000,
    faults: [{ operation: 'SFTP RENAME', sftp: 'DISCONNECT_AFTER', times: 1 }],
    letters: mixed('Opkrævning', 3),
  },
  {
    id: 'dropped-mid-upload',
    title:
      'The connection drops at the fourth write, in the middle of an upload: the system must come back, finish, and send nothing NgDP took again',
    judges: EVERY,
    deadlineMs: 25_000,
    faults: [{ operation: 'SFTP WRITE', sftp: 'DISCONNECT_BEFORE', after: 3, times: 1 }],
    letters: [
      ...mixed('Afgørelse om tilskud', 2),
      letter('L3', RECIPIENTS.registered, 'Bilag til afgørelse', {
        documentBytes: LARGE_DOCUMENT_BYTES,
        incompressible: true,
      }),
    ],
  },
  {
    id: 'dropped-before-rename',
    title: 'The connection drops as the first complete upload is to be renamed, before NgDP takes it',
    judges: EVERY,
    deadlineMs: 20_000,
    faults: [{ operation: 'SFTP RENAME', sftp: 'DISCONNECT_BEFORE', times: 1 }],
    letters: mixed('Orientering', 3),
  },
  {
    id: 'refused-rename',
    title: 'NgDP refuses the first two renames (SSH_FX_FAILURE): the system must try again, in good time',
    judges: EVERY,
    deadlineMs: 25_000,
    faults: [{ operation: 'SFTP RENAME', sftp: 'FAILURE', times: 2 }],
    letters: mixed('Indkaldelse', 2),
  },
  {
    id: 'refused-write',
    title: 'NgDP refuses a write in the first upload (SSH_FX_FAILURE)',
    judges: EVERY,
    deadlineMs: 20_000,
    faults: [{ operation: 'SFTP WRITE', sftp: 'FAILURE', times: 1 }],
    letters: mixed('Kvittering for ansøgning', 2),
  },
  {
    id: 'outage',
    title: 'NgDP refuses every rename: the system must back off, give up within a bound and say so',
    judges: [...EVERY, 'sender-sftp.retry.gives-up'],
    deadlineMs: 30_000,
    outage: true,
    faults: [{ operation: 'SFTP RENAME', sftp: 'FAILURE' }],
    letters: [
      letter('L1', RECIPIENTS.registered, 'Afgørelse', { arrives: false }),
      letter('L2', RECIPIENTS.withNemSms, 'Orientering', { arrives: false }),
    ],
  },
  {
    id: 'error-file',
    title: 'An error file waits in /out/errors (an upload NgDP could not read) as the system starts',
    judges: EVERY,
    deadlineMs: 20_000,
    errorFile: true,
    letters: mixed('Besked om sagsbehandlingstid', 2),
  },
  {
    id: 'slow-receipts',
    title: 'Business receipts that take simulated hours: the system must wait without a storm of listings',
    judges: EVERY,
    deadlineMs: 25_000,
    clock: [untilTaken(true), { kind: 'hold', forMs: 4_000 }, { kind: 'advance', byMs: 7 * HOUR }],
    letters: [
      letter('L1', RECIPIENTS.slowMailbox, 'Afgørelse om pension'),
      letter('L2', RECIPIENTS.verySlowMailbox, 'Partshøring'),
    ],
  },
  {
    id: 'value-date',
    title:
      'Letters with value dates two and five days ahead, delivered on those Danish dates, beside one without',
    judges: [...EVERY, 'sender-sftp.value-date.as-requested'],
    deadlineMs: 20_000,
    clock: [untilTaken(false), { kind: 'hold', forMs: 1_500 }, { kind: 'advance', byMs: 6 * DAY }],
    letters: [
      letter('L1', RECIPIENTS.registered, 'Udbetaling af boligstøtte', { valueDateInDays: 2 }),
      letter('L2', RECIPIENTS.withNemSms, 'Ny takst', { valueDateInDays: 5 }),
      letter('L3', RECIPIENTS.registered, 'Kvittering for ansøgning'),
    ],
  },
  {
    id: 'value-date-beyond-horizon',
    title: 'A letter for eight days ahead, beyond the five days NgDP takes, beside one without a value date',
    judges: EVERY,
    deadlineMs: 20_000,
    letters: [
      letter('L1', RECIPIENTS.registered, 'Varsel om flytning', { valueDateInDays: 8, arrives: false }),
      letter('L2', RECIPIENTS.registered, 'Kvittering for flytning'),
    ],
  },
  {
    id: 'many-letters',
    title: 'Twenty letters at once to a mix of recipients, under chaos',
    judges: [...EVERY, 'sender-sftp.outcome.not-delivered'],
    deadlineMs: 25_000,
    letters: Array.from({ length: 20 }, (_, index) => {
      const ref = `L${index + 1}`;
      if (index % 5 === 4)
        return letter(ref, RECIPIENTS.closed, 'Årsbrev', { errorCode: 'RECIPIENT_CLOSED' });
      if (index % 5 === 3) return { ref, recipient: { cvr: RECIPIENTS.company }, label: `Årsbrev (${ref})` };
      return letter(ref, index % 2 === 0 ? RECIPIENTS.registered : RECIPIENTS.withNemSms, 'Årsbrev', {
        attachments: index % 3,
      });
    }),
  },
];
