/**
 * NgDP's enumerations, with the names and values of its API 1.68.0 (`enums.test.ts` holds each list
 * against NgDP's OpenAPI description). Where NgDP's enum has an `UNKNOWN` member ("used for fallback on
 * unknown data — never set this manually"), the list here has it too: an answer from NgDP may carry
 * it. The simulator uses the subsets it simulates, named beside each list.
 */

/** `ReceiptStatus`: `RECEIVED` is the technical receipt; the others are business receipts. */
export const RECEIPT_STATUSES = ['RECEIVED', 'COMPLETED', 'INVALID', 'NOT_ALLOWED'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];
/** The outcome of a letter, after the technical `RECEIVED`. */
export type BusinessReceiptStatus = Exclude<ReceiptStatus, 'RECEIVED'>;
/** What a recipient system may answer in its business receipt (`POST /memos/{id}/receipt`). */
export const RECIPIENT_RECEIPT_STATUSES = ['COMPLETED', 'INVALID'] as const;

/** `PublicRegistrationStatus`: whether a contact can get Digital Post, as senders may see it. */
export const PUBLIC_REGISTRATION_STATUSES = ['UNKNOWN', 'REGISTERED', 'EXEMPT', 'CLOSED'] as const;
export type PublicRegistrationStatus = (typeof PUBLIC_REGISTRATION_STATUSES)[number];

