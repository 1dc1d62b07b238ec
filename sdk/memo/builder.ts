/**
 * Short ways to build the common MeMo messages: a letter with documents, a NemSMS, and a reply to a
 * message a citizen or company sent. Each result is validated (NgDP rules) before it is returned.
 * For anything else, write the {@link Memo} object yourself — the types are the full model.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { DigitalPostError, InvalidOptionsError, MemoValidationError } from '../errors.ts';
import { copenhagenDate } from '../ngdp/time.ts';
import type {
  Action,
  AttentionData,
  ContactPoint,
  ContentData,
  Memo,
  MemoFile,
  MemoVersion,
  MessageHeader,
  Recipient,
  ReplyData,
  Sender,
} from './types.ts';
import { type ValidateOptions, validateMemo } from './validate.ts';

/** A new random (version 4) UUID, as MeMo requires for `messageUUID` and friends. */
export function newMessageUUID(): string {
  return randomUUID();
}

/** A date-time in MeMo's form: UTC with `Z`, milliseconds only when there are any. */
export function toMemoDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new InvalidOptionsError('toMemoDateTime: invalid Date');
  return date.toISOString().replace('.000Z', 'Z');
}

/** The Danish calendar date (Europe/Copenhagen) of an instant, as `YYYY-MM-DD`. */
export function toCopenhagenDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new InvalidOptionsError('toCopenhagenDate: invalid Date');
  return copenhagenDate(date.getTime());
}

/** MIME types by file extension, for the formats Digital Post letters carry. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.htm': 'text/html',
  '.html': 'text/html',
  '.xml': 'text/xml',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.rtf': 'application/rtf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.ods': 'application/vnd.oasis.opendocument.spreadsheet',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** A file for a document: a path, or bytes with a filename. */
export type FileInput =
  | string
  | { path: string; filename?: string; encodingFormat?: string; language?: string }
  | { content: Uint8Array; filename: string; encodingFormat?: string; language?: string };

/** A document: one file, or several formats of the same document with a label and actions. */
export type DocumentInput =
  | FileInput
  | { files: FileInput[]; label?: string; id?: string; actions?: Action[] };

/** The sending organisation. */
export interface SenderInput {
  /** The sender's CVR number (8 digits). */
  cvr: string;
  /** The name shown to the recipient. */
  label: string;
  attentionData?: AttentionData;
  contactPoint?: ContactPoint;
}

/** The recipient: a citizen by CPR number or a company/authority by CVR number. */
export type RecipientInput = ({ cpr: string; cvr?: never } | { cvr: string; cpr?: never }) & {
  label?: string;
  attentionData?: AttentionData;
  contactPoint?: ContactPoint;
};

/** Fields every builder accepts. */
export interface CommonOptions extends ValidateOptions {
  /** MeMo version to write; default `1.2`. */
  version?: MemoVersion;
  /** Default: a new random UUID. */
  messageUUID?: string;
  messageID?: string;
  messageCode?: string;
  postType?: string;
  /** The time the message is created; default now. */
  now?: Date;
  /** Validate the result with {@link validateMemo} (NgDP rules) and throw when invalid; default true. */
  validate?: boolean;
}

/** Options of {@link createLetter}. */
export interface LetterOptions extends CommonOptions {
  sender: SenderInput;
  recipient: RecipientInput;
  /** The subject. */
  label: string;
  /** The letter itself. */
  document: DocumentInput;
  /** Attachments (AdditionalDocument), shown with the letter. */
  attachments?: DocumentInput[];
  /** Machine-readable documents (TechnicalDocument). */
  technicalDocuments?: DocumentInput[];
  notification?: string;
  additionalNotification?: string;
  /** Value date: NgDP holds the letter until this Danish calendar date (`YYYY-MM-DD` or a Date). */
  doNotDeliverUntil?: string | Date;
  reply?: boolean;
  replyBy?: string | Date;
  mandatory?: boolean;
  legalNotification?: boolean;
  contentData?: ContentData;
  replyData?: ReplyData[];
  /** Language of the files; default `da`. */
  language?: string;
}

/** Options of {@link createNemSms}. */
export interface NemSmsOptions extends CommonOptions {
  sender: SenderInput;
  recipient: RecipientInput;
  /** The header label (not sent as SMS text). */
  label: string;
  /** The SMS text (at most 150 characters by default). */
  text: string;
}

/** Options of {@link createReply}: a letter without sender and recipient, which the original gives. */
export interface ReplyOptions extends Omit<LetterOptions, 'sender' | 'recipient'> {
  /** The name shown as sender; default the original recipient's label. */
  senderLabel?: string;
  /** Override the reply's ReplyData entry (e.g. to add caseID or a comment). */
  replyDataExtra?: Partial<ReplyData>;
}

