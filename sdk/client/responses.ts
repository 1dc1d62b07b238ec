/**
 * NgDP's answers as the client takes them: one shape per DTO of NgDP's API 1.68.0 (the wire types
 * of `sdk/ngdp/wire.ts` and `types.ts`), checked at the edge before anything reads them. NgDP marks
 * no field as required; the shapes require what the SDK relies on (a receipt's `transmissionId`,
 * `timeStamp` and `receiptStatus`; a page's list) and check the type of every other field they name
 * when it is there. Other fields pass through untouched. `responses.test.ts` holds each shape
 * against `ngdp-openapi-1.68.json`.
 */

import {
  any,
  array,
  boolean,
  integer,
  number,
  object,
  oneOf,
  optional,
  type Shape,
  string,
  uuid,
} from '../http/shape.ts';
import {
  CONTACT_SUBSCRIPTION_OPERATIONS,
  CONTACT_TYPES,
  ORGANISATION_SUBSCRIPTION_OPERATIONS,
  RECEIPT_STATUSES,
} from '../ngdp/enums.ts';
import type {
  BulkReceipt,
  ErrorMessage,
  PagingResultUUID,
  Receipt,
  ReceiptSearchResult,
  SearchResultFrame,
} from '../ngdp/wire.ts';
import type { Contact, ContactPointEntry, ContactSubscription, OrganisationSubscription } from './types.ts';

const receiptFields = {
  transmissionId: uuid,
  messageUUID: optional(uuid),
  messageId: optional(string),
  errorCode: optional(string),
  errorMessage: optional(string),
  timeStamp: string,
  receiptStatus: oneOf(RECEIPT_STATUSES),
};

/** `Receipt` (`POST /memos/` → 201, `GET /receipts/{id}`). */
export const receiptShape = object(receiptFields) as Shape<Receipt>;

/** `BulkReceipt`: a receipt of `GET /receipts-bulk/`, with its id. */
export const bulkReceiptShape = object({ ...receiptFields, id: uuid }) as Shape<BulkReceipt>;

const pageFields = {
  currentPage: optional(integer),
  totalPages: optional(integer),
  elementsOnPage: optional(integer),
  totalElements: optional(integer),
};

/** `ReceiptSearchResult` (`GET /receipts-bulk/`). */
export const receiptSearchResultShape = object({
  ...pageFields,
  receipts: array(bulkReceiptShape),
}) as Shape<ReceiptSearchResult>;

/** `PagingResultUUID` (`GET /memos/`): messageUUIDs, which the client puts in paths and file names. */
export const pagingResultUUIDShape = object({
  content: array(uuid),
  number: optional(integer),
  size: optional(integer),
  previous: optional(any),
  next: optional(any),
  totalElements: optional(integer),
  totalPages: optional(integer),
}) as Shape<PagingResultUUID>;

/**
 * `Contact`. Registration statuses are checked as text, not against today's values: a status NgDP
 * adds later reads as not reachable (`canReceiveDigitalPost` is false), which is the safe side.
 */
export const contactShape = object({
  id: string,
  version: optional(integer),
  type: oneOf(CONTACT_TYPES),
  transactionId: optional(string),
  cprNumber: optional(string),
  cvrNumber: optional(string),
  eligibleForVoluntaryRegistration: optional(boolean),
  mailboxSubscription: optional(
    object({
      id: optional(string),
      version: optional(integer),
      registrationStatus: string,
      publicRegistrationStatus: string,
      exemptThroughPowerOfAttorney: optional(boolean),
      exemptionStart: optional(string),
      exemptionEnd: optional(string),
      startTime: optional(string),
      endTime: optional(string),
    }),
  ),
  nemSmsSubscription: optional(
    object({
      id: optional(string),
      version: optional(integer),
      mobileNumber: optional(string),
      verificationTime: optional(string),
      confirmedDateTime: optional(string),
    }),
  ),
  lastUpdated: optional(string),
  createdDate: optional(string),
}) as Shape<Contact>;

const frameFields = { ...pageFields, next: optional(string) };

/** `ContactSearchResult` (`GET /contacts/`). */
export const contactSearchResultShape = object({
  ...frameFields,
  contacts: array(contactShape),
}) as Shape<SearchResultFrame & { contacts: Contact[] }>;

/** `ContactPoint`. */
export const contactPointShape = object({
  id: string,
  version: optional(integer),
  transactionId: optional(string),
  createdDate: optional(string),
  lastUpdated: optional(string),
  name: string,
  organisationId: optional(string),
  systemId: optional(string),
  description: optional(string),
  internalDescription: optional(string),
  targets: optional(array(string)),
  active: optional(boolean),
  visible: optional(boolean),
  memoSizeThresholdMB: optional(number),
  allowedNumberOfAttachments: optional(integer),
  searchTerms: optional(array(object({ term: optional(string) }))),
  recommendedAttributes: optional(array(object({ name: optional(string) }))),
  legacyRecipientSystem: optional(string),
}) as Shape<ContactPointEntry>;

/** `ContactPointSearchResult` (`GET /contact-points/`). */
export const contactPointSearchResultShape = object({
  ...frameFields,
  contactPoints: array(contactPointShape),
}) as Shape<SearchResultFrame & { contactPoints: ContactPointEntry[] }>;

/** A reader for `Transport.json`: the value checked against `shape`, from `$`. */
export function reading<T>(shape: Shape<T>): (value: unknown) => T {
  return (value) => shape.read(value, '$');
}

/** `ContactSubscription` (`/contacts/subscriptions/`). */
export const contactSubscriptionShape = object({
  id: uuid,
  senderSystemIdentityId: optional(uuid),
  version: integer,
  transactionId: optional(string),
  subscriptionOperations: optional(array(oneOf(['UNKNOWN', ...CONTACT_SUBSCRIPTION_OPERATIONS]))),
  singleContactSubscriptions: optional(
    array(object({ id: optional(uuid), version: optional(integer), contactId: uuid })),
  ),
  notificationUrl: optional(string),
}) as Shape<ContactSubscription>;

/** `OrganisationSenderSystemSubscription` (`/organisations/subscriptions/`). */
export const organisationSubscriptionShape = object({
  id: uuid,
  senderSystemId: optional(uuid),
  version: integer,
  transactionId: optional(string),
  subscriptionOperations: optional(array(oneOf(['UNKNOWN', ...ORGANISATION_SUBSCRIPTION_OPERATIONS]))),
  organisationSubscriptions: optional(
    array(object({ id: optional(uuid), version: optional(integer), cvrNumber: string })),
  ),
  notificationUrl: optional(string),
}) as Shape<OrganisationSubscription>;

/** NgDP's `ErrorMessage`, where it is the answer itself (`POST /validations/`'s verdict). */
export const errorMessageShape = object({
  code: string,
  message: optional(string),
  fieldErrors: optional(
    array(
      object({
        resource: optional(string),
        field: optional(string),
        code: optional(string),
        message: optional(string),
        rejectedValue: optional(any),
      }),
    ),
  ),
}) as Shape<ErrorMessage & { code: string }>;
