/** The sender-sftp profile's catalogue, in the order of {@link SFTP_CHECK_IDS}. */
import type { SftpObservation } from '../../evidence/sender-sftp.ts';
import type { Check } from '../../model.ts';
import { SFTP_CHECK_IDS } from './ids.ts';
import { letterChecks } from './letters.ts';
import { receiptChecks } from './receipts.ts';
import { retryChecks } from './retries.ts';
import { uploadChecks } from './uploads.ts';

const all = [...letterChecks, ...uploadChecks, ...retryChecks, ...receiptChecks];
const byId = new Map(all.map((check) => [check.id, check]));
const listed = new Set<string>(SFTP_CHECK_IDS);
const unlisted = all.filter((check) => !listed.has(check.id));
if (unlisted.length > 0)
  throw new Error(`sender-sftp checks ${unlisted.map((check) => check.id).join(', ')} are not in ids.ts`);

export const SFTP_CHECKS: readonly Check<SftpObservation>[] = SFTP_CHECK_IDS.map((id) => {
  const check = byId.get(id);
  if (check === undefined)
    throw new Error(`the sender-sftp catalogue lists ${id}, but no check is declared for it`);
  return check;
});
