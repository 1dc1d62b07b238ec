/**
 * The MeMos the recipient profiles put in front of a vendor's recipient system (shared by
 * `recipient-pull`, `recipient-push` and `recipient-pubsub`): ordinary letters, letters that use
 * every part of MeMo 1.1 and 1.2, the same letter written in the other XML forms a reader must
 * take (a byte order mark, other namespace prefixes, CDATA, line-broken base64, character
 * references), ten attachments, a MeMo of 50 MB — and invalid ones that NgDP itself would never
 * pass on (not XML, not a MeMo, breaking the schema or NgDP's rules, a header naming another
 * messageUUID), which the suite delivers unchecked to see that the system refuses them.
 *
 * Every MeMo is new bytes for each run: its messageUUID is drawn from the run's stream, and the
 * 50 MB one is a keystream of the seed, so building it costs a few hundred milliseconds and no
 * file on disk.
 */
import { createCipheriv, createHash } from 'node:crypto';
import type { Memo, MemoFile, MemoVersion, MessageHeader } from '../../sdk/memo/types.ts';
import { serializeMemo, serializeMemoToBytes } from '../../sdk/memo/writer.ts';
import type { Random } from '../prng.ts';

/** Who sends the MeMos (an authority with the suite's own sender system) and who gets them. */
export const RECIPIENT_PARTIES = {
  sender: { cvr: '12345678', label: 'Testkommune' },
  /** The vendor's organisation: a company whose default recipient system is the vendor's. */
  recipient: { cvr: '87654321', label: 'Modtager ApS' },
} as const;

/** What a MeMo of the corpus is there to show. */
export type MemoGroup =
  /** Plain letters: the everyday case. */
  | 'ordinary'
  /** Valid MeMos using the optional parts of MeMo 1.1 and 1.2. */
  | 'feature'
  /** A valid MeMo written in another XML form than the SDK's writer uses. */
  | 'xml-form'
  /** Ten attachments, NgDP's most. */
  | 'attachments'
  /** 50 MB of XML. */
  | 'large'
  /** Not a valid MeMo: to be refused (an INVALID business receipt), never taken as valid. */
  | 'invalid';

/** The kinds of MeMo the suite can make, with what each shows. */
export const MEMO_KINDS = {
  'letter-1.2': { group: 'ordinary', title: 'a plain MeMo 1.2 letter' },
  'letter-1.1': { group: 'ordinary', title: 'a plain MeMo 1.1 letter' },
  'letter-attachments': { group: 'ordinary', title: 'a letter with two attachments' },
  'rich-1.2': {
    group: 'feature',
    title:
      'MeMo 1.2 with every header part: attention data, contact point, representative, content data, reply data, actions',
  },
  'rich-1.1': { group: 'feature', title: 'MeMo 1.1 with every part 1.1 has' },
  forward: { group: 'feature', title: 'a forwarded message (ForwardData)' },
  'technical-documents': {
    group: 'feature',
    title: 'technical documents and a main document in two formats',
  },
  'mandatory-legal': { group: 'feature', title: 'mandatory post that is a legal notification' },
  'value-dated': { group: 'feature', title: 'a letter with a value date, offered on that date' },
  bom: { group: 'xml-form', title: 'a byte order mark before the XML declaration' },
  'other-prefix': { group: 'xml-form', title: 'another namespace prefix (m: for memo:)' },
  'default-namespace': { group: 'xml-form', title: 'MeMo’s namespace as the default namespace' },
  'indented-crlf': { group: 'xml-form', title: 'indented, with CRLF line ends' },
  'base64-lines': { group: 'xml-form', title: 'file content as base64 broken into 76-character lines' },
  cdata: { group: 'xml-form', title: 'texts and file content in CDATA sections' },
  'character-references': {
    group: 'xml-form',
    title: 'character references (&#230;, &#x2014;) in texts and base64',
  },
  'ten-attachments': { group: 'attachments', title: 'ten attachments, NgDP’s most' },
  large: { group: 'large', title: 'a MeMo of 50 MB (a 37.5 MB attachment)' },
  'not-xml': { group: 'invalid', title: 'bytes that are not XML' },
  truncated: { group: 'invalid', title: 'a MeMo cut off in the middle' },
  'not-memo': { group: 'invalid', title: 'well-formed XML that is not a MeMo' },
  'schema-invalid': { group: 'invalid', title: 'a MeMo without its label (against the schema)' },
  'bad-recipient-id': {
    group: 'invalid',
    title: 'a MeMo whose recipient CVR has 7 digits (against NgDP’s rules)',
  },
  'eleven-attachments': { group: 'invalid', title: 'eleven attachments, one more than NgDP allows' },
  'http-action': { group: 'invalid', title: 'an Action whose link is http://, not https://' },
  'uuid-mismatch': {
    group: 'invalid',
    title: 'a MeMo whose header names another messageUUID than it is offered under',
  },
} as const satisfies Record<string, { group: MemoGroup; title: string }>;

