/**
 * How a line of NgDP's event log is classified beyond its tag: the `subject` and `type` that the tag
 * combines ("A tag that combines the subject and type into a single searchable topic", OpenAPI
 * `EventLog.eventTag`), the `channel` it travelled on, and which of its details are NgDP's
 * `MetaData` (`metaProperties`) rather than free `eventProperties`. NgDP documents the fields, not
 * their values: the values are the simulator's reading of the tag names (docs/differences.md).
 */
import type { EventTagName } from '../../sdk/ngdp/enums.ts';

/** The subjects tags begin with, longest first so that the first prefix that fits is the right one. */
const SUBJECTS = [
  'DELAYED_MEMO_MESSAGE',
  'DELAYED_MEMO_SEND',
  'TECHNICAL_RECEIPT',
  'BUSINESS_RECEIPT',
  'PHYSICAL_LETTER',
  'MEMO_MASS_SEND',
  'MEMO_ARCHIVE',
  'NOTIFICATION',
  'MEMO_SEND',
  'MEMO_SYSTEM',
  'NEM_SMS',
  'MESSAGE',
  'SYSTEM',
  'MEMO',
] as const;

/** The channel of each subject; a subject not here travels on its own name. */
const CHANNELS: Readonly<Record<string, string>> = {
  DELAYED_MEMO_MESSAGE: 'MEMO',
  DELAYED_MEMO_SEND: 'MEMO',
  TECHNICAL_RECEIPT: 'RECEIPT',
  BUSINESS_RECEIPT: 'RECEIPT',
  MEMO_MASS_SEND: 'MEMO',
  MEMO_ARCHIVE: 'MEMO',
  MEMO_SEND: 'MEMO',
  MEMO_SYSTEM: 'MEMO',
  NEM_SMS: 'NEMSMS',
};

export interface EventClass {
  subject: string;
  type: string;
  channel: string;
}

/**
 * A tag's subject, type and channel: `MEMO_SEND_RECEIVED` is subject `MEMO_SEND`, type `RECEIVED`,
 * channel `MEMO`; `NEM_SMS_SENT_SUCCESSFULLY` subject `NEM_SMS`, channel `NEMSMS`. A tag of no
 * known subject is its own subject, of type `UNKNOWN`.
 */
export function eventClassOf(tag: EventTagName | string): EventClass {
  const subject = SUBJECTS.find((prefix) => tag.startsWith(`${prefix}_`));
  if (subject === undefined) return { subject: tag, type: 'UNKNOWN', channel: tag };
  return { subject, type: tag.slice(subject.length + 1), channel: CHANNELS[subject] ?? subject };
}

/** The properties of NgDP's `MetaData` (OpenAPI 1.68.0): what the event log shows as `metaProperties`. */
export const METADATA_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'statisticsMetadata',
  'messageId',
  'messageUUID',
  'messageType',
  'recipientContactPointId',
  'recipientContactPointLabel',
  'recipientContactPointName',
  'senderContactPointId',
  'contentResponsibleId',
  'contentResponsibleIdentityId',
  'attachmentCount',
  'numberOfAttachments',
  'label',
  'documentLabel',
  'documentId',
  'title',
  'legalNotification',
  'mandatory',
  'recipientSystem',
  'recipientSystemName',
  'doNotDeliverUntilDate',
  'senderSystem',
  'senderSystemName',
  'senderSystemReceiptEndpoint',
  'senderSystemSmtpEndpoint',
  'contentLength',
  'size',
  'senderID',
  'senderIdentityId',
  'sender',
  'recipientID',
  'recipientIdentityId',
  'recipient',
  'transmissionId',
  'version',
  'senderType',
  'recipientType',
  'receiptStatus',
  'recalled',
]);

/** Who acts when NgDP itself does something (admin.md §3.4: automatic actions show as "System"). */
export const AUTOMATIC_ACTOR = 'SYSTEM';
