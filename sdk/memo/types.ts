/**
 * The MeMo message model (MeMo 1.1 and 1.2), one TypeScript shape for both versions.
 *
 * Property names follow the MeMo element names: leaf elements keep their exact name
 * (`messageUUID`, `recipientID`), complex elements are lower camel case (`MessageHeader` →
 * `messageHeader`, `CPRdata` → `cprData`, `EMail` → `email`), and repeatable elements are arrays
 * with plural names where the element name is singular (`File` → `files`, `Action` → `actions`,
 * `AdditionalDocument` → `additionalDocuments`). Elements that exist only in MeMo 1.2 are marked.
 *
 * Values are kept as the XML text: identifiers stay strings (leading zeros survive), date-times are
 * ISO-8601 strings (`2025-06-01T08:30:00Z`), dates are `YYYY-MM-DD`. Booleans are booleans and file
 * contents are the decoded bytes.
 *
 * @packageDocumentation
 */
import type { MessageType } from '../ngdp/enums.ts';

/** `MessageHeader/messageType`: NgDP's `MaterialMessageType`. */
export type { MessageType };

/** The MeMo versions this library reads and writes. */
export type MemoVersion = '1.1' | '1.2';

/** A MeMo message: the root element `memo:Message`. */
export interface Memo {
  /** The `memoVersion` attribute. */
  version: MemoVersion;
  /**
   * The `memoSchVersion` attribute: required in 1.1 (`1.1.0`, which the serializer writes when this
   * is left out), not allowed in 1.2.
   */
  schemaVersion?: string;
  messageHeader: MessageHeader;
  /** Optional in the schema; NemSMS messages normally have none. */
  messageBody?: MessageBody;
}

/** `memo:MessageHeader`. */
export interface MessageHeader {
  messageType: MessageType;
  /** A version 4 UUID identifying the message; also the name NgDP files it under. */
  messageUUID: string;
  messageID?: string;
  messageCode?: string;
  /** The subject shown to the recipient (at most 256 characters). */
  label: string;
  /** Notification text; for NemSMS the SMS text itself (150 characters; 160 in the 1.2 schema). */
  notification?: string;
  additionalNotification?: string;
  reply?: boolean;
  /** A UTC date-time ending in `Z`. */
  replyByDateTime?: string;
  /** The value date (`YYYY-MM-DD`, Danish calendar date): NgDP holds the message until then. */
  doNotDeliverUntilDate?: string;
  /** Required in 1.1 (the serializer writes `false` when left out), optional in 1.2. */
  mandatory?: boolean;
  /** Required in 1.1 (the serializer writes `false` when left out), optional in 1.2. */
  legalNotification?: boolean;
  /** E.g. `MYNDIGHEDSPOST` or `VIRKSOMHEDSPOST`. */
  postType?: string;
  sender: Sender;
  recipient: Recipient;
  contentData?: ContentData;
  forwardData?: ForwardData;
  replyData?: ReplyData[];
}

/** `memo:Sender`. */
export interface Sender {
  senderID: string;
  /** `CVR` or `CPR` (case-insensitive on input). */
  idType: string;
  idTypeLabel?: string;
  label: string;
  attentionData?: AttentionData;
  contactPoint?: ContactPoint;
  /** MeMo 1.2 only. */
  representative?: Representative;
}

/** `memo:Recipient`. */
export interface Recipient {
  recipientID: string;
  /** `CPR` or `CVR` (case-insensitive on input). */
  idType: string;
  idTypeLabel?: string;
  label?: string;
  attentionData?: AttentionData;
  contactPoint?: ContactPoint;
}

/** `memo:Representative` (MeMo 1.2 only). */
export interface Representative {
  representativeID?: string;
  idType?: string;
  idTypeLabel?: string;
  label?: string;
}