export type MemoKind = keyof typeof MEMO_KINDS;

/** The group of a kind. */
export const groupOf = (kind: MemoKind): MemoGroup => MEMO_KINDS[kind].group;

/** One MeMo made for a scenario. */
export interface CorpusMemo {
  kind: MemoKind;
  /** The messageUUID it is offered under (for `uuid-mismatch`, not the one in its header). */
  messageUUID: string;
  bytes: Buffer;
  /** A valid MeMo (NgDP takes it); false: it must be refused. */
  valid: boolean;
  /** `YYYY-MM-DD`: offered only from this Danish date (`value-dated`). */
  valueDate?: string;
}

/** What the builder needs from the run. */
export interface CorpusContext {
  /** The stream the scenario's choices draw from (messageUUIDs). */
  random: Random;
  /** The run's seed: the large MeMo's content is drawn from it. */
  seed: number;
  /** Simulator time now (ms): createdDateTime, value dates. */
  now: number;
  /** `YYYY-MM-DD`, the Danish date a value-dated MeMo is for. */
  valueDate: string;
}

/** The size of the large MeMo's attachment: its base64 alone is 50,000,000 bytes. */
export const LARGE_ATTACHMENT_BYTES = 37_500_000;

/** A version 4 UUID from `random`. */
export function uuidFrom(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const pdf = (text: string): Uint8Array => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`);

const file = (filename: string, content: Uint8Array, encodingFormat = 'application/pdf'): MemoFile => ({
  encodingFormat,
  filename,
  language: 'da',
  content,
});

function header(kind: MemoKind, messageUUID: string, version: MemoVersion): MessageHeader {
  return {
    messageType: 'DIGITALPOST',
    messageUUID,
    label: `Conformance: ${MEMO_KINDS[kind].title}`.slice(0, 256),
    ...(version === '1.1' ? { mandatory: false, legalNotification: false } : {}),
    sender: {
      senderID: RECIPIENT_PARTIES.sender.cvr,
      idType: 'CVR',
      label: RECIPIENT_PARTIES.sender.label,
    },
    recipient: {
      recipientID: RECIPIENT_PARTIES.recipient.cvr,
      idType: 'CVR',
      label: RECIPIENT_PARTIES.recipient.label,
    },
  };
}

/** A letter: one main document (unique to the MeMo), `attachments` attachments. */
function letter(
  kind: MemoKind,
  messageUUID: string,
  context: CorpusContext,
  options: { version?: MemoVersion; attachments?: number } = {},
): Memo {
  const version = options.version ?? '1.2';
  return {
    version,
    messageHeader: header(kind, messageUUID, version),
    messageBody: {
      createdDateTime: iso(context.now),
      mainDocument: {
        label: 'Brev',
        files: [file('Brev.pdf', pdf(`${kind} ${messageUUID}`))],
      },
      ...((options.attachments ?? 0) > 0 && {
        additionalDocuments: Array.from({ length: options.attachments ?? 0 }, (_, index) => ({
          label: `Bilag ${index + 1}`,
          files: [
            file(
              `Bilag ${index + 1}.csv`,
              Buffer.from(`bilag;${index + 1}\n${messageUUID};${kind}\n`),
              'text/csv',
            ),
          ],
        })),
      }),
    },
  };
}

/** Every optional part of the MeMo header and body that `version` has. */
function rich(kind: MemoKind, messageUUID: string, context: CorpusContext, version: MemoVersion): Memo {
  const memo = letter(kind, messageUUID, context, { version, attachments: 1 });
  const h = memo.messageHeader;
  Object.assign(h, {
    messageID: `KONF-${messageUUID.slice(0, 8)}`,
    messageCode: 'Konformitet',
    notification: 'Du har fået svar på din henvendelse.',
    additionalNotification: 'Svar vedr. sag KONF-1',
    reply: true,
    replyByDateTime: iso(context.now + 14 * 86_400_000),
    postType: 'MYNDIGHEDSPOST',
  });
  h.sender.attentionData = {
    attentionPerson: { personID: 'sagsbehandler-42', label: 'Karin Sagsbehandler' },
    email: { emailAddress: 'sag@testkommune.dk', relatedAgent: 'Borgerservice' },
    telephone: { telephoneNumber: '70101010' },
    contentResponsible: { contentResponsibleID: '12345678', label: 'Teknik og Miljø' },
    generatingSystem: { generatingSystemID: 'SAG-01', label: 'Sagssystem' },
  };
  h.sender.contactPoint = {
    contactGroup: 'sager',
    contactPointID: 'a2f0c7de-51b4-4c3a-9f0e-6b1d2c3e4f50',
    label: 'Sager',
    contactInfo: [{ label: 'Sagsnummer', value: 'KONF-1' }],
  };
  if (version === '1.2')
    h.sender.representative = { representativeID: '11223344', idType: 'CVR', label: 'Forsyning A/S' };
  h.recipient.attentionData = {
    productionUnit: { productionUnitNumber: '1012345678', productionUnitName: 'Lager' },
    globalLocationNumber: { globalLocationNumber: '5790000123456', location: 'Lager' },
    seNumber: { seNumber: '12345678', companyName: 'Modtager ApS' },
    eid: { eID: 'EID-1', label: 'Modtagelse' },
    sorData: { sorIdentifier: '123456789012345', entryName: 'Klinik' },
    address: {
      addressLabel: 'Eksempelvej',
      houseNumber: '12',
      floor: '1',
      door: 'tv',
      zipCode: '8000',
      city: 'Aarhus C',
      country: 'DK',
    },
  };
  h.contentData = {
    cprData: { cprNumber: '0101901234', name: 'Jens Jensen' },
    cvrData: { cvrNumber: RECIPIENT_PARTIES.recipient.cvr, companyName: 'Modtager ApS' },
    motorVehicle: { licenseNumber: 'AB12345', chassisNumber: 'WVWZZZ1JZXW000001' },
    propertyNumber: { propertyNumber: '751-123456' },
    caseId: { caseID: 'KONF-1', caseSystem: 'Sagssystem' },
    kleData: { subjectKey: '02.00.00', version: 'KLE 2025', activityFacet: 'G01', label: 'Byggeri' },
    formData: { taskKey: '02.00.00', version: 'FORM 2025', activityFacet: 'G01', label: 'Byggeri' },
    education: { educationCode: '5080', educationName: 'Tømrer' },
    unstructuredAddress: { unstructured: 'Eksempelvej 12, 8000 Aarhus C' },
    additionalContentData: [
      { contentDataType: 'Sag', contentDataName: 'Art', contentDataValue: 'Carport' },
      { contentDataName: 'Areal', contentDataValue: '36 m2' },
    ],
  };
  h.replyData = [
    {
      messageID: 'HENV-777',
      messageUUID: 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f',
      replyUUID: 'd5e6f7a8-b9c0-4d1e-8f2a-3b4c5d6e7f80',
      senderID: RECIPIENT_PARTIES.recipient.cvr,
      recipientID: RECIPIENT_PARTIES.sender.cvr,
      caseID: 'KONF-1',
      comment: 'Svar på henvendelsen',
      additionalReplyData: [{ label: 'Reference', value: 'J.nr. 02.34.02-P19-123-25' }],
    },
  ];
  const main = memo.messageBody?.mainDocument;
  if (main !== undefined) {
    main.mainDocumentID = 'DOC-1';
    main.actions = [
      {
        label: 'Se sagen',
        actionCode: 'SELVBETJENING',
        endDateTime: iso(context.now + 30 * 86_400_000),
        entryPoint: { url: 'https://selvbetjening.testkommune.dk/sag?id=KONF-1&src=dp' },
      },
      {
        label: 'Tilsyn',
        actionCode: 'AFTALE',
        reservation: {
          description: 'Tilsynsbesøg',
          reservationUUID: '0e9d8c7b-6a5f-4e3d-b2c1-a0f9e8d7c6b5',
          abstract: 'Tilsyn',
          location: 'Eksempelvej 12, 8000 Aarhus C',
          startDateTime: iso(context.now + 7 * 86_400_000),
          endDateTime: iso(context.now + 7 * 86_400_000 + 3_600_000),
          organizerMail: 'sag@testkommune.dk',
          organizerName: 'Karin Sagsbehandler',
        },
      },
    ];
  }
  return memo;
}

/** `xml` with every `<memo:` / `</memo:` element and the `xmlns:memo` declaration renamed. */
function withPrefix(xml: string, prefix: string | null): string {
  const tag = prefix === null ? '$1' : `$1${prefix}:`;
  const declaration = prefix === null ? 'xmlns=' : `xmlns:${prefix}=`;
  return xml.replace(/(<\/?)memo:/g, tag).replace('xmlns:memo=', declaration);
}

/** Each base64 `content` of `xml` passed through `rewrite`. */
const eachContent = (xml: string, rewrite: (base64: string) => string): string =>
  xml.replace(
    /(<memo:content>)([^<]*)(<\/memo:content>)/g,
    (_, open: string, text: string, close: string) => open + rewrite(text) + close,
  );

const lines = (text: string, width: number, end: string): string =>
  (text.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(end);

/** The XML of the letter of `kind`, written in the form `kind` names. */
function xmlForm(kind: MemoKind, memo: Memo): Buffer {
  switch (kind) {
    case 'bom':
      return serializeMemoToBytes(memo, { byteOrderMark: true });
    case 'other-prefix':
      return Buffer.from(withPrefix(serializeMemo(memo), 'm'));
    case 'default-namespace':
      return Buffer.from(withPrefix(serializeMemo(memo), null));
    case 'indented-crlf':
      return Buffer.from(serializeMemo(memo, { indent: 2 }).replace(/\n/g, '\r\n'));
    case 'base64-lines':
      return Buffer.from(eachContent(serializeMemo(memo), (text) => `\r\n${lines(text, 76, '\r\n')}\r\n`));
    case 'cdata':
      return Buffer.from(
        eachContent(serializeMemo(memo), (text) => `<![CDATA[${lines(text, 76, '\n')}]]>`).replace(
          /(<memo:label>)([^<]*)(<\/memo:label>)/,
          (_, open: string, text: string, close: string) => `${open}<![CDATA[${text}]]>${close}`,
        ),
      );
    case 'character-references':
      return Buffer.from(
        eachContent(serializeMemo(memo), (text) => `&#${text.charCodeAt(0)};${text.slice(1)}`).replace(
          /(<memo:label>)Conformance:/,
          '$1Konformit&#230;t &#x2014;',
        ),
      );
    default:
      return serializeMemoToBytes(memo);
  }
}

