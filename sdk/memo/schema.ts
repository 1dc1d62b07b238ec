/**
 * The MeMo 1.1 / 1.2 schema as data: every element, in XSD order, with its namespace, cardinality,
 * type and the model property it maps to. The parser, the validator and the serializer all walk
 * this one table, so a schema rule lives here and nowhere else.
 */
import type { MemoVersion } from './types.ts';

/** The namespaces MeMo elements live in, by their customary prefix. */
export const MEMO_NAMESPACES = {
  memo: 'https://DigitalPost.dk/MeMo-1',
  grd: 'https://data.gov.dk/model/core/',
  gln: 'https://www.gs1.dk/gs1-standarder/identifikation/gln-global-location-number/',
  kle: 'http://kle-online.dk/',
  form: 'http://www.form-online.dk/',
  dmv: 'https://motorregister.skat.dk/',
  sor: 'https://services.nsi.dk/en/Services/SOR',
  udd: 'https://www.dst.dk/da/TilSalg/Forskningsservice/Dokumentation/hoejkvalitetsvariable/elevregister-2/udd#',
} as const;

export type NamespacePrefix = keyof typeof MEMO_NAMESPACES;

/** The simple types of MeMo leaves (dt: types and the XSD built-ins MeMo uses). */
export type SimpleTypeName =
  | 'text'
  | 'comment'
  | 'notification'
  | 'uuid'
  | 'dateTime'
  | 'date'
  | 'boolean'
  | 'language'
  | 'uri'
  | 'licenseNumber'
  | 'gln'
  | 'pNumber'
  | 'messageType'
  | 'base64';

export interface ComplexType {
  /** The element name, used in messages. */
  readonly name: string;
  readonly particles: readonly Particle[];
  /** Particle lookup by `namespace URI + ' ' + local name`. */
  readonly byName: ReadonlyMap<string, Particle>;
}

export interface Particle {
  /** Local element name. */
  readonly name: string;
  readonly prefix: NamespacePrefix;
  readonly namespace: string;
  /** Model property name. */
  readonly key: string;
  readonly min: number;
  readonly max: number;
  readonly type: SimpleTypeName | ComplexType;
  /** Position in the content model; members of one `xs:choice` share it. */
  readonly slot: number;
  /** Set on the members of an `xs:choice`: at most one of them may be present. */
  readonly choice?: string;
  /** The element exists only in this version. */
  readonly only?: MemoVersion;
  /** The element is required in this version and optional in the other. */
  readonly requiredIn?: MemoVersion;
}

interface ParticleSpec {
  name: string;
  prefix?: NamespacePrefix;
  key?: string;
  min?: number;
  max?: number;
  type: SimpleTypeName | ComplexType;
  choice?: string;
  only?: MemoVersion;
  requiredIn?: MemoVersion;
}

function complex(name: string, specs: ParticleSpec[], defaultPrefix: NamespacePrefix = 'memo'): ComplexType {
  const particles: Particle[] = [];
  let slot = -1;
  let previousChoice: string | undefined;
  for (const spec of specs) {
    if (spec.choice === undefined || spec.choice !== previousChoice) slot++;
    previousChoice = spec.choice;
    const prefix = spec.prefix ?? defaultPrefix;
    particles.push({
      name: spec.name,
      prefix,
      namespace: MEMO_NAMESPACES[prefix],
      key: spec.key ?? spec.name,
      min: spec.min ?? 1,
      max: spec.max ?? 1,
      type: spec.type,
      slot,
      ...(spec.choice === undefined ? {} : { choice: spec.choice }),
      ...(spec.only === undefined ? {} : { only: spec.only }),
      ...(spec.requiredIn === undefined ? {} : { requiredIn: spec.requiredIn }),
    });
  }
  return { name, particles, byName: new Map(particles.map((p) => [`${p.namespace} ${p.name}`, p])) };
}

const opt = { min: 0 } as const;
const many = { min: 0, max: Number.POSITIVE_INFINITY } as const;

