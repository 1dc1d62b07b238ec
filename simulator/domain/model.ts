/**
 * The simulator's records. Field names follow NgDP's JSON where a record is shown on the wire; the
 * enumerations are NgDP's own (`sdk/ngdp`). Times are epoch milliseconds of the simulator clock.
 */
import type {
  AuthorityType,
  BusinessReceiptStatus,
  MessageType,
  OrganisationType,
  PublicRegistrationStatus,
  ReceiptStatus,
  RegistrationStatus,
  SystemProtocol,
  SystemType,
} from '../../sdk/ngdp/enums.ts';
import type { MessageState } from './lifecycle.ts';

export type {
  AuthorityType,
  BusinessReceiptStatus,
  MessageState,
  OrganisationType,
  PublicRegistrationStatus,
  ReceiptStatus,
  RegistrationStatus,
};
/** A system's roles (NgDP's `systemTypes`). */
export type SystemRole = SystemType;
/** How a system sends or receives (NgDP's `serviceProtocol`), of those the simulator serves. */
export type Protocol = SystemProtocol;

export interface Organisation {
  id: string;
  cvrNumber: string;
  name: string;
  type: OrganisationType;
  mandatoryPostAllowed: boolean;
  legalNotificationAllowed: boolean;
  /** What kind of authority it is (authorities only). */
  authorityType?: AuthorityType;
  /** When it was created (seeded organisations: the seed's fixed time). */
  createdDate?: number;
  /** The version of its record: 1 until Administrativ Adgang changes it (admin.md §7). */
  version?: number;
  lastUpdated?: number;
  /** What the organisation keeps itself in Administrativ Adgang (authority information). */
  info?: OrganisationInfo;
}

/** A contact person (NgDP's `Person`). */
export interface Person {
  name: string;
  email: string;
  phoneNumber: string;
}

/** The fields a standard system template fixes, as a `MailSystemCommand` gives them (admin.md §1.3). */
export interface TemplateFields {
  systemTypes: string[];
  serviceProtocol: string;
  allowedIps: Array<{ ip: string; range: boolean }>;
  endpoint?: string;
  receiptEndpoint?: string;
  technicalContact: Person;
}

/** A vendor's standard system template (NgDP's `StandardSystemTemplate`), as the simulator keeps it. */
export interface StandardSystemTemplateRecord {
  id: string;
  /** The vendor offering it: its CVR number becomes the systems' `delegatedCVR`. */
  organisationId: string;
  version: number;
  name: string;
  fields: TemplateFields;
  createdDate: number;
  lastUpdated: number;
}

/** An organisation's authority information (admin.md §7; NgDP's `OrganisationCommand`). */
export interface OrganisationInfo {
  authorityId?: string;
  authorityTerms?: boolean;
  legalContact?: Person;
  rightsIntroductionCompleted?: boolean;
  /** Its logo (a PNG; the bytes are kept apart, `engine/organisation-admin.ts`). */
  logo?: { id: string; fileSize: number; version: number };
}

/**
 * A contact group of an authority's contact structure (admin.md §2.1, NgDP's `ContactGroup`): a
 * node of a tree that contact points are placed in. Nothing is ever sent to a group.
 */
export interface ContactGroupRecord {
  id: string;
  organisationId: string;
  /** ≤ 50 characters; public. */
  name: string;
  /** ≤ 255 characters; public. */
  description: string;
  /** The group can be found and chosen as a recipient (e.g. a hospital inside a region). */
  organisationalUnit: boolean;
  /** The group it is placed under, of the same organisation; none: a root (top level). */
  parentId?: string;
  /** DP/DP2 mailbox ids of the group. */
  postkasseIds: number[];
  version: number;
  transactionId: string;
  createdDate: number;
  lastUpdated: number;
}

export interface SystemRecord {
  id: string;
  organisationId: string;
  name: string;
  roles: SystemRole[];
  protocol: Protocol;
  /** SHA-256 (hex) of the secret half of the API key. */
  apiKeyHash: string;
  sshUsername: string | null;
  sshPublicKeys: string[];
  /** Where MeMos (REST_PUSH) or notifications (publish/subscribe) go. */
  endpoint?: string;
  /** Where business receipts go (REST_PUSH senders). */
  receiptEndpoint?: string;
  activeFrom?: number;
  activeTo?: number;
  /** Single addresses or CIDR ranges of at most 32 addresses; empty = any. */
  allowedIps: string[];
  /** When the current run of failed deliveries to the system began (cleared by a success). */
  failingSince?: number;
  /** Set when every delivery failed for the deactivation window. */
  deactivatedAt?: number;
  /** Changes so far (NgDP's `version`, the ETag of `If-Match`); missing: 1. */
  version?: number;
  createdDate?: number;
  lastUpdated?: number;
  /** Set when Administrativ Adgang deleted the system: it keeps no key, role or SFTP login. */
  deletedAt?: number;
  /** Administrativ Adgang's fields of the system (`MailSystemCommand`, admin.md §1.1). */
  details?: SystemDetails;
}