/** `memo:AttentionData`: who or what inside the party the message concerns. */
export interface AttentionData {
  attentionPerson?: AttentionPerson;
  productionUnit?: ProductionUnit;
  globalLocationNumber?: GlobalLocationNumber;
  email?: EMail;
  seNumber?: SENumber;
  telephone?: Telephone;
  eid?: EID;
  contentResponsible?: ContentResponsible;
  generatingSystem?: GeneratingSystem;
  sorData?: SORData;
  address?: Address;
  unstructuredAddress?: UnstructuredAddress;
}

/** `memo:AttentionPerson`. */
export interface AttentionPerson {
  personID?: string;
  label?: string;
}

/** `grd:ProductionUnit`. */
export interface ProductionUnit {
  /** P-number: an integer of at most 10 digits, kept as text. */
  productionUnitNumber: string;
  productionUnitName?: string;
}

/** `gln:GlobalLocationNumber`. */
export interface GlobalLocationNumber {
  /** GLN: an integer of at most 13 digits, kept as text. */
  globalLocationNumber: string;
  location?: string;
}

/** `memo:EMail`. */
export interface EMail {
  emailAddress: string;
  relatedAgent?: string;
}

/** `grd:SEnumber`. */
export interface SENumber {
  seNumber: string;
  companyName?: string;
}

/** `memo:Telephone`. */
export interface Telephone {
  telephoneNumber: string;
  relatedAgent?: string;
}

/** `grd:EID`. */
export interface EID {
  eID: string;
  label?: string;
}

/** `memo:ContentResponsible`. */
export interface ContentResponsible {
  contentResponsibleID?: string;
  label?: string;
}

/** `memo:GeneratingSystem`. */
export interface GeneratingSystem {
  generatingSystemID: string;
  label?: string;
}

/** `sor:SORdata`. */
export interface SORData {
  sorIdentifier: string;
  entryName?: string;
}

/** `grd:Address`. */
export interface Address {
  id?: string;
  addressLabel?: string;
  houseNumber?: string;
  door?: string;
  floor?: string;
  co?: string;
  zipCode?: string;
  city?: string;
  country?: string;
  addressPoint?: AddressPoint;
}

/** `grd:AddressPoint`. */
export interface AddressPoint {
  geographicEastingMeasure?: string;
  geographicNorthingMeasure?: string;
  geographicHeightMeasure?: string;
}

/** `grd:UnstructuredAddress`: an alternative to {@link Address}, used alone. */
export interface UnstructuredAddress {
  unstructured: string;
}

/** `memo:ContactPoint`. */
export interface ContactPoint {
  contactGroup?: string;
  contactPointID: string;
  label?: string;
  /** At most 2. */
  contactInfo?: ContactInfo[];
}

/** `memo:ContactInfo`. */
export interface ContactInfo {
  label: string;
  value: string;
}

/** `memo:ContentData`: structured data about what the message concerns. */
export interface ContentData {
  cprData?: CPRData;
  cvrData?: CVRData;
  motorVehicle?: MotorVehicle;
  propertyNumber?: PropertyNumber;
  caseId?: CaseID;
  kleData?: KLEData;
  formData?: FORMData;
  productionUnit?: ProductionUnit;
  education?: Education;
  address?: Address;
  unstructuredAddress?: UnstructuredAddress;
  /** At most 10. */
  additionalContentData?: AdditionalContentData[];
}

/** `grd:CPRdata`. */
export interface CPRData {
  cprNumber: string;
  name?: string;
}

/** `grd:CVRdata`. */
export interface CVRData {
  cvrNumber: string;
  companyName?: string;
}

/** `dmv:MotorVehicle`. */
export interface MotorVehicle {
  /** At most 7 characters. */
  licenseNumber: string;
  chassisNumber?: string;
}

/** `grd:PropertyNumber`. */
export interface PropertyNumber {
  propertyNumber: string;
}

/** `memo:CaseID`. */
export interface CaseID {
  caseID: string;
  caseSystem: string;
}

/** `kle:KLEdata`. */
export interface KLEData {
  subjectKey: string;
  version: string;
  activityFacet?: string;
  label: string;
}

