/**
 * NgDP's JSON as the client returns it: the field names are NgDP's own (they are already idiomatic
 * camelCase), date-times are ISO-8601 strings as on the wire.
 */
import type { Memo, MemoIssue } from '../memo/types.ts';
import type {
  ContactPointTarget,
  ContactSubscriptionOperation,
  ContactType,
  OrganisationSubscriptionOperation,
  PublicRegistrationStatus,
  ReceiptStatus,
  RegistrationStatus,
} from '../ngdp/enums.ts';
import type { Receipt } from '../ngdp/wire.ts';

export type {
  ContactSubscriptionOperation,
  OrganisationSubscriptionOperation,
  PublicRegistrationStatus,
  Receipt,
  ReceiptStatus,
  RegistrationStatus,
};

/**
 * NgDP's technical receipt for one bulk container (`POST /memos/` with `application/x-lzma` → 201),
 * with the messages the container carried. Each message's outcome comes later in its own business
 * receipt (`client.receipts`).
 */
export interface ContainerReceipt {
  /** NgDP's id of the transmission (the container). */
  transmissionId: string;
  /** When NgDP received the container (ISO-8601, as on the wire). */
  timeStamp: string;
  /** `RECEIVED`. */
  receiptStatus: ReceiptStatus;
  /** The messageUUIDs of the container's entries, in the order they were written. */
  messageUUIDs: string[];
  /** The size of the container as sent (compressed), in bytes. */
  bytes: number;
}

/**
 * One page of `GET /receipts-bulk/` (NgDP's `ReceiptSearchResult`). NgDP's schema marks none of the
 * counts as required: the client checks them when they are there, and does not make them up.
 */
export interface ReceiptPage {
  currentPage?: number;
  totalPages?: number;
  elementsOnPage?: number;
  totalElements?: number;
  receipts: Receipt[];
}

export interface MailboxSubscription {
  id?: string;
  version?: number;
  registrationStatus: RegistrationStatus;
  publicRegistrationStatus: PublicRegistrationStatus;
  exemptThroughPowerOfAttorney?: boolean;
  exemptionStart?: string;
  exemptionEnd?: string;
  startTime?: string;
  endTime?: string;
}

export interface NemSmsSubscription {
  id?: string;
  version?: number;
  mobileNumber?: string;
  verificationTime?: string;
  confirmedDateTime?: string;
}

/** NgDP's `Contact`: a citizen or company and their Digital Post registration. */
export interface Contact {
  id: string;
  version?: number;
  type: ContactType;
  transactionId?: string;
  cprNumber?: string;
  cvrNumber?: string;
  eligibleForVoluntaryRegistration?: boolean;
  /** Absent for citizens about to enter the registration flow. */
  mailboxSubscription?: MailboxSubscription;
  nemSmsSubscription?: NemSmsSubscription;
  lastUpdated?: string;
  createdDate?: string;
  /**
   * Real responses carry an address, which NgDP's schema does not declare: for a company a
   * `CompanyAddress`; the citizen form is not known.
   */
  address?: ContactAddress;
}

/**
 * A contact's address as real answers carry it (not in NgDP's 1.68.0 schema). The fields named are
 * those seen on a company's (`"@type": "CompanyAddress"`); any others pass through.
 */
export interface ContactAddress {
  '@type'?: string;
  id?: string;
  version?: number;
  streetName?: string;
  streetCode?: string;
  houseNumberFrom?: string;
  postalCode?: string;
  postDistrict?: string;
  municipalityCode?: string;
  municipalityName?: string;
  careOfName?: string;
  [field: string]: unknown;
}

/** A code a contact point is marked with (NgDP's `ContactPointCode`), e.g. a KLE number. */
export interface ContactPointCode {
  id?: string;
  version?: number;
  type?: 'UNKNOWN' | 'CUSTOM' | 'FORM' | 'GLN' | 'KLE' | 'SOR';
  code?: string;
  codeVersion?: string;
  name?: string;
  contactPointCodeTypeName?: string;
}

/** The link a contact point shows those who write to it (NgDP's `ReportLink`). */
export interface ReportLink {
  id?: string;
  version?: number;
  label?: string;
  description?: string;
  externalLinkText?: string;
  externalLink?: string;
}