/** The fields of a system that only its administration reads (`MailSystem`). */
export interface SystemDetails {
  supplier?: string;
  businessContactEmail?: string;
  /** The vendor's CVR number, for a system the vendor runs with power of attorney. */
  delegatedCVR?: string;
  technicalContact?: { name: string; email: string; phoneNumber: string };
  standardSystemTemplateId?: string;
  certificate?: SystemCertificate;
}

/** An OCES public certificate uploaded for a system (`OcesPublicCertificateCheck`). */
export interface SystemCertificate {
  id: string;
  serialNumber: string;
  subject: string;
  issuer: string;
  subjectSerialNumber?: string;
  expiryDate: number;
  sha1: string;
  md5: string;
  uploadedAt: number;
}

export interface MailboxSubscription {
  registrationStatus: RegistrationStatus;
  publicRegistrationStatus: PublicRegistrationStatus;
  /** How often the registration changed, from 1 (NgDP's `version`); absent in records from before: 1. */
  version?: number;
  /** While exempt: the Copenhagen date (`2024-01-01`) the exemption began. */
  exemptionStart?: string;
  /** While exempt: whether it was done under a power of attorney. */
  exemptThroughPowerOfAttorney?: boolean;
}

/**
 * A company's address, as real answers carry it (`"@type": "CompanyAddress"`, ngdp-api.md §7.2;
 * not in the 1.68.0 schema). The citizen form is unknown: citizens have none.
 */
export interface CompanyAddress {
  streetName?: string;
  streetCode?: string;
  houseNumberFrom?: string;
  postalCode?: string;
  postDistrict?: string;
  municipalityCode?: string;
  municipalityName?: string;
  careOfName?: string;
}

export interface Contact {
  id: string;
  /** How often the contact changed, from 1 (NgDP's `version`); absent in records from before: 1. */
  version?: number;
  type: 'CITIZEN' | 'COMPANY';
  cprNumber?: string;
  cvrNumber?: string;
  name: string;
  mailboxSubscription: MailboxSubscription;
  /** Companies only. */
  address?: CompanyAddress;
  /** A confirmed NemSMS subscription's mobile number. */
  nemSmsMobileNumber?: string;
  /** How often the NemSMS number changed, from 1; absent: 1. */
  nemSmsVersion?: number;
  /** Simulator behaviour: delay of the business receipt after delivery, in ms. */
  receiptDelayMs?: number;
  transactionId: string;
  createdDate: number;
  lastUpdated: number;
}

/** A code a contact point is marked with (NgDP's `ContactPointCode`). */
export interface ContactPointCodeRecord {
  type: 'CUSTOM' | 'FORM' | 'GLN' | 'KLE' | 'SOR';
  code: string;
  codeVersion?: string;
  name?: string;
}

/** The link a contact point shows its writers (NgDP's `ReportLink`). */
export interface ReportLinkRecord {
  label?: string;
  description?: string;
  externalLinkText?: string;
  externalLink?: string;
}

/**
 * An authority's contact point. The fields after `lastUpdated` came later: records from before lack
 * them and read with NgDP's defaults (visible, 99.5 MB, 10 attachments, none of the lists).
 */
export interface ContactPoint {
  id: string;
  organisationId: string;
  name: string;
  systemId?: string;
  targets: Array<'CITIZEN' | 'COMPANY' | 'AUTHORITY'>;
  active: boolean;
  /** The contact groups it is placed in (none: top level); a point may be in many. */
  contactGroupIds?: string[];
  createdDate: number;
  lastUpdated: number;
  /** How often it changed, from 1 (absent: 1). */
  version?: number;
  /** Public. */
  description?: string;
  /** Never public. */
  internalDescription?: string;
  /** Hidden points are left out of searches and reached by their id only (absent: visible). */
  visible?: boolean;
  /** The largest MeMo it takes, MB (absent: 99.5). */
  memoSizeThresholdMB?: number;
  /** The most attachments a MeMo to it may have (absent: 10). */
  allowedNumberOfAttachments?: number;
  /** The keywords it is found by. */
  searchTerms?: string[];
  /** The titles of the input fields it recommends writers fill in (at most 2). */
  recommendedAttributes?: string[];
  contactPointCodes?: ContactPointCodeRecord[];
  /** Its DP/DP2 mailbox ids. */
  translations?: Array<{ postkasseId: number; postkasseEmneId?: number }>;
  reportLink?: ReportLinkRecord;
}

