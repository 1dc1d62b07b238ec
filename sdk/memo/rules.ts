/**
 * NgDP's rules beyond the MeMo schema (memo.md §5). They run on a model that may itself break the
 * schema, so every access is guarded. Identifiers are never echoed in messages: they may be CPR
 * numbers.
 */

import { isOneOf, RECIPIENT_ID_TYPES } from '../ngdp/enums.ts';
import { isCprNumber, isCvrNumber } from '../ngdp/identifiers.ts';
import type {
  Action,
  AdditionalDocument,
  MainDocument,
  Memo,
  MemoFile,
  MemoIssue,
  TechnicalDocument,
} from './types.ts';
import type { ValidationSettings } from './validate.ts';

/** The Action codes of DIGST's "Vejledning til Actions og frister i MeMo" (R8). */
export const ACTION_CODES: readonly string[] = [
  'AFTALE',
  'BEKRAEFT',
  'BETALING',
  'FORBEREDELSE',
  'INFORMATION',
  'SELVBETJENING',
  'TILMELDING',
  'UNDERSKRIV',
];

/** Characters NgDP rejects in filenames since 10 Sep 2025 (R7). */
export const FORBIDDEN_FILENAME_CHARACTERS = /[<>:"/\\|?*\r\n\u00a0\u2000-\u200a\u2028\u205f\u2060\u3000]/u;

const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$/;

type Report = (path: string, code: string, message: string) => void;

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function join(path: string, step: string): string {
  return path === '' ? step : `${path}/${step}`;
}

/** Checks a party identifier against its idType (CPR: 10 digits, CVR: 8 digits). */
function checkIdentifier(idType: unknown, id: unknown, path: string, field: string, report: Report): void {
  if (!isString(idType) || !isString(id)) return;
  const kind = idType.toUpperCase();
  const found = `found ${id.length} characters`;
  if (kind === 'CPR' && !isCprNumber(id)) {
    report(join(path, field), 'CPR_INVALID', `${field} must be a CPR number of exactly 10 digits (${found})`);
  } else if (kind === 'CVR' && !isCvrNumber(id)) {
    report(join(path, field), 'CVR_INVALID', `${field} must be a CVR number of exactly 8 digits (${found})`);
  }
}

function checkParty(party: unknown, path: string, idField: string, report: Report): void {
  if (typeof party !== 'object' || party === null) return;
  const { idType } = party as { idType?: unknown };
  if (isString(idType) && !isOneOf(RECIPIENT_ID_TYPES, idType.toUpperCase())) {
    report(join(path, 'idType'), 'ID_TYPE_UNSUPPORTED', `idType must be CPR or CVR, got "${idType}"`);
  }
  checkIdentifier(idType, (party as Record<string, unknown>)[idField], path, idField, report);
}

function timeOf(value: unknown): number | undefined {
  if (!isString(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function checkAction(action: Action, path: string, report: Report, warn: Report): void {
  if (isString(action.actionCode) && !ACTION_CODES.includes(action.actionCode)) {
    report(
      join(path, 'actionCode'),
      'ACTION_CODE_UNKNOWN',
      `actionCode must be one of ${ACTION_CODES.join(', ')}; got "${action.actionCode}"`,
    );
  }
  const url = action.entryPoint?.url;
  if (isString(url)) {
    let https = false;
    try {
      https = new URL(url.trim()).protocol === 'https:';
    } catch {
      https = false;
    }
    if (!https) {
      report(join(path, 'EntryPoint/url'), 'ACTION_URL_NOT_HTTPS', 'url must be an absolute https:// URL');
    }
  }
  if (action.actionCode === 'AFTALE' && action.reservation === undefined) {
    warn(path, 'ACTION_TARGET_MISMATCH', 'an AFTALE action normally carries a Reservation');
  } else if (action.reservation !== undefined && action.actionCode !== 'AFTALE') {
    warn(
      path,
      'ACTION_TARGET_MISMATCH',
      `a Reservation normally goes with actionCode AFTALE, not ${String(action.actionCode)}`,
    );
  }
  for (const [owner, span] of [
    [path, action],
    [join(path, 'Reservation'), action.reservation],
  ] as const) {
    const start = timeOf(span?.startDateTime);
    const end = timeOf(span?.endDateTime);
    if (start !== undefined && end !== undefined && end < start) {
      warn(owner, 'ACTION_ENDS_BEFORE_START', 'endDateTime is before startDateTime');
    }
  }
}

/** Why NgDP refuses `filename` as a file's name (R7), or undefined when it takes it. */
export function filenameProblem(filename: string): { code: string; message: string } | undefined {
  if (filename.trim() === '') return { code: 'FILENAME_EMPTY', message: 'filename must not be empty' };
  const bad = FORBIDDEN_FILENAME_CHARACTERS.exec(filename);
  if (bad === null) return undefined;
  const shown = /^[\x21-\x7e]$/.test(bad[0])
    ? `"${bad[0]}"`
    : `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return { code: 'FILENAME_FORBIDDEN_CHARACTER', message: `filename must not contain ${shown}` };
}

function checkFile(file: MemoFile, path: string, report: Report): number {
  if (isString(file.filename)) {
    const problem = filenameProblem(file.filename);
    if (problem !== undefined) report(join(path, 'filename'), problem.code, problem.message);
  }
  if (isString(file.encodingFormat) && !MIME_TYPE.test(file.encodingFormat)) {
    report(
      join(path, 'encodingFormat'),
      'ENCODING_FORMAT_INVALID',
      `encodingFormat must be a MIME type such as application/pdf, got "${file.encodingFormat}"`,
    );
  }
  return file.content instanceof Uint8Array ? file.content.byteLength : 0;
}

type AnyDocument = MainDocument | AdditionalDocument | TechnicalDocument;

function checkDocument(document: AnyDocument, path: string, report: Report, warn: Report): number {
  let bytes = 0;
  if (Array.isArray(document.files)) {
    document.files.forEach((file, i) => {
      if (typeof file === 'object' && file !== null)
        bytes += checkFile(file, join(path, `File[${i + 1}]`), report);
    });
  }
  const actions = 'actions' in document ? document.actions : undefined;
  if (Array.isArray(actions)) {
    actions.forEach((action, i) => {
      if (typeof action === 'object' && action !== null)
        checkAction(action, join(path, `Action[${i + 1}]`), report, warn);
    });
  }
  return bytes;
}

function checkAddresses(holder: unknown, path: string, warn: Report): void {
  if (typeof holder !== 'object' || holder === null) return;
  const { address, unstructuredAddress } = holder as Record<string, unknown>;
  if (address !== undefined && unstructuredAddress !== undefined) {
    warn(path, 'ADDRESS_AMBIGUOUS', 'Address and UnstructuredAddress are alternatives; use one of them');
  }
}

/** Appends NgDP's rule violations to `issues` and softer findings to `warnings`. */
export function checkNgdpRules(
  memo: Memo,
  settings: ValidationSettings,
  issues: MemoIssue[],
  warnings: MemoIssue[],
): void {
  const report: Report = (path, code, message) => issues.push({ path, code, message });
  const warn: Report = (path, code, message) => warnings.push({ path, code, message });
  if (memo.version === '1.1' && memo.schemaVersion !== undefined && memo.schemaVersion !== '1.1.0') {
    warn(
      '@memoSchVersion',
      'SCHEMA_VERSION_UNEXPECTED',
      `memoSchVersion is "${memo.schemaVersion}"; MeMo 1.1 uses "1.1.0"`,
    );
  }
  const header = memo.messageHeader;
  if (typeof header !== 'object' || header === null) return;
  const h = 'MessageHeader';
  if (isString(header.label) && header.label.trim() === '')
    report(`${h}/label`, 'EMPTY_VALUE', 'label must not be empty');
  checkParty(header.sender, `${h}/Sender`, 'senderID', report);
  checkParty(header.recipient, `${h}/Recipient`, 'recipientID', report);
  const representative = header.sender?.representative;
  if (representative !== undefined) {
    checkIdentifier(
      representative.idType,
      representative.representativeID,
      `${h}/Sender/Representative`,
      'representativeID',
      report,
    );
  }
  checkAddresses(header.sender?.attentionData, `${h}/Sender/AttentionData`, warn);
  checkAddresses(header.recipient?.attentionData, `${h}/Recipient/AttentionData`, warn);
  const content = header.contentData;
  if (content !== undefined) {
    checkIdentifier('CPR', content.cprData?.cprNumber, `${h}/ContentData/CPRdata`, 'cprNumber', report);
    checkIdentifier('CVR', content.cvrData?.cvrNumber, `${h}/ContentData/CVRdata`, 'cvrNumber', report);
    checkAddresses(content, `${h}/ContentData`, warn);
  }
  if (
    isString(header.doNotDeliverUntilDate) &&
    !/^\s*-?\d{4,}-\d\d-\d\d\s*$/.test(header.doNotDeliverUntilDate)
  ) {
    warn(
      `${h}/doNotDeliverUntilDate`,
      'VALUE_DATE_HAS_TIMEZONE',
      'doNotDeliverUntilDate is a Danish calendar date; leave out the time zone',
    );
  }

  if (
    header.messageType === 'NEMSMS' &&
    (!isString(header.notification) || header.notification.trim() === '')
  ) {
    report(
      `${h}/notification`,
      'NEMSMS_TEXT_REQUIRED',
      'a NemSMS carries its text in notification, which is missing',
    );
  }
  const body = memo.messageBody;
  if (header.messageType === 'DIGITALPOST' && body === undefined) {
    report(
      'MessageBody',
      'MESSAGE_BODY_REQUIRED',
      'a DIGITALPOST message must have a MessageBody with a MainDocument',
    );
  }
  if (typeof body !== 'object' || body === null) return;

  let bytes = 0;
  if (typeof body.mainDocument === 'object' && body.mainDocument !== null) {
    bytes += checkDocument(body.mainDocument, 'MessageBody/MainDocument', report, warn);
  }
  const attachments = Array.isArray(body.additionalDocuments) ? body.additionalDocuments : [];
  attachments.forEach((document, i) => {
    if (typeof document === 'object' && document !== null) {
      bytes += checkDocument(document, `MessageBody/AdditionalDocument[${i + 1}]`, report, warn);
    }
  });
  const technical = Array.isArray(body.technicalDocuments) ? body.technicalDocuments : [];
  technical.forEach((document, i) => {
    if (typeof document === 'object' && document !== null) {
      bytes += checkDocument(document, `MessageBody/TechnicalDocument[${i + 1}]`, report, warn);
    }
  });
  if (attachments.length > settings.maxAttachments) {
    report(
      'MessageBody',
      'TOO_MANY_ATTACHMENTS',
      `the message has ${attachments.length} attachments (AdditionalDocument); at most ${settings.maxAttachments} are allowed`,
    );
  }
  if (bytes > settings.maxTotalContentBytes) {
    report(
      'MessageBody',
      'MESSAGE_TOO_LARGE',
      `the files total ${bytes} bytes; at most ${settings.maxTotalContentBytes} are allowed`,
    );
  }
}
