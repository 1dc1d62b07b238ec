/** NgDP's `Contact`, `ContactPoint` and `Event` JSON, from the simulator's records. */
import { copenhagenDate } from '../../sdk/ngdp/time.ts';
import { CONTACT_POINT_CAPACITY, derivedId, exemptionEnd, isStandIn } from '../domain/contacts.ts';
import { AUTOMATIC_ACTOR, eventClassOf, METADATA_FIELDS } from '../domain/events.ts';
import type { Contact, ContactPoint } from '../domain/model.ts';
import type { LoggedEvent } from '../engine/event-log.ts';

const iso = (time: number): string => new Date(time).toISOString();

/**
 * NgDP's `Contact`. Its subscriptions have ids of their own; versions count changes. A stand-in for
 * an unknown number carries no dates. A company's address is the `CompanyAddress` real answers carry.
 */
export function contactJson(contact: Contact) {
  const { mailboxSubscription: mailbox } = contact;
  const exemptionStart =
    mailbox.publicRegistrationStatus === 'EXEMPT'
      ? (mailbox.exemptionStart ?? copenhagenDate(contact.createdDate))
      : undefined;
  const ends = exemptionStart === undefined ? undefined : exemptionEnd(contact, exemptionStart);
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
            id: derivedId(`${contact.id}:nemSmsSubscription`),
            version: contact.nemSmsVersion ?? 1,
            mobileNumber: contact.nemSmsMobileNumber,
            verificationTime: iso(contact.createdDate),
            confirmedDateTime: iso(contact.createdDate),
          },
        }),
    mailboxSubscription: {
      id: derivedId(`${contact.id}:mailboxSubscription`),
      version: mailbox.version ?? 1,
      registrationStatus: mailbox.registrationStatus,
      publicRegistrationStatus: mailbox.publicRegistrationStatus,
      ...(exemptionStart === undefined
        ? {}
        : {
            exemptThroughPowerOfAttorney: mailbox.exemptThroughPowerOfAttorney ?? false,
            exemptionStart,
            ...(ends === undefined ? {} : { exemptionEnd: ends }),
          }),
      ...(mailbox.publicRegistrationStatus === 'UNKNOWN' ? {} : { startTime: iso(contact.createdDate) }),
    },
    ...(isStandIn(contact)
      ? {}
      : { lastUpdated: iso(contact.lastUpdated), createdDate: iso(contact.createdDate) }),
    ...(contact.address === undefined
      ? {}
      : {
          address: {
            '@type': 'CompanyAddress',
            id: derivedId(`${contact.id}:address`),
            version: 1,
            ...contact.address,
          },
        }),
  };
}

/**
 * NgDP's `ContactPoint`: every field of the schema, with NgDP's defaults for what the record does
 * not say. Each entry of its lists has an id of its own, derived from the point's. Its contact
 * groups are NgDP's `ContactGroup`s as `group` gives them (by default just their ids).
 */
export function contactPointJson(
  point: ContactPoint,
  group: (id: string) => Record<string, unknown> = (id) => ({ id }),
) {
  const part = (kind: string, index: number) => ({
    id: derivedId(`${point.id}:${kind}:${index}`),
    version: 1,
  });
  const version = point.version ?? 1;
  return {
    id: point.id,
    version,
    transactionId: derivedId(`${point.id}:version:${version}`),
    createdDate: iso(point.createdDate),
    lastUpdated: iso(point.lastUpdated),
    name: point.name,
    ...(point.description === undefined ? {} : { description: point.description }),
    ...(point.internalDescription === undefined ? {} : { internalDescription: point.internalDescription }),
    targets: point.targets,
    memoSizeThresholdMB: point.memoSizeThresholdMB ?? CONTACT_POINT_CAPACITY.memoSizeThresholdMB,
    allowedNumberOfAttachments:
      point.allowedNumberOfAttachments ?? CONTACT_POINT_CAPACITY.allowedNumberOfAttachments,
    active: point.active,
    visible: point.visible ?? true,
    ...(point.reportLink === undefined
      ? {}
      : { reportLink: { ...part('reportLink', 0), ...point.reportLink } }),
    organisationId: point.organisationId,
    ...(point.systemId === undefined ? {} : { systemId: point.systemId }),
    contactPointCodes: (point.contactPointCodes ?? []).map((code, i) => ({ ...part('code', i), ...code })),
    contactGroups: (point.contactGroupIds ?? []).map(group),
    recommendedAttributes: (point.recommendedAttributes ?? []).map((name, i) => ({
      ...part('recommendedAttribute', i),
      name,
    })),
    searchTerms: (point.searchTerms ?? []).map((term, i) => ({ ...part('searchTerm', i), term })),
    translations: (point.translations ?? []).map((translation, i) => ({
      ...part('translation', i),
      ...translation,
    })),
  };
}

/** The internal NgDP component the simulator's events say sent them (`EventLog.system`). */
const EVENT_SOURCE = { id: '00000000-0000-4000-8000-000000000001', name: 'digitalpost-simulator' };

/**
 * NgDP's `EventLog`. Details that are not properties of NgDP's `MetaData` (a container's `entries`,
 * a receipt's `errorCode` …) go in `eventProperties`, so that `metaProperties` is NgDP's shape.
 */
export function eventJson(event: LoggedEvent) {
  const { subject, type, channel } = eventClassOf(event.eventTag);
  const metaProperties: Record<string, string> = {};
  const eventProperties: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.metaProperties))
    (METADATA_FIELDS.has(key) ? metaProperties : eventProperties)[key] = value;
  return {
    id: event.id,
    eventId: event.id,
    version: 1,
    transactionId: event.id,
    channel,
    channels: [channel],
    subject,
    type,
    ...(event.owner === undefined ? {} : { organisationIdentityId: event.owner.organisationId }),
    eventTime: iso(event.eventTime),
    created: iso(event.eventTime),
    ...(event.owner === undefined ? {} : { owner: event.owner.cvrNumber }),
    actor: event.actorSystemId ?? AUTOMATIC_ACTOR,
    system: EVENT_SOURCE,
    ...(event.message === undefined ? {} : { message: event.message }),
    eventProperties,
    metaProperties,
    eventTag: event.eventTag,
  };
}