const AttentionPerson = complex('AttentionPerson', [
  { name: 'personID', type: 'text', ...opt },
  { name: 'label', type: 'text', ...opt },
]);
const ProductionUnit = complex(
  'ProductionUnit',
  [
    { name: 'productionUnitNumber', type: 'pNumber' },
    { name: 'productionUnitName', type: 'text', ...opt },
  ],
  'grd',
);
const GlobalLocationNumber = complex(
  'GlobalLocationNumber',
  [
    { name: 'globalLocationNumber', type: 'gln' },
    { name: 'location', type: 'text', ...opt },
  ],
  'gln',
);
const EMail = complex('EMail', [
  { name: 'emailAddress', type: 'text' },
  { name: 'relatedAgent', type: 'text', ...opt },
]);
const SEnumber = complex(
  'SEnumber',
  [
    { name: 'seNumber', type: 'text' },
    { name: 'companyName', type: 'text', ...opt },
  ],
  'grd',
);
const Telephone = complex('Telephone', [
  { name: 'telephoneNumber', type: 'text' },
  { name: 'relatedAgent', type: 'text', ...opt },
]);
const EID = complex(
  'EID',
  [
    { name: 'eID', type: 'text' },
    { name: 'label', type: 'text', ...opt },
  ],
  'grd',
);
const ContentResponsible = complex('ContentResponsible', [
  { name: 'contentResponsibleID', type: 'text', ...opt },
  { name: 'label', type: 'text', ...opt },
]);
const GeneratingSystem = complex('GeneratingSystem', [
  { name: 'generatingSystemID', type: 'text' },
  { name: 'label', type: 'text', ...opt },
]);
const SORdata = complex(
  'SORdata',
  [
    { name: 'sorIdentifier', type: 'text' },
    { name: 'entryName', type: 'text', ...opt },
  ],
  'sor',
);
const AddressPoint = complex(
  'AddressPoint',
  [
    { name: 'geographicEastingMeasure', type: 'text', ...opt },
    { name: 'geographicNorthingMeasure', type: 'text', ...opt },
    { name: 'geographicHeightMeasure', type: 'text', ...opt },
  ],
  'grd',
);
const Address = complex(
  'Address',
  [
    { name: 'id', type: 'text', ...opt },
    { name: 'addressLabel', type: 'text', ...opt },
    { name: 'houseNumber', type: 'text', ...opt },
    { name: 'door', type: 'text', ...opt },
    { name: 'floor', type: 'text', ...opt },
    { name: 'co', type: 'text', ...opt },
    { name: 'zipCode', type: 'text', ...opt },
    { name: 'city', type: 'text', ...opt },
    { name: 'country', type: 'text', ...opt },
    { name: 'AddressPoint', key: 'addressPoint', type: AddressPoint, ...opt },
  ],
  'grd',
);
const UnstructuredAddress = complex('UnstructuredAddress', [{ name: 'unstructured', type: 'text' }], 'grd');

const AttentionData = complex('AttentionData', [
  { name: 'AttentionPerson', key: 'attentionPerson', type: AttentionPerson, ...opt },
  { name: 'ProductionUnit', prefix: 'grd', key: 'productionUnit', type: ProductionUnit, ...opt },
  {
    name: 'GlobalLocationNumber',
    prefix: 'gln',
    key: 'globalLocationNumber',
    type: GlobalLocationNumber,
    ...opt,
  },
  { name: 'EMail', key: 'email', type: EMail, ...opt },
  { name: 'SEnumber', prefix: 'grd', key: 'seNumber', type: SEnumber, ...opt },
  { name: 'Telephone', key: 'telephone', type: Telephone, ...opt },
  { name: 'EID', prefix: 'grd', key: 'eid', type: EID, ...opt },
  { name: 'ContentResponsible', key: 'contentResponsible', type: ContentResponsible, ...opt },
  { name: 'GeneratingSystem', key: 'generatingSystem', type: GeneratingSystem, ...opt },
  { name: 'SORdata', prefix: 'sor', key: 'sorData', type: SORdata, ...opt },
  { name: 'Address', prefix: 'grd', key: 'address', type: Address, ...opt },
  {
    name: 'UnstructuredAddress',
    prefix: 'grd',
    key: 'unstructuredAddress',
    type: UnstructuredAddress,
    ...opt,
  },
]);

const ContactInfo = complex('ContactInfo', [
  { name: 'label', type: 'text' },
  { name: 'value', type: 'text' },
]);
const ContactPoint = complex('ContactPoint', [
  { name: 'contactGroup', type: 'text', ...opt },
  { name: 'contactPointID', type: 'text' },
  { name: 'label', type: 'text', ...opt },
  { name: 'ContactInfo', key: 'contactInfo', type: ContactInfo, min: 0, max: 2 },
]);

const Representative = complex('Representative', [
  { name: 'representativeID', type: 'text', ...opt },
  { name: 'idType', type: 'text', ...opt },
  { name: 'idTypeLabel', type: 'text', ...opt },
  { name: 'label', type: 'text', ...opt },
]);

const Sender = complex('Sender', [
  { name: 'senderID', type: 'text' },
  { name: 'idType', type: 'text' },
  { name: 'idTypeLabel', type: 'text', ...opt },
  { name: 'label', type: 'text' },
  { name: 'AttentionData', key: 'attentionData', type: AttentionData, ...opt },
  { name: 'ContactPoint', key: 'contactPoint', type: ContactPoint, ...opt },
  { name: 'Representative', key: 'representative', type: Representative, ...opt, only: '1.2' },
]);
const Recipient = complex('Recipient', [
  { name: 'recipientID', type: 'text' },
  { name: 'idType', type: 'text' },
  { name: 'idTypeLabel', type: 'text', ...opt },
  { name: 'label', type: 'text', ...opt },
  { name: 'AttentionData', key: 'attentionData', type: AttentionData, ...opt },
  { name: 'ContactPoint', key: 'contactPoint', type: ContactPoint, ...opt },
]);

