/**
 * NgDP's JSON of the exemptions, mailbox accesses and access requests of Administrativ Adgang
 * (`Exemption`, `Access`, `AccessRequest`), from the simulator's records.
 */
import type {
  AccessRequestRecord,
  DocumentationRecord,
  ParticipantRecord,
} from '../domain/access-requests.ts';
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

/** NgDP's `RequestParticipant`: as given, with the name and kind the register resolved. */
function participantJson(participant: ParticipantRecord, record: AccessRequestRecord) {
  const { id, nameResolved, identityTypeResolved, ...given } = participant;
  const words = nameResolved?.trim().split(/\s+/) ?? [];
  return {
    id,
    version: 1,
    createdDateTime: iso(record.createdDateTime),
    lastUpdated: iso(record.lastUpdated),
    ...given,
    ...(identityTypeResolved === undefined ? {} : { identityTypeResolved }),
    ...(nameResolved === undefined
      ? {}
      : identityTypeResolved === 'COMPANY'
        ? { organisationNameResolved: nameResolved }
        : { firstNameResolved: words.slice(0, -1).join(' '), lastNameResolved: words.at(-1) ?? '' }),
  };
}

function documentationJson(entry: DocumentationRecord) {
  return {
    id: entry.id,
    version: entry.version,
    createdDateTime: iso(entry.createdDateTime),
    lastUpdated: iso(entry.lastUpdated),
    documentationType: entry.documentationType,
    ...(entry.filename === undefined ? {} : { filename: entry.filename }),
    ...(entry.mediaType === undefined ? {} : { mediaType: entry.mediaType }),
    ...(entry.size === undefined ? {} : { size: entry.size }),
  };
}

const optionalTime = (name: string, time: number | undefined) =>
  time === undefined ? {} : { [name]: iso(time) };
const optional = (name: string, value: string | undefined) => (value === undefined ? {} : { [name]: value });

/** NgDP's `AccessRequest`. */
export function accessRequestJson(record: AccessRequestRecord) {
  const { target } = record;
  return {
    id: record.id,
    version: record.version,
    createdDateTime: iso(record.createdDateTime),
    lastUpdated: iso(record.lastUpdated),
    requestType: record.requestType,
    requestState: record.requestState,
    requester: participantJson(record.requester, record),
    accessTo: participantJson(record.accessTo, record),
    privileges: [...record.privileges],
    ...optionalTime('privilegeEndDateTime', record.privilegeEndDateTime),
    userGroups: [...record.userGroups],
    createdByIdentityId: record.createdByIdentityId,
    createdOnBehalfOf: false,
    ...record.texts,
    target: {
      id: target.id,
      version: 1,
      createdDateTime: iso(record.createdDateTime),
      lastUpdated: iso(record.lastUpdated),
      requestParticipant: participantJson(target.participant, record),
      targetState: target.state,
      ...optionalTime('activationCodeSentDateTime', target.activationCodeSentDateTime),
      ...optionalTime('activationDateTime', target.activationDateTime),
    },
    documentations: record.documentations.map(documentationJson),
    communications: [],
    processedAutomatically: record.processedAutomatically,
    ...optionalTime('submissionDateTime', record.submissionDateTime),
    ...optional('submittedByIdentityId', record.submittedByIdentityId),
    ...optionalTime('approvalDateTime', record.approvalDateTime),
    ...optional('approvedByIdentityId', record.approvedByIdentityId),
    ...optionalTime('rejectionDateTime', record.rejectionDateTime),
    ...optional('rejectedByIdentityId', record.rejectedByIdentityId),
    ...optionalTime('revocationDateTime', record.revocationDateTime),
    ...optional('revokedByIdentityId', record.revokedByIdentityId),
  };
}