/** Where a message goes. */
export type Route =
  | { kind: 'MAILBOX'; owner: string }
  | { kind: 'SYSTEM'; systemId: string; organisationId: string; contactPointId?: string };

export interface MessageRecord {
  messageUUID: string;
  transmissionId: string;
  messageId?: string;
  senderSystemId: string;
  /** Set for messages that came in a bulk container. */
  containerTransmissionId?: string;
  /**
   * SHA-256 (hex) of the XML as received, less a leading BOM, to tell an idempotent resend from a
   * conflict; '' for a container entry refused before it was read.
   */
  contentHash: string;
  /** SHA-256 (hex) of the XML as received, BOM and all: only when a leading BOM makes it differ. */
  sha256?: string;
  size: number;
  state: MessageState;
  receivedAt: number;
  /** Summary of the MeMo header, filled in by validation. */
  label?: string;
  messageType?: MessageType;
  recipientId?: string;
  recipientIdType?: string;
  doNotDeliverUntilDate?: string;
  route?: Route;
  /** Delivery attempts to the current target system. */
  attempts: number;
  firstAttemptAt?: number;
  /** True once the delivery moved to the organisation's default system. */
  fallback?: boolean;
  deliveredAt?: number;
  fetchedAt?: number;
  /** Business receipt status once decided. */
  businessStatus?: BusinessReceiptStatus;
  recalledAt?: number;
  /**
   * The last business receipt given, when it is pushed to the sender (the pushed receipt itself is
   * deleted once delivered): what a redelivery pushes again.
   */
  pushedReceipt?: ReceiptRecord;
}

export interface ReceiptRecord {
  /** The receipt's own id (what `/receipts/{id}` takes). */
  id: string;
  /** The system that receives the receipt. */
  systemId: string;
  transmissionId: string;
  messageUUID?: string;
  messageId?: string;
  timeStamp: number;
  receiptStatus: ReceiptStatus;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * Why a file a sender system dropped for sending (SFTP `/in`) was not taken: NgDP's `ErrorMessage`,
 * kept until the system removes it (`/out/errors/<fileName>.json`).
 */
export interface FileErrorRecord {
  systemId: string;
  /** The file's name in `/in` when it was taken. */
  fileName: string;
  createdAt: number;
  /** The ErrorMessage JSON (`code`, `message`, `fieldErrors`, and any further fields of the answer). */
  errorMessage: { code: string; message: string; fieldErrors: unknown[]; [field: string]: unknown };
}

export interface MailboxEntry {
  owner: string;
  messageUUID: string;
  deliveredAt: number;
}

export interface EventRecord {
  id: string;
  eventTag: string;
  eventTime: number;
  messageUUID?: string;
  transmissionId?: string;
  /** Systems the event concerns (sender and/or recipient system). */
  systemIds: string[];
  /** CPR/CVR numbers of the parties. */
  parties: string[];
  message?: string;
  metaProperties: Record<string, string>;
  /** The system whose call caused the event; absent when NgDP acted by itself (a job, a push). */
  actorSystemId?: string;
}

export type JobKind =
  | 'process'
  | 'deliver'
  | 'push-memo'
  | 'push-receipt'
  | 'push-notification'
  | 'receipt'
  | 'bulk'
  /** One push more of a delivered message, asked for by the control API; its outcome changes nothing. */
  | 'redeliver'
  /** The SMS of a NemSMS delivered in NgDP's quiet hours (18:00–08:00 Danish time), sent at 08:00. */
  | 'send-sms'
  /** A change notification to a sender system's contact subscription (`notificationUrl`). */
  | 'notify-subscriber'
  /** The end of something the administration made: a company's exemption, a mailbox access. */
  | 'expire';

export interface Job {
  id: string;
  kind: JobKind;
  dueAt: number;
  /** Monotonic sequence: jobs due at the same time run in the order they were scheduled. */
  seq: number;
  messageUUID?: string;
  receiptId?: string;
  attempt: number;
  /** How often running the job threw (the scheduler gives up after a few). */
  failures?: number;
  /** Free-form payload of the job kind. */
  data?: Record<string, string | number | boolean>;
}