/** `form:FORMdata`. */
export interface FORMData {
  taskKey: string;
  version: string;
  activityFacet?: string;
  label: string;
}

/** `udd:Education`. */
export interface Education {
  educationCode: string;
  educationName?: string;
}

/** `memo:AdditionalContentData`. */
export interface AdditionalContentData {
  contentDataType?: string;
  contentDataName: string;
  contentDataValue: string;
}

/** `memo:ForwardData`: set when the message forwards another one. */
export interface ForwardData {
  messageUUID: string;
  originalMessageDateTime: string;
  originalSender: string;
  originalContentResponsible?: string;
  /** MeMo 1.2 only. */
  originalRepresentative?: string;
  contactPointID?: string;
  /** At most 512 characters. */
  comment?: string;
}

/** `memo:ReplyData`: identifies the message this one answers (or the thread it belongs to). */
export interface ReplyData {
  messageID?: string;
  messageUUID: string;
  replyUUID?: string;
  senderID?: string;
  recipientID?: string;
  caseID?: string;
  contactPointID?: string;
  generatingSystemID?: string;
  /** At most 512 characters. */
  comment?: string;
  /** At most 4. */
  additionalReplyData?: AdditionalReplyData[];
}

/** `memo:AdditionalReplyData`. */
export interface AdditionalReplyData {
  label: string;
  value: string;
}

/** `memo:MessageBody`. */
export interface MessageBody {
  /** A UTC date-time ending in `Z`. */
  createdDateTime: string;
  mainDocument: MainDocument;
  additionalDocuments?: AdditionalDocument[];
  technicalDocuments?: TechnicalDocument[];
}

/** `memo:MainDocument`: the letter itself. */
export interface MainDocument {
  mainDocumentID?: string;
  label?: string;
  /** At least one: the same document in one or more formats. */
  files: MemoFile[];
  actions?: Action[];
}

/** `memo:AdditionalDocument`: an attachment shown to the recipient. */
export interface AdditionalDocument {
  additionalDocumentID?: string;
  label?: string;
  files: MemoFile[];
  actions?: Action[];
}

/** `memo:TechnicalDocument`: machine-readable data for the recipient's systems. */
export interface TechnicalDocument {
  technicalDocumentID?: string;
  label?: string;
  files: MemoFile[];
}

/** `memo:File`. */
export interface MemoFile {
  /** A MIME type such as `application/pdf`. */
  encodingFormat: string;
  filename: string;
  /** A language code of at most two letters, e.g. `da`. */
  language: string;
  /** The file's bytes (base64 in the XML). */
  content: Uint8Array;
}

/** `memo:Action`: a button on the document; at most one of `reservation` and `entryPoint`. */
export interface Action {
  label: string;
  /** E.g. `SELVBETJENING`, `AFTALE`, `BETALING`. */
  actionCode: string;
  startDateTime?: string;
  endDateTime?: string;
  reservation?: Reservation;
  entryPoint?: EntryPoint;
}

/** `memo:Reservation`: a calendar entry. */
export interface Reservation {
  description: string;
  reservationUUID: string;
  abstract: string;
  location: string;
  startDateTime: string;
  endDateTime: string;
  organizerMail?: string;
  organizerName?: string;
}

/** `memo:EntryPoint`. */
export interface EntryPoint {
  /** An absolute `https://` URL of at most 256 characters. */
  url: string;
}

/** One problem found in a MeMo. */
export interface MemoIssue {
  /**
   * Where, as element names from below the root, e.g. `MessageHeader/Recipient/recipientID`;
   * repeatable elements carry a 1-based index (`MessageBody/AdditionalDocument[2]/File[1]`),
   * attributes an `@` (`@memoVersion`). Empty for problems with the document as a whole.
   */
  path: string;
  /** A stable code, e.g. `VALUE_TOO_LONG`; the codes are listed in docs/memo.md. */
  code: string;
  /** A sentence for humans. */
  message: string;
}