function senderOf(input: SenderInput): Sender {
  if (typeof input?.cvr !== 'string')
    throw new InvalidOptionsError('sender.cvr must be a string of 8 digits');
  return {
    senderID: input.cvr,
    idType: 'CVR',
    label: input.label,
    ...(input.attentionData && { attentionData: input.attentionData }),
    ...(input.contactPoint && { contactPoint: input.contactPoint }),
  };
}

function recipientOf(input: RecipientInput): Recipient {
  const hasCpr = typeof input?.cpr === 'string';
  const hasCvr = typeof input?.cvr === 'string';
  if (hasCpr === hasCvr) throw new InvalidOptionsError('recipient must have exactly one of cpr and cvr');
  return {
    recipientID: (hasCpr ? input.cpr : input.cvr) as string,
    idType: hasCpr ? 'CPR' : 'CVR',
    ...(input.label !== undefined && { label: input.label }),
    ...(input.attentionData && { attentionData: input.attentionData }),
    ...(input.contactPoint && { contactPoint: input.contactPoint }),
  };
}

async function fileOf(input: FileInput, language: string): Promise<MemoFile> {
  const spec = typeof input === 'string' ? { path: input } : input;
  let content: Uint8Array;
  let filename: string;
  if ('path' in spec) {
    try {
      content = await readFile(spec.path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new DigitalPostError('FILE_UNREADABLE', `cannot read the file "${spec.path}": ${reason}`, {
        cause: error,
      });
    }
    filename = spec.filename ?? basename(spec.path);
  } else {
    if (!(spec.content instanceof Uint8Array))
      throw new InvalidOptionsError('file content must be a Uint8Array or Buffer');
    content = spec.content;
    filename = spec.filename;
  }
  const encodingFormat = spec.encodingFormat ?? MEDIA_TYPES[extname(filename).toLowerCase()];
  if (encodingFormat === undefined) {
    throw new DigitalPostError(
      'FILE_TYPE_UNKNOWN',
      `cannot tell the MIME type of "${filename}" from its extension; pass encodingFormat`,
    );
  }
  return { encodingFormat, filename, language: spec.language ?? language, content };
}

interface BuiltDocument {
  id?: string;
  label?: string;
  files: MemoFile[];
  actions?: Action[];
}

async function documentOf(input: DocumentInput, language: string): Promise<BuiltDocument> {
  if (typeof input === 'object' && 'files' in input) {
    return {
      ...(input.id !== undefined && { id: input.id }),
      ...(input.label !== undefined && { label: input.label }),
      files: await Promise.all(input.files.map((file) => fileOf(file, language))),
      ...(input.actions !== undefined && { actions: input.actions }),
    };
  }
  return { files: [await fileOf(input, language)] };
}

/** MeMo date-times are conventionally whole seconds (`2025-06-01T08:30:00Z`). */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function dateOf(value: string | Date): string {
  return value instanceof Date ? toCopenhagenDate(value) : value;
}

function dateTimeOf(value: string | Date): string {
  return value instanceof Date ? toMemoDateTime(value) : value;
}

function finish(memo: Memo, options: CommonOptions): Memo {
  if (options.validate === false) return memo;
  const result = validateMemo(memo, options);
  if (!result.valid) throw new MemoValidationError(result.issues, 'the built MeMo is not valid');
  return memo;
}

function headerBase(
  options: CommonOptions,
): Pick<MessageHeader, 'messageUUID' | 'messageID' | 'messageCode'> {
  return {
    messageUUID: options.messageUUID ?? newMessageUUID(),
    ...(options.messageID !== undefined && { messageID: options.messageID }),
    ...(options.messageCode !== undefined && { messageCode: options.messageCode }),
  };
}

type LetterContent = Omit<LetterOptions, 'sender' | 'recipient'>;

async function buildLetter(options: LetterContent, sender: Sender, recipient: Recipient): Promise<Memo> {
  const language = options.language ?? 'da';
  const [main, attachments, technical] = await Promise.all([
    documentOf(options.document, language),
    Promise.all((options.attachments ?? []).map((d) => documentOf(d, language))),
    Promise.all((options.technicalDocuments ?? []).map((d) => documentOf(d, language))),
  ]);
  const header: MessageHeader = {
    messageType: 'DIGITALPOST',
    ...headerBase(options),
    label: options.label,
    ...(options.notification !== undefined && { notification: options.notification }),
    ...(options.additionalNotification !== undefined && {
      additionalNotification: options.additionalNotification,
    }),
    ...(options.reply !== undefined && { reply: options.reply }),
    ...(options.replyBy !== undefined && { replyByDateTime: dateTimeOf(options.replyBy) }),
    ...(options.doNotDeliverUntil !== undefined && {
      doNotDeliverUntilDate: dateOf(options.doNotDeliverUntil),
    }),
    ...(options.mandatory !== undefined && { mandatory: options.mandatory }),
    ...(options.legalNotification !== undefined && { legalNotification: options.legalNotification }),
    ...(options.postType !== undefined && { postType: options.postType }),
    sender,
    recipient,
    ...(options.contentData !== undefined && { contentData: options.contentData }),
    ...(options.replyData !== undefined && { replyData: options.replyData }),
  };
  const memo: Memo = {
    version: options.version ?? '1.2',
    messageHeader: header,
    messageBody: {
      createdDateTime: toMemoDateTime(wholeSeconds(options.now ?? new Date())),
      mainDocument: {
        ...(main.id !== undefined && { mainDocumentID: main.id }),
        ...(main.label !== undefined && { label: main.label }),
        files: main.files,
        ...(main.actions !== undefined && { actions: main.actions }),
      },
      ...(attachments.length > 0 && {
        additionalDocuments: attachments.map((d) => ({
          ...(d.id !== undefined && { additionalDocumentID: d.id }),
          ...(d.label !== undefined && { label: d.label }),
          files: d.files,
          ...(d.actions !== undefined && { actions: d.actions }),
        })),
      }),
      ...(technical.length > 0 && {
        technicalDocuments: technical.map((d) => ({
          ...(d.id !== undefined && { technicalDocumentID: d.id }),
          ...(d.label !== undefined && { label: d.label }),
          files: d.files,
        })),
      }),
    },
  };
  return finish(memo, options);
}

/**
 * Builds a Digital Post letter.
 *
 * @example
 * const memo = await createLetter({
 *   sender: { cvr: '12345678', label: 'Eksempel Kommune' },
 *   recipient: { cpr: '0101901234' },
 *   label: 'Afgørelse om boligstøtte',
 *   document: './afgoerelse.pdf',
 *   attachments: [{ content: csvBytes, filename: 'beregning.csv' }],
 *   doNotDeliverUntil: '2025-06-02',
 * });
 * @throws MemoValidationError when the result breaks the schema or NgDP's rules.
 */
export async function createLetter(options: LetterOptions): Promise<Memo> {
  return buildLetter(options, senderOf(options.sender), recipientOf(options.recipient));
}

/** Builds a NemSMS: the text goes in `notification`, and there is no MessageBody. */
export function createNemSms(options: NemSmsOptions): Memo {
  const memo: Memo = {
    version: options.version ?? '1.2',
    messageHeader: {
      messageType: 'NEMSMS',
      ...headerBase(options),
      label: options.label,
      notification: options.text,
      ...(options.postType !== undefined && { postType: options.postType }),
      sender: senderOf(options.sender),
      recipient: recipientOf(options.recipient),
    },
  };
  return finish(memo, options);
}

/**
 * Builds the answer to a message a citizen or company sent to your organisation: sender and
 * recipient are swapped, the contact point the original was sent to becomes the sender's, and a
 * ReplyData entry points at the original (its messageUUID, messageID and parties).
 */
export async function createReply(original: Memo, options: ReplyOptions): Promise<Memo> {
  const from = original.messageHeader.recipient;
  const to = original.messageHeader.sender;
  const senderLabel = options.senderLabel ?? from.label;
  if (senderLabel === undefined) {
    throw new InvalidOptionsError('createReply: the original recipient has no label; pass senderLabel');
  }
  const sender: Sender = {
    senderID: from.recipientID,
    idType: from.idType.toUpperCase(),
    label: senderLabel,
    ...(from.contactPoint && { contactPoint: from.contactPoint }),
  };
  const recipient: Recipient = { recipientID: to.senderID, idType: to.idType.toUpperCase(), label: to.label };
  const header = original.messageHeader;
  const replyData: ReplyData = {
    ...(header.messageID !== undefined && { messageID: header.messageID }),
    messageUUID: header.messageUUID,
    senderID: to.senderID,
    recipientID: from.recipientID,
    ...(from.contactPoint && { contactPointID: from.contactPoint.contactPointID }),
    ...options.replyDataExtra,
  };
  return buildLetter({ ...options, replyData: [replyData, ...(options.replyData ?? [])] }, sender, recipient);
}