const CPRdata = complex(
  'CPRdata',
  [
    { name: 'cprNumber', type: 'text' },
    { name: 'name', type: 'text', ...opt },
  ],
  'grd',
);
const CVRdata = complex(
  'CVRdata',
  [
    { name: 'cvrNumber', type: 'text' },
    { name: 'companyName', type: 'text', ...opt },
  ],
  'grd',
);
const MotorVehicle = complex(
  'MotorVehicle',
  [
    { name: 'licenseNumber', type: 'licenseNumber' },
    { name: 'chassisNumber', type: 'text', ...opt },
  ],
  'dmv',
);
const PropertyNumber = complex('PropertyNumber', [{ name: 'propertyNumber', type: 'text' }], 'grd');
const CaseID = complex('CaseID', [
  { name: 'caseID', type: 'text' },
  { name: 'caseSystem', type: 'text' },
]);
const KLEdata = complex(
  'KLEdata',
  [
    { name: 'subjectKey', type: 'text' },
    { name: 'version', type: 'text' },
    { name: 'activityFacet', type: 'text', ...opt },
    { name: 'label', type: 'text' },
  ],
  'kle',
);
const FORMdata = complex(
  'FORMdata',
  [
    { name: 'taskKey', type: 'text' },
    { name: 'version', type: 'text' },
    { name: 'activityFacet', type: 'text', ...opt },
    { name: 'label', type: 'text' },
  ],
  'form',
);
const Education = complex(
  'Education',
  [
    { name: 'educationCode', type: 'text' },
    { name: 'educationName', type: 'text', ...opt },
  ],
  'udd',
);
const AdditionalContentData = complex('AdditionalContentData', [
  { name: 'contentDataType', type: 'text', ...opt },
  { name: 'contentDataName', type: 'text' },
  { name: 'contentDataValue', type: 'text' },
]);
const ContentData = complex('ContentData', [
  { name: 'CPRdata', prefix: 'grd', key: 'cprData', type: CPRdata, ...opt },
  { name: 'CVRdata', prefix: 'grd', key: 'cvrData', type: CVRdata, ...opt },
  { name: 'MotorVehicle', prefix: 'dmv', key: 'motorVehicle', type: MotorVehicle, ...opt },
  { name: 'PropertyNumber', prefix: 'grd', key: 'propertyNumber', type: PropertyNumber, ...opt },
  { name: 'CaseID', key: 'caseId', type: CaseID, ...opt },
  { name: 'KLEdata', prefix: 'kle', key: 'kleData', type: KLEdata, ...opt },
  { name: 'FORMdata', prefix: 'form', key: 'formData', type: FORMdata, ...opt },
  { name: 'ProductionUnit', prefix: 'grd', key: 'productionUnit', type: ProductionUnit, ...opt },
  { name: 'Education', prefix: 'udd', key: 'education', type: Education, ...opt },
  { name: 'Address', prefix: 'grd', key: 'address', type: Address, ...opt },
  {
    name: 'UnstructuredAddress',
    prefix: 'grd',
    key: 'unstructuredAddress',
    type: UnstructuredAddress,
    ...opt,
  },
  {
    name: 'AdditionalContentData',
    key: 'additionalContentData',
    type: AdditionalContentData,
    min: 0,
    max: 10,
  },
]);

const ForwardData = complex('ForwardData', [
  { name: 'messageUUID', type: 'uuid' },
  { name: 'originalMessageDateTime', type: 'dateTime' },
  { name: 'originalSender', type: 'text' },
  { name: 'originalContentResponsible', type: 'text', ...opt },
  { name: 'originalRepresentative', type: 'text', ...opt, only: '1.2' },
  { name: 'contactPointID', type: 'text', ...opt },
  { name: 'comment', type: 'comment', ...opt },
]);

const AdditionalReplyData = complex('AdditionalReplyData', [
  { name: 'label', type: 'text' },
  { name: 'value', type: 'text' },
]);
const ReplyData = complex('ReplyData', [
  { name: 'messageID', type: 'text', ...opt },
  { name: 'messageUUID', type: 'uuid' },
  { name: 'replyUUID', type: 'uuid', ...opt },
  { name: 'senderID', type: 'text', ...opt },
  { name: 'recipientID', type: 'text', ...opt },
  { name: 'caseID', type: 'text', ...opt },
  { name: 'contactPointID', type: 'text', ...opt },
  { name: 'generatingSystemID', type: 'text', ...opt },
  { name: 'comment', type: 'comment', ...opt },
  { name: 'AdditionalReplyData', key: 'additionalReplyData', type: AdditionalReplyData, min: 0, max: 4 },
]);