/** `length` bytes of a keystream drawn from `seed` and `name`: incompressible, reproducible, fast. */
export function keystream(seed: number, name: string, length: number): Buffer {
  const key = createHash('sha256').update(`${seed}/${name}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

function invalid(kind: MemoKind, messageUUID: string, context: CorpusContext): Buffer {
  const good = letter(kind, messageUUID, context);
  const xml = serializeMemo(good);
  switch (kind) {
    case 'not-xml':
      return Buffer.concat([Buffer.from('%PDF-1.4\n'), keystream(context.seed, messageUUID, 512)]);
    case 'truncated':
      return Buffer.from(xml.slice(0, Math.floor(xml.length / 2)));
    case 'not-memo':
      return Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?><faktura xmlns="urn:example:faktura"><id>${messageUUID}</id><beloeb>125.00</beloeb></faktura>`,
      );
    case 'schema-invalid':
      return Buffer.from(xml.replace(/<memo:label>[^<]*<\/memo:label>/, ''));
    case 'bad-recipient-id':
      return Buffer.from(
        xml.replace(
          `<memo:recipientID>${RECIPIENT_PARTIES.recipient.cvr}</memo:recipientID>`,
          `<memo:recipientID>${RECIPIENT_PARTIES.recipient.cvr.slice(1)}</memo:recipientID>`,
        ),
      );
    case 'eleven-attachments':
      return serializeMemoToBytes(letter(kind, messageUUID, context, { attachments: 11 }));
    case 'http-action': {
      const main = good.messageBody?.mainDocument;
      if (main !== undefined)
        main.actions = [
          {
            label: 'Se sagen',
            actionCode: 'SELVBETJENING',
            entryPoint: { url: 'http://selvbetjening.testkommune.dk/sag' },
          },
        ];
      return serializeMemoToBytes(good);
    }
    case 'uuid-mismatch':
      return serializeMemoToBytes(letter(kind, uuidFrom(context.random), context));
    default:
      throw new Error(`${kind} is not an invalid kind`);
  }
}

