/**
 * Contacts the register does not hold: a number asked for but not registered is shown as a stand-in
 * with publicRegistrationStatus UNKNOWN (docs/simulator.md, "Magic identities"), and one registered on first use (`--loose`).
 */
import { createHash } from 'node:crypto';
import type { Contact } from './model.ts';

/** Stand-ins sort after every registered contact (and carry no dates on the wire). */
const STAND_IN_TIME = Date.UTC(9999, 11, 31);

/** The stand-in for a number not in the register; its id is derived from the number. */
export function unknownContact(kind: 'cpr' | 'cvr', number: string): Contact {
  const hex = createHash('sha256').update(`${kind}:${number}`).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return {
    id,
    type: kind === 'cpr' ? 'CITIZEN' : 'COMPANY',
    ...(kind === 'cpr' ? { cprNumber: number } : { cvrNumber: number }),
    name: '',
    mailboxSubscription: { registrationStatus: 'UNKNOWN', publicRegistrationStatus: 'UNKNOWN' },
    transactionId: id,
    createdDate: STAND_IN_TIME,
    lastUpdated: STAND_IN_TIME,
  };
}

/** Whether a contact is a stand-in of {@link unknownContact}, not a registered one. */
export function isStandIn(contact: Contact): boolean {
  return contact.lastUpdated === STAND_IN_TIME;
}

/** A contact registered automatically on first use (`--loose`), able to receive Digital Post. */
export function autoRegistered(
  kind: 'CITIZEN' | 'COMPANY',
  number: string,
  now: number,
  id: string,
): Contact {
  return {
    id,
    type: kind,
    ...(kind === 'CITIZEN' ? { cprNumber: number } : { cvrNumber: number }),
    name: kind === 'CITIZEN' ? `Testborger ${number.slice(0, 6)}` : `Testvirksomhed ${number}`,
    mailboxSubscription: {
      registrationStatus: 'AUTOMATIC_REGISTRATION',
      publicRegistrationStatus: 'REGISTERED',
    },
    transactionId: id,
    createdDate: now,
    lastUpdated: now,
  };
}