/** NgDP's `ContactPoint` resource (named apart from the MeMo element `ContactPoint`). */
export interface ContactPointEntry {
  id: string;
  /** Counts the contact point's changes. */
  version?: number;
  transactionId?: string;
  createdDate?: string;
  lastUpdated?: string;
  name: string;
  /** Shown to those who write to it. */
  description?: string;
  /** The authority's own note; never public. */
  internalDescription?: string;
  /** Who may write to it. */
  targets?: ContactPointTarget[];
  /** The largest MeMo it takes, in MB (NgDP's default 99.5). */
  memoSizeThresholdMB?: number;
  /** The most attachments a MeMo to it may have (NgDP's default 10). */
  allowedNumberOfAttachments?: number;
  active?: boolean;
  /** Hidden contact points are reached by their id only, never found by a search. */
  visible?: boolean;
  reportLink?: ReportLink;
  organisationId?: string;
  /** The recipient system that gets its post. */
  systemId?: string;
  contactPointCodes?: ContactPointCode[];
  /** The contact groups it is in (NgDP's `ContactGroup`). */
  contactGroups?: Array<{ id?: string; name?: string; [field: string]: unknown }>;
  /** Input fields it recommends writers fill in. */
  recommendedAttributes?: Array<{ id?: string; version?: number; name?: string }>;
  /** The keywords it is found by. */
  searchTerms?: Array<{ id?: string; version?: number; term?: string }>;
  /** Its DP/DP2 mailbox ids. */
  translations?: Array<{ id?: string; version?: number; postkasseId?: number; postkasseEmneId?: number }>;
  legacyRecipientSystem?: string;
  [field: string]: unknown;
}

/** A MeMo fetched from NgDP by a recipient system. */
export interface InboxMemo {
  messageUUID: string;
  /** The XML exactly as NgDP served it. */
  xml: Buffer;
  /** The MeMo as read (leniently: see `issues`). */
  memo: Memo;
  /** Schema and NgDP-rule problems of the MeMo; empty when it is valid. */
  issues: MemoIssue[];
}

/**
 * NgDP's `ContactSubscription`: which contacts a sender system hears of (`subscriptionOperations`,
 * and the contacts it names), and where NgDP tells it (`notificationUrl`).
 */
export interface ContactSubscription {
  id: string;
  /** The subscribing sender system. */
  senderSystemIdentityId?: string;
  /** One more on every change; `update` and `delete` send it as `If-Match`. */
  version: number;
  transactionId?: string;
  subscriptionOperations?: ContactSubscriptionOperation[];
  singleContactSubscriptions?: Array<{ id?: string; version?: number; contactId: string }>;
  notificationUrl?: string;
}

/** NgDP's `ContactSubscriptionCommand`: what `create` and `update` send. */
export interface ContactSubscriptionCommand {
  /** Kinds of contacts to hear of: `ALL_CITIZENS`, `NEW_CITIZENS`, `ALL_COMPANIES`, `NEW_COMPANIES`. */
  subscriptionOperations?: ContactSubscriptionOperation[];
  /** Contacts (NgDP's contact ids) to hear of, whatever their kind. */
  singleContactSubscriptions?: string[];
  /** Where NgDP posts the notifications: an absolute http(s) URL. */
  notificationUrl: string;
}

/** NgDP's `OrganisationSenderSystemSubscription`: which organisations a sender system hears of. */
export interface OrganisationSubscription {
  id: string;
  senderSystemId?: string;
  version: number;
  transactionId?: string;
  subscriptionOperations?: OrganisationSubscriptionOperation[];
  organisationSubscriptions?: Array<{ id?: string; version?: number; cvrNumber: string }>;
  notificationUrl?: string;
}

/** NgDP's `OrganisationSenderSystemSubscriptionCommand`. */
export interface OrganisationSubscriptionCommand {
  /** `ALL_ORGANISATIONS`, `NEW_ORGANISATIONS`. */
  subscriptionOperations?: OrganisationSubscriptionOperation[];
  /** CVR numbers (8 digits) of organisations to hear of. */
  organisationSubscriptions?: string[];
  notificationUrl: string;
}
