/**
 * NgDP's JSON of the exemptions, mailbox accesses and access requests of Administrativ Adgang
 * (`Exemption`, `Access`, `AccessRequest`), from the simulator's records.
 */
import type { ExemptionRecord } from '../domain/exemptions.ts';
import type { AccessRecord, NotificationRecord } from '../domain/mailbox-access.ts';

const iso = (time: number): string => new Date(time).toISOString();

/** NgDP's `Exemption`: `recipient` is NgDP's `MassPrintRecipient`, `organisation` who made it. */
export function exemptionJson(record: ExemptionRecord) {
  return {
    id: record.id,
    version: record.version,
    ...(record.kind === 'CITIZEN' ? { cprNumber: record.number } : { cvrNumber: record.number }),
    ...(record.recipient === undefined ? {} : { recipient: { ...record.recipient } }),
    date: iso(record.date),
    sendLettersReceivedFromDate: record.start,
    organisation: record.organisationName,
    forwardToAddress: record.forwardToAddress,
    exemptByProxy: record.exemptByProxy,
    exemptionStatus: record.status,
  };
}

/** NgDP's `SmsNotificationSubscription` / `EmailNotificationSubscription` of an access. */
function notificationJson(record: NotificationRecord) {
  return {
    id: record.id,
    version: record.version,
    ...(record.channel === 'SMS' ? { mobileNumber: record.address } : { email: record.address }),
    ...(record.verificationTime === undefined
      ? {}
      : { verificationTime: iso(record.verificationTime), confirmationTime: iso(record.verificationTime) }),
  };
}

/**
 * NgDP's `Access` of a holder (`PARTY_REPRESENTATIVE`), with the simulator's `activeToDateTime` and
 * `intendedEmployee` (docs/differences.md: NgDP's schema has no field for them).
 */
export function accessJson(record: AccessRecord) {
  const sms = record.notifications.find((each) => each.channel === 'SMS');
  return {
    id: record.id,
    version: record.version,
    transactionId: record.transactionId,
    createdDateTime: iso(record.createdDateTime),
    lastUpdated: iso(record.lastUpdated),
    accessType: 'PARTY_REPRESENTATIVE',
    mailboxId: record.mailboxId,
    identityId: record.identityId,
    introductionCompleted: false,
    ...(sms === undefined ? {} : { smsNotificationSubscription: notificationJson(sms) }),
    emailNotificationSubscriptions: record.notifications
      .filter((each) => each.channel === 'EMAIL')
      .map(notificationJson),
    pushNotificationSubscriptions: [],
    privileges: [...record.privileges],
    ...(record.activeTo === undefined ? {} : { activeToDateTime: iso(record.activeTo) }),
    ...(record.intendedEmployee === undefined ? {} : { intendedEmployee: record.intendedEmployee }),
  };
}