/** `RegistrationStatus`: how a contact came to be registered or exempt. */
export const REGISTRATION_STATUSES = [
  'UNKNOWN',
  'AUTOMATIC_REGISTRATION',
  'VOLUNTARY_REGISTRATION',
  'BEFORE_UNCONFIRMED_REGISTRATION',
  'UNCONFIRMED_REGISTRATION',
  'EXEMPT_LEFT_THE_COUNTRY',
  'EXEMPT_OTHER_REASON',
  'CREATED_AWAITING_REGISTRATION',
] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** `ProtocolType` (a system's `serviceProtocol`). */
export const PROTOCOL_TYPES = [
  'UNKNOWN',
  'AS4',
  'REST_PUBLISH_SUBSCRIBE',
  'REST_PULL',
  'REST_PUSH',
  'SMTP',
  'SFTP',
] as const;
export type ProtocolType = (typeof PROTOCOL_TYPES)[number];
/** The protocols of sender and recipient systems that digitalpost speaks (and the simulator serves). */
export const SYSTEM_PROTOCOLS = ['REST_PUSH', 'REST_PULL', 'REST_PUBLISH_SUBSCRIBE', 'SFTP'] as const;
export type SystemProtocol = (typeof SYSTEM_PROTOCOLS)[number];

/** `SystemTypes` (a system's roles), without `UNKNOWN`. */
export const SYSTEM_TYPES = ['SENDER', 'RECIPIENT', 'RECIPIENT_DEFAULT'] as const;
export type SystemType = (typeof SYSTEM_TYPES)[number];

/** `ContactType`. */
export const CONTACT_TYPES = ['UNKNOWN', 'COMPANY', 'CITIZEN'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

/** `OrganisationAuthorityType`, without `UNKNOWN`: what kind of authority an organisation is. */
export const AUTHORITY_TYPES = ['STATE', 'MUNICIPALITY', 'REGION', 'OTHER'] as const;
export type AuthorityType = (typeof AUTHORITY_TYPES)[number];

/** `OrganisationType`, without `UNKNOWN`. */
export const ORGANISATION_TYPES = ['AUTHORITY', 'COMPANY'] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

/** A contact point's `targets`: who may write to it. */
export const CONTACT_POINT_TARGETS = ['UNKNOWN', 'CITIZEN', 'COMPANY', 'AUTHORITY'] as const;
export type ContactPointTarget = (typeof CONTACT_POINT_TARGETS)[number];

/** `MaterialMessageType`: a MeMo's `messageType`. */
export const MESSAGE_TYPES = ['DIGITALPOST', 'NEMSMS'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** `MemoCreateAndSendCommandRecipientIdType`: how a MeMo names its recipient. */
export const RECIPIENT_ID_TYPES = ['CVR', 'CPR'] as const;
export type RecipientIdType = (typeof RECIPIENT_ID_TYPES)[number];

/**
 * The event-log tags (`EventLogEventTag`) of a message's lifecycle and of systems, as NgDP's event
 * log (`GET /events/`) shows them; a subset of NgDP's list of several hundred.
 */
export const EventTag = {
  MEMO_SEND_RECEIVED: 'MEMO_SEND_RECEIVED',
  MEMO_MASS_SEND_RECEIVED: 'MEMO_MASS_SEND_RECEIVED',
  MEMO_EXTRACTED: 'MEMO_EXTRACTED',
  MEMO_ARCHIVE_REJECTED: 'MEMO_ARCHIVE_REJECTED',
  TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM: 'TECHNICAL_RECEIPT_SENT_TO_SENDER_SYSTEM',
  MEMO_SEND_VALIDATED: 'MEMO_SEND_VALIDATED',
  MEMO_SEND_VALIDATION_FAILED: 'MEMO_SEND_VALIDATION_FAILED',
  DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY: 'DELAYED_MEMO_SEND_VALIDATED_AWAITING_DELAY',
  DELAYED_MEMO_SEND_SENT: 'DELAYED_MEMO_SEND_SENT',
  DELAYED_MEMO_MESSAGE_RECALLED: 'DELAYED_MEMO_MESSAGE_RECALLED',
  MEMO_SEND_RECALLED: 'MEMO_SEND_RECALLED',
  MEMO_AVAILABLE_TO_RECIPIENT: 'MEMO_AVAILABLE_TO_RECIPIENT',
  NEM_SMS_SENT_SUCCESSFULLY: 'NEM_SMS_SENT_SUCCESSFULLY',
  MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM: 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM',
  MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED: 'MEMO_SEND_SENT_TO_RECIPIENT_SYSTEM_FAILED',
  MEMO_SEND_READY_FOR_FETCH: 'MEMO_SEND_READY_FOR_FETCH',
  MEMO_SEND_FETCHED_BY_RECIPIENT_SYSTEM: 'MEMO_SEND_FETCHED_BY_RECIPIENT_SYSTEM',
  MEMO_SEND_FAILED: 'MEMO_SEND_FAILED',
  NOTIFICATION_SENT: 'NOTIFICATION_SENT',
  NOTIFICATION_FAILED: 'NOTIFICATION_FAILED',
  BUSINESS_RECEIPT_CREATED: 'BUSINESS_RECEIPT_CREATED',
  BUSINESS_RECEIPT_SENT: 'BUSINESS_RECEIPT_SENT',
  BUSINESS_RECEIPT_RECEIVED_BY_RECIPIENT_SYSTEM: 'BUSINESS_RECEIPT_RECEIVED_BY_RECIPIENT_SYSTEM',
  BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM: 'BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM',
  BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED: 'BUSINESS_RECEIPT_SEND_TO_SENDER_SYSTEM_FAILED',
  SYSTEM_CHANGED: 'SYSTEM_CHANGED',
  CONTACT_GROUP_CHANGED: 'CONTACT_GROUP_CHANGED',
  CONTACT_POINT_CHANGED: 'CONTACT_POINT_CHANGED',
  DIGITAL_POST_REGISTERED: 'DIGITAL_POST_REGISTERED',
  DIGITAL_POST_EXEMPTED: 'DIGITAL_POST_EXEMPTED',
  CONTACT_CPR_UPDATED: 'CONTACT_CPR_UPDATED',
  CONTACT_CVR_UPDATED: 'CONTACT_CVR_UPDATED',
  SYSTEM_FETCH_STARTED: 'SYSTEM_FETCH_STARTED',
  SYSTEM_FETCH_FINISHED: 'SYSTEM_FETCH_FINISHED',
  MEMO_SYSTEM_FETCHED: 'MEMO_SYSTEM_FETCHED',
  PRIVILEGES_GRANTED: 'PRIVILEGES_GRANTED',
  PRIVILEGES_REVOKED: 'PRIVILEGES_REVOKED',
  IDENTITY_DEACTIVATED: 'IDENTITY_DEACTIVATED',
  IDENTITY_REACTIVATED: 'IDENTITY_REACTIVATED',
  EMAIL_NOTIFICATION_SUBSCRIPTION_UPDATED: 'EMAIL_NOTIFICATION_SUBSCRIPTION_UPDATED',
  EMAIL_NOTIFICATION_SUBSCRIPTION_VERIFIED: 'EMAIL_NOTIFICATION_SUBSCRIPTION_VERIFIED',
  UNOPENED_MAIL_AS_PHYSICAL_POST: 'UNOPENED_MAIL_AS_PHYSICAL_POST',
  UNOPENED_MAIL_NOT_AS_PHYSICAL_POST: 'UNOPENED_MAIL_NOT_AS_PHYSICAL_POST',
  READ_ACCESS_CREATED: 'READ_ACCESS_CREATED',
  READ_ACCESS_DELETED: 'READ_ACCESS_DELETED',
  ACCESS_REQUEST_SUBMITTED: 'ACCESS_REQUEST_SUBMITTED',
  ACCESS_REQUEST_APPROVED: 'ACCESS_REQUEST_APPROVED',
  ACCESS_REQUEST_REJECTED: 'ACCESS_REQUEST_REJECTED',
  ACCESS_REQUEST_REVOKED: 'ACCESS_REQUEST_REVOKED',
  ACCESS_REQUEST_WITHDRAWN: 'ACCESS_REQUEST_WITHDRAWN',
} as const;
export type EventTagName = (typeof EventTag)[keyof typeof EventTag];

/**
 * NgDP's privilege types (`IdentityPrivilegeType`, `DirectPrivilegeType`, `Anonymous`: the same 62
 * values in OpenAPI 1.68.0): what a privilege grants, in the order NgDP lists them.
 */
export const PRIVILEGE_TYPES = [
  'UNKNOWN',
  'LEGAL_REPRESENTATIVE',
  'CURATOR',
  'LIQUIDATOR',
  'EXECUTOR_OF_ESTATE',
  'DANISH_BUSINESS_AUTHORITY_SERVICE_EMPLOYEE',
  'MESSAGE_WRITE',
  'ORGANISATION_ADMINISTRATOR',
  'MESSAGE_EMPLOYEE',
  'ACCESS_REQUEST_ADMINISTRATOR',
  'ACTION_LOG_ADMINISTRATOR',
  'SEARCH_LOG_ADMINISTRATOR',
  'MESSAGE_LOG_ADMINISTRATOR',
  'STATISTICS_ADMINISTRATOR',
  'SYSTEM_MANAGER',
  'RECALL_ADMINISTRATOR',
  'CITIZEN_SERVICE_EMPLOYEE',
  'SUPPORT',
  'DELEGATED_SUPPORT_ADMIN',
  'TRUSTED_RECIPIENT',
  'TEST_PORTAL',
  'SYSTEM_TEST_IDENTITY_PROVIDER',
  'MESSAGE_BASIC',
  'CONTACT_ADMINISTRATOR',
  'LEGAL_OWNER',
  'LEGAL_OWNER_OF_INACTIVE_OR_CLOSED_COMPANY',
  'ORGANISATION_USER_ADMINISTRATOR',
  'COURTS_OF_DENMARK',
  'CITIZEN',
  'FULL_POWER_OF_ATTORNEY',
  'SYSTEM_DISTRIBUTION',
  'SYSTEM_CONTACT',
  'SYSTEM_MAILBOX',
  'SYSTEM_SYSTEM_REGISTRY',
  'SYSTEM_IDENTITY_REGISTRY',
  'SYSTEM_TRANSFORMATION',
  'SYSTEM_VERIFICATION',
  'SYSTEM_SECURITY',
  'SYSTEM_SUBSCRIPTION',
  'SYSTEM_CVR',
  'SYSTEM_CPR',
  'SYSTEM_AUTH_SFTP',
  'SYSTEM_SFTP_SERVER',
  'SYSTEM_EVENT',
  'SYSTEM_OUTBOX',
  'DATAFORDELER_PUSH',
  'SYSTEM_ALLOWED_IP',
  'SYSTEM_TEST_DATA',
  'SYSTEM_ACCESS_REQUEST_REGISTRY',
  'SYSTEM_FAILED_EVENT_REGISTRY',
  'SYSTEM_PUSH_NOTIFICATION_SENDER',
  'AUTHORITY_SENDER_SYSTEM',
  'COMPANY_SENDER_SYSTEM',
  'AUTHORITY_RECIPIENT_SYSTEM',
  'COMPANY_RECIPIENT_SYSTEM',
  'DELEGATE_SYSTEM',
  'SYSTEM_LETTER_SENDER',
  'PUSH_NOTIFICATION_TENANT',
  'SYSTEM_AUTH_SERVER',
  'SYSTEM_EGRESS_PROXY_SERVER',
  'EMPLOYEE',
  'SYSTEM_STATISTICAL_REPORTING',
] as const;
export type PrivilegeType = (typeof PRIVILEGE_TYPES)[number];

/** Where a privilege came from (`IdentityPrivilegeSource`, `DirectPrivilegeSource`). */
export const PRIVILEGE_SOURCES = [
  'UNKNOWN',
  'APPOINTED',
  'NPTE',
  'SELF_SERVICE',
  'MANUAL',
  'MIGRATED',
] as const;
export type PrivilegeSource = (typeof PRIVILEGE_SOURCES)[number];

/**
 * `SubscriptionOperations`: which contacts a sender system's contact subscription covers besides
 * the contacts it names (`UNKNOWN` is NgDP's fallback, never set by a caller).
 */
export const CONTACT_SUBSCRIPTION_OPERATIONS = [
  'ALL_CITIZENS',
  'NEW_CITIZENS',
  'ALL_COMPANIES',
  'NEW_COMPANIES',
] as const;
export type ContactSubscriptionOperation = (typeof CONTACT_SUBSCRIPTION_OPERATIONS)[number];

/** `subscriptionOperations2`: which organisations an organisation subscription covers. */
export const ORGANISATION_SUBSCRIPTION_OPERATIONS = ['ALL_ORGANISATIONS', 'NEW_ORGANISATIONS'] as const;
export type OrganisationSubscriptionOperation = (typeof ORGANISATION_SUBSCRIPTION_OPERATIONS)[number];

/** `SystemFetchStatusType`: where a system fetch (moving a mailbox's post to a system) stands. */
export const SYSTEM_FETCH_STATUSES = ['UNKNOWN', 'RUNNING', 'FINISHED', 'STOPPED'] as const;
export type SystemFetchStatus = (typeof SYSTEM_FETCH_STATUSES)[number];

/** Whether `value` is one of `values` (narrows it to the list's type). */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}
