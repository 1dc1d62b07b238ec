/** What the sender-sftp checks share: how one is declared, where the clauses point, evidence of requests. */
import type { SftpObservation } from '../../evidence/sender-sftp.ts';
import type { Evidence } from '../../model.ts';
import { evidenceOf, type TranscriptEntry } from '../../runner/transcript.ts';
import { declarerOf, SHARED_CLAUSES } from '../shared/support.ts';

/** Declares a sender-sftp check by the part of its id after `sender-sftp.`. */
export const sftpCheck = declarerOf<SftpObservation>('sender-sftp');

/** Where the sender-sftp checks' requirements come from. */
export const CLAUSES = {
  ...SHARED_CLAUSES,
  sftp: 'NgDP SFTP mass sending: .tar.lzma containers of MeMos named <messageUUID>.xml (docs/simulator.md, "SFTP mass sending")',
  atomic:
    'interpreted: see differences.md, "SFTP mass sending" (a file is taken when closed or renamed under its final name: upload under a temporary name and rename)',
  layout:
    'interpreted: see differences.md, "SFTP mass sending" (the home’s layout: /in, /out/receipts, /out/errors)',
  resend:
    'interpreted: see differences.md, "The conformance suite" (a container NgDP took is not sent again; its letters are not sent twice)',
  refusals:
    'interpreted: see differences.md, "The conformance suite" (refusals retried after 1 s at the soonest, at most 8 times)',
  receipts:
    'interpreted: see differences.md, "SFTP mass sending" (receipt files in /out/receipts, removing one acknowledges it)',
  errors:
    'interpreted: see differences.md, "SFTP mass sending" (error files in /out/errors explain uploads NgDP did not take)',
  login:
    'NgDP SFTP: the system’s sshUsername and its registered public key (POST …/systems/{systemId}/sshkey/; docs/simulator.md, "SFTP mass sending")',
  rates:
    'interpreted: see differences.md, "The conformance suite" (listings and logins judged as rates over 10 s windows)',
} as const;

export const requestEvidence = (entry: TranscriptEntry, text?: string): Evidence => evidenceOf(entry, text);