/**
 * Makes a MeMo of `kind` under a messageUUID drawn from `context.random`.
 *
 * @throws MemoSerializeError only for a bug in the corpus.
 */
export function buildMemo(kind: MemoKind, context: CorpusContext): CorpusMemo {
  const messageUUID = uuidFrom(context.random);
  const made = (bytes: Buffer, extra: Partial<CorpusMemo> = {}): CorpusMemo => ({
    kind,
    messageUUID,
    bytes,
    valid: groupOf(kind) !== 'invalid',
    ...extra,
  });
  switch (kind) {
    case 'letter-1.2':
      return made(serializeMemoToBytes(letter(kind, messageUUID, context)));
    case 'letter-1.1':
      return made(serializeMemoToBytes(letter(kind, messageUUID, context, { version: '1.1' })));
    case 'letter-attachments':
      return made(serializeMemoToBytes(letter(kind, messageUUID, context, { attachments: 2 })));
    case 'ten-attachments':
      return made(serializeMemoToBytes(letter(kind, messageUUID, context, { attachments: 10 })));
    case 'rich-1.2':
      return made(serializeMemoToBytes(rich(kind, messageUUID, context, '1.2')));
    case 'rich-1.1':
      return made(serializeMemoToBytes(rich(kind, messageUUID, context, '1.1')));
    case 'forward': {
      const memo = letter(kind, messageUUID, context);
      memo.messageHeader.forwardData = {
        messageUUID: 'e6f7a8b9-c0d1-4e2f-8a3b-4c5d6e7f8091',
        originalMessageDateTime: iso(context.now - 86_400_000),
        originalSender: 'Andenkommune',
        originalContentResponsible: 'Borgerservice',
        originalRepresentative: 'Forsyning A/S',
        comment: 'Videresendt til rette myndighed',
      };
      return made(serializeMemoToBytes(memo));
    }
    case 'technical-documents': {
      const memo = letter(kind, messageUUID, context);
      const body = memo.messageBody;
      if (body !== undefined) {
        body.mainDocument.files.push(file('Brev.html', Buffer.from(`<p>${messageUUID}</p>`), 'text/html'));
        body.technicalDocuments = [
          {
            technicalDocumentID: 'TEK-1',
            label: 'Data',
            files: [file('data.json', Buffer.from(`{"sag":"${messageUUID}"}`), 'application/json')],
          },
        ];
      }
      return made(serializeMemoToBytes(memo));
    }
    case 'mandatory-legal': {
      const memo = letter(kind, messageUUID, context);
      Object.assign(memo.messageHeader, { mandatory: true, legalNotification: true });
      return made(serializeMemoToBytes(memo));
    }
    case 'value-dated': {
      const memo = letter(kind, messageUUID, context);
      memo.messageHeader.doNotDeliverUntilDate = context.valueDate;
      return made(serializeMemoToBytes(memo), { valueDate: context.valueDate });
    }
    case 'large': {
      const memo = letter(kind, messageUUID, context);
      if (memo.messageBody !== undefined)
        memo.messageBody.additionalDocuments = [
          {
            label: 'Stort bilag',
            files: [
              file(
                'Stort bilag.bin',
                keystream(context.seed, messageUUID, LARGE_ATTACHMENT_BYTES),
                'application/octet-stream',
              ),
            ],
          },
        ];
      return made(serializeMemoToBytes(memo));
    }
    default:
      return groupOf(kind) === 'xml-form'
        ? made(xmlForm(kind, letter(kind, messageUUID, context)))
        : made(invalid(kind, messageUUID, context));
  }
}