const MessageHeader = complex('MessageHeader', [
  { name: 'messageType', type: 'messageType' },
  { name: 'messageUUID', type: 'uuid' },
  { name: 'messageID', type: 'text', ...opt },
  { name: 'messageCode', type: 'text', ...opt },
  { name: 'label', type: 'text' },
  { name: 'notification', type: 'notification', ...opt },
  { name: 'additionalNotification', type: 'text', ...opt },
  { name: 'reply', type: 'boolean', ...opt },
  { name: 'replyByDateTime', type: 'dateTime', ...opt },
  { name: 'doNotDeliverUntilDate', type: 'date', ...opt },
  { name: 'mandatory', type: 'boolean', ...opt, requiredIn: '1.1' },
  { name: 'legalNotification', type: 'boolean', ...opt, requiredIn: '1.1' },
  { name: 'postType', type: 'text', ...opt },
  { name: 'Sender', key: 'sender', type: Sender },
  { name: 'Recipient', key: 'recipient', type: Recipient },
  { name: 'ContentData', key: 'contentData', type: ContentData, ...opt },
  { name: 'ForwardData', key: 'forwardData', type: ForwardData, ...opt },
  { name: 'ReplyData', key: 'replyData', type: ReplyData, ...many },
]);

const File = complex('File', [
  { name: 'encodingFormat', type: 'text' },
  { name: 'filename', type: 'text' },
  { name: 'language', type: 'language' },
  { name: 'content', type: 'base64' },
]);
const EntryPoint = complex('EntryPoint', [{ name: 'url', type: 'uri' }]);
const Reservation = complex('Reservation', [
  { name: 'description', type: 'text' },
  { name: 'reservationUUID', type: 'uuid' },
  { name: 'abstract', type: 'text' },
  { name: 'location', type: 'text' },
  { name: 'startDateTime', type: 'dateTime' },
  { name: 'endDateTime', type: 'dateTime' },
  { name: 'organizerMail', type: 'text', ...opt },
  { name: 'organizerName', type: 'text', ...opt },
]);
const Action = complex('Action', [
  { name: 'label', type: 'text' },
  { name: 'actionCode', type: 'text' },
  { name: 'startDateTime', type: 'dateTime', ...opt },
  { name: 'endDateTime', type: 'dateTime', ...opt },
  { name: 'Reservation', key: 'reservation', type: Reservation, ...opt, choice: 'target' },
  { name: 'EntryPoint', key: 'entryPoint', type: EntryPoint, ...opt, choice: 'target' },
]);

function document(name: string, idName: string, withActions: boolean): ComplexType {
  return complex(name, [
    { name: idName, type: 'text', ...opt },
    { name: 'label', type: 'text', ...opt },
    { name: 'File', key: 'files', type: File, min: 1, max: Number.POSITIVE_INFINITY },
    ...(withActions ? [{ name: 'Action', key: 'actions', type: Action, ...many }] : []),
  ]);
}

const MessageBody = complex('MessageBody', [
  { name: 'createdDateTime', type: 'dateTime' },
  { name: 'MainDocument', key: 'mainDocument', type: document('MainDocument', 'mainDocumentID', true) },
  {
    name: 'AdditionalDocument',
    key: 'additionalDocuments',
    type: document('AdditionalDocument', 'additionalDocumentID', true),
    ...many,
  },
  {
    name: 'TechnicalDocument',
    key: 'technicalDocuments',
    type: document('TechnicalDocument', 'technicalDocumentID', false),
    ...many,
  },
]);

/** The content model of `memo:Message` (its attributes are handled by the reader and writer). */
export const MessageType = complex('Message', [
  { name: 'MessageHeader', key: 'messageHeader', type: MessageHeader },
  { name: 'MessageBody', key: 'messageBody', type: MessageBody, ...opt },
]);

/** Whether the particle may appear at all in `version`. */
export function existsIn(particle: Particle, version: MemoVersion): boolean {
  return particle.only === undefined || particle.only === version;
}

/** The particle's minOccurs in `version`. */
export function minOccurs(particle: Particle, version: MemoVersion): number {
  if (particle.requiredIn !== undefined) return particle.requiredIn === version ? 1 : 0;
  return particle.min;
}

/** A path segment for an occurrence: repeatable elements carry a 1-based index. */
export function segment(particle: Particle, index: number): string {
  return particle.max > 1 ? `${particle.name}[${index + 1}]` : particle.name;
}

export function isComplex(type: SimpleTypeName | ComplexType): type is ComplexType {
  return typeof type !== 'string';
}
