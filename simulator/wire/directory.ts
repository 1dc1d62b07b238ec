/** NgDP's `Contact`, `ContactPoint` and `Event` JSON, from the simulator's records. */
import { isStandIn } from '../domain/contacts.ts';
import type { Contact, ContactPoint, EventRecord } from '../domain/model.ts';

const iso = (time: number): string => new Date(time).toISOString();

export function contactJson(contact: Contact) {
  const { mailboxSubscription: mailbox } = contact;
  return {
    id: contact.id,
    version: contact.version ?? 1,
    type: contact.type,
    transactionId: contact.transactionId,
    ...(contact.cprNumber === undefined ? {} : { cprNumber: contact.cprNumber }),
    ...(contact.cvrNumber === undefined ? {} : { cvrNumber: contact.cvrNumber }),
    eligibleForVoluntaryRegistration: false,
    ...(contact.nemSmsMobileNumber === undefined
      ? {}
      : {
          nemSmsSubscription: {
            id: contact.id,
            version: 1,
            mobileNumber: contact.nemSmsMobileNumber,
            verificationTime: iso(contact.createdDate),
            confirmedDateTime: iso(contact.createdDate),
          },
        }),
    mailboxSubscription: {
      id: contact.id,
      version: 1,
      registrationStatus: mailbox.registrationStatus,
      publicRegistrationStatus: mailbox.publicRegistrationStatus,
      ...(mailbox.publicRegistrationStatus === 'UNKNOWN' ? {} : { startTime: iso(contact.createdDate) }),
    },
    ...(isStandIn(contact)
      ? {}
      : { lastUpdated: iso(contact.lastUpdated), createdDate: iso(contact.createdDate) }),
  };
}

export function contactPointJson(point: ContactPoint) {
  return {
    id: point.id,
    version: 1,
    name: point.name,
    organisationId: point.organisationId,
    ...(point.systemId === undefined ? {} : { systemId: point.systemId }),
    targets: point.targets,
    active: point.active,
    visible: true,
    createdDate: iso(point.createdDate),
    lastUpdated: iso(point.lastUpdated),
  };
}

export function eventJson(event: EventRecord) {
  return {
    id: event.id,
    eventId: event.id,
    version: 1,
    eventTag: event.eventTag,
    eventTime: iso(event.eventTime),
    created: iso(event.eventTime),
    channel: 'MEMO',
    ...(event.message === undefined ? {} : { message: event.message }),
    metaProperties: event.metaProperties,
  };
}
