/**
 * Administrativ Adgang's rules for the contact structure (admin.md §2.1–2.2): a
 * `ContactGroupCommand` or `ContactPointCommand` in, the settings or every problem with it out;
 * then the references of a group or point against its organisation's structure as the engine read
 * it (parent, CYCLE, groups, recipient system), and the fields the action log shows. Pure. The
 * same readers check the JSON of the operations and the rows of an imported file.
 */
import { isOneOf } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { CONTACT_POINT_CAPACITY, CONTACT_POINT_WRITERS } from './contacts.ts';
import type { CommandProblem } from './mail-system.ts';
import type { ContactGroupRecord, ContactPoint, ContactPointCodeRecord, ReportLinkRecord } from './model.ts';

/** The limits of admin.md §2.1–2.2 (the INTERPRETED ones marked so there). */
export const CONTACT_STRUCTURE_LIMITS = {
  groupName: 50,
  groupDescription: 255,
  pointName: 50,
  pointDescription: 250,
  internalDescription: 1000,
  searchTerm: 30,
  recommendedAttributes: 2,
  recommendedAttribute: 25,
  customCodes: 10,
  code: 100,
  linkLabel: 50,
  linkDescription: 250,
  linkText: 50,
  link: 2048,
} as const;

/** The code types a point may carry once each (admin.md §2.2); CUSTOM up to ten times. */
const SINGLE_CODES = ['FORM', 'KLE', 'SOR', 'GLN'] as const;
const CODE_TYPES = [...SINGLE_CODES, 'CUSTOM'] as const;

/** A contact group's settings from a valid command. */
export interface ContactGroupSettings {
  name: string;
  description: string;
  organisationalUnit: boolean;
  /** The group it goes under; none: top level. */
  parentId?: string;
  postkasseIds: number[];
}

/** A contact point's settings from a valid command: every field a command sets. */
export type ContactPointSettings = Required<
  Pick<ContactPoint, 'name' | 'description' | 'targets' | 'active' | 'visible' | 'contactGroupIds'>
> &
  Required<
    Pick<ContactPoint, 'searchTerms' | 'recommendedAttributes' | 'contactPointCodes' | 'translations'>
  > &
  Pick<
    ContactPoint,
    'internalDescription' | 'memoSizeThresholdMB' | 'allowedNumberOfAttachments' | 'reportLink' | 'systemId'
  >;

export type CommandReading<T> =
  | { settings: T; problems: [] }
  | { settings: undefined; problems: CommandProblem[] };

/** Collects the problems of one command, each against `resource`. */
class Problems {
  readonly list: CommandProblem[] = [];
  private readonly resource: string;

  constructor(resource: string) {
    this.resource = resource;
  }

  add(field: string, code: string, message: string, rejectedValue?: unknown): undefined {
    this.list.push({ resource: this.resource, field, code, message, rejectedValue });
    return undefined;
  }

  /** A text of at most `max` characters; `required` refuses absence and blank text. */
  text(value: unknown, field: string, max: number, required: boolean): string | undefined {
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      if (required) this.add(field, 'REQUIRED', 'is required', value);
      return undefined;
    }
    if (typeof value !== 'string') return this.add(field, 'INVALID_FORMAT', 'must be a text', value);
    if (value.length > max) return this.add(field, 'TOO_LONG', `must be at most ${max} characters`, value);
    return value;
  }

  boolean(value: unknown, field: string, fallback: boolean | undefined): boolean | undefined {
    if (value === undefined || value === null) {
      if (fallback === undefined) this.add(field, 'REQUIRED', 'is required: true or false', value);
      return fallback;
    }
    if (typeof value !== 'boolean') return this.add(field, 'INVALID_FORMAT', 'must be true or false', value);
    return value;
  }

  /** A list (absent: empty). */
  items(value: unknown, field: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.add(field, 'INVALID_FORMAT', 'must be a list', value);
    return [];
  }

  /** `{id}` naming a record by UUID (lower case). */
  reference(value: unknown, field: string): string | undefined {
    const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : value;
    if (!isUuid(id)) return this.add(field, 'INVALID_FORMAT', 'must be {"id": <UUID>}', value);
    return id.toLowerCase();
  }

  /** A whole number from 0 (NgDP's int64 ids of DP/DP2 mailboxes). */
  count(value: unknown, field: string): number | undefined {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    return this.add(field, 'INVALID_FORMAT', 'must be a whole number from 0', value);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The settings a `ContactGroupCommand` asks for, or every problem with it (admin.md §2.1). */
export function readContactGroupCommand(
  body: unknown,
  resource = 'ContactGroupCommand',
): CommandReading<ContactGroupSettings> {
  const problems = new Problems(resource);
  if (!isObject(body)) {
    problems.add('body', 'INVALID_FORMAT', `must be a JSON ${resource} object`);
    return { settings: undefined, problems: problems.list };
  }
  const limits = CONTACT_STRUCTURE_LIMITS;
  const name = problems.text(body.name, 'name', limits.groupName, true);
  const description = problems.text(body.description, 'description', limits.groupDescription, true);
  const organisationalUnit = problems.boolean(body.organisationalUnit, 'organisationalUnit', false);
  const parentId =
    body.parent === undefined || body.parent === null ? undefined : problems.reference(body.parent, 'parent');
  const postkasseIds = problems
    .items(body.postkasseIds, 'postkasseIds')
    .map((id, index) => problems.count(id, `postkasseIds[${index}]`));
  if (problems.list.length > 0) return { settings: undefined, problems: problems.list };
  return {
    settings: {
      name: name as string,
      description: description as string,
      organisationalUnit: organisationalUnit as boolean,
      ...(parentId === undefined ? {} : { parentId }),
      postkasseIds: postkasseIds as number[],
    },
    problems: [],
  };
}

/** A URL a writer may be sent to: absolute http(s), no spaces. */
function isLink(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A keyword's problem (admin.md §2.2), or undefined when it is one. */
function searchTermProblem(term: unknown): [code: string, message: string] | undefined {
  if (typeof term !== 'string' || term.trim() === '') return ['REQUIRED', 'is required'];
  if (term.length > CONTACT_STRUCTURE_LIMITS.searchTerm)
    return ['TOO_LONG', `must be at most ${CONTACT_STRUCTURE_LIMITS.searchTerm} characters`];
  if (!/^[\p{L}\d -]+$/u.test(term))
    return ['INVALID_FORMAT', 'may hold letters, digits, spaces and hyphens only (no !#? …)'];
  return undefined;
}

function readReportLink(value: unknown, problems: Problems): ReportLinkRecord | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value))
    return problems.add('reportLink', 'INVALID_FORMAT', 'must be a ReportLink object', value);
  const limits = CONTACT_STRUCTURE_LIMITS;
  const link: ReportLinkRecord = {};
  const fields = [
    ['label', limits.linkLabel],
    ['description', limits.linkDescription],
    ['externalLinkText', limits.linkText],
  ] as const;
  for (const [field, max] of fields) {
    const text = problems.text(value[field], `reportLink.${field}`, max, false);
    if (text !== undefined) link[field] = text;
  }
  const url = problems.text(value.externalLink, 'reportLink.externalLink', limits.link, true);
  if (url !== undefined && !isLink(url))
    problems.add('reportLink.externalLink', 'INVALID_FORMAT', 'must be an absolute http(s) URL', url);
  else if (url !== undefined) link.externalLink = url;
  return link;
}

function readCode(entry: unknown, at: string, problems: Problems): ContactPointCodeRecord | undefined {
  const limit = CONTACT_STRUCTURE_LIMITS.code;
  if (!isObject(entry)) return problems.add(at, 'INVALID_FORMAT', 'must be a ContactPointCode object', entry);
  const { type } = entry;
  if (!isOneOf(CODE_TYPES, type))
    return problems.add(`${at}.type`, 'NOT_ALLOWED_VALUE', `must be one of ${CODE_TYPES.join(', ')}`, type);
  const code = problems.text(entry.code, `${at}.code`, type === 'GLN' ? 13 : limit, true);
  if (code !== undefined && type === 'GLN' && !/^\d{1,13}$/.test(code))
    return problems.add(`${at}.code`, 'INVALID_FORMAT', 'a GLN is 1 to 13 digits', code);
  const codeVersion = problems.text(entry.codeVersion, `${at}.codeVersion`, limit, false);
  const name = problems.text(entry.name, `${at}.name`, limit, false);
  if (code === undefined) return undefined;
  return {
    type,
    code,
    ...(codeVersion === undefined ? {} : { codeVersion }),
    ...(name === undefined ? {} : { name }),
  };
}

function readCodes(value: unknown, problems: Problems): ContactPointCodeRecord[] {
  const codes: ContactPointCodeRecord[] = [];
  problems.items(value, 'contactPointCodes').forEach((entry, index) => {
    const code = readCode(entry, `contactPointCodes[${index}]`, problems);
    if (code !== undefined) codes.push(code);
  });
  for (const type of SINGLE_CODES)
    if (codes.filter((code) => code.type === type).length > 1)
      problems.add('contactPointCodes', 'TOO_MANY', `at most one code of type ${type}`, type);
  if (codes.filter((code) => code.type === 'CUSTOM').length > CONTACT_STRUCTURE_LIMITS.customCodes)
    problems.add(
      'contactPointCodes',
      'TOO_MANY',
      `at most ${CONTACT_STRUCTURE_LIMITS.customCodes} codes of type CUSTOM`,
      'CUSTOM',
    );
  return codes;
}

function readCapacity(
  body: Record<string, unknown>,
  problems: Problems,
): Pick<ContactPoint, 'memoSizeThresholdMB' | 'allowedNumberOfAttachments'> {
  const capacity: Pick<ContactPoint, 'memoSizeThresholdMB' | 'allowedNumberOfAttachments'> = {};
  const { memoSizeThresholdMB: size, allowedNumberOfAttachments: attachments } = body;
  const most = CONTACT_POINT_CAPACITY;
  if (size !== undefined && size !== null) {
    if (typeof size !== 'number' || !(size > 0) || size > most.memoSizeThresholdMB)
      problems.add(
        'memoSizeThresholdMB',
        'NOT_ALLOWED_VALUE',
        `must be more than 0 and at most ${most.memoSizeThresholdMB}`,
        size,
      );
    else capacity.memoSizeThresholdMB = size;
  }
  if (attachments !== undefined && attachments !== null) {
    if (
      typeof attachments !== 'number' ||
      !Number.isInteger(attachments) ||
      attachments < 0 ||
      attachments > most.allowedNumberOfAttachments
    )
      problems.add(
        'allowedNumberOfAttachments',
        'NOT_ALLOWED_VALUE',
        `must be a whole number from 0 to ${most.allowedNumberOfAttachments}`,
        attachments,
      );
    else capacity.allowedNumberOfAttachments = attachments;
  }
  return capacity;
}

/** The settings a `ContactPointCommand` asks for, or every problem with it (admin.md §2.2). */
export function readContactPointCommand(
  body: unknown,
  resource = 'ContactPointCommand',
): CommandReading<ContactPointSettings> {
  const problems = new Problems(resource);
  if (!isObject(body)) {
    problems.add('body', 'INVALID_FORMAT', `must be a JSON ${resource} object`);
    return { settings: undefined, problems: problems.list };
  }
  const limits = CONTACT_STRUCTURE_LIMITS;
  const name = problems.text(body.name, 'name', limits.pointName, true);
  const description = problems.text(body.description, 'description', limits.pointDescription, true);
  const internalDescription = problems.text(
    body.internalDescription,
    'internalDescription',
    limits.internalDescription,
    false,
  );
  const visible = problems.boolean(body.visible, 'visible', undefined);
  const active = problems.boolean(body.active, 'active', false);

  const targets = problems.items(body.targets, 'targets');
  if (targets.length === 0)
    problems.add(
      'targets',
      'REQUIRED',
      `must list at least one of ${CONTACT_POINT_WRITERS.join(', ')}`,
      body.targets,
    );
  for (const target of targets)
    if (!isOneOf(CONTACT_POINT_WRITERS, target))
      problems.add('targets', 'NOT_ALLOWED_VALUE', `must be ${CONTACT_POINT_WRITERS.join(', ')}`, target);

  const terms = problems.items(body.searchTerms, 'searchTerms').map((entry, index) => {
    const term = isObject(entry) ? entry.term : entry;
    const problem = searchTermProblem(term);
    if (problem !== undefined) return problems.add(`searchTerms[${index}].term`, ...problem, term);
    return term as string;
  });
  if (terms.length === 0)
    problems.add('searchTerms', 'REQUIRED', 'must list at least one keyword', body.searchTerms);

  const attributes = problems.items(body.recommendedAttributes, 'recommendedAttributes');
  if (attributes.length > limits.recommendedAttributes)
    problems.add(
      'recommendedAttributes',
      'TOO_MANY',
      `at most ${limits.recommendedAttributes} input fields`,
      attributes.length,
    );
  const recommendedAttributes = attributes.map((entry, index) =>
    problems.text(
      isObject(entry) ? entry.name : entry,
      `recommendedAttributes[${index}].name`,
      limits.recommendedAttribute,
      true,
    ),
  );

  const systemId =
    body.systemId === undefined || body.systemId === null
      ? undefined
      : problems.reference(body.systemId, 'systemId');
  const groups = problems
    .items(body.contactGroups, 'contactGroups')
    .map((entry, index) => problems.reference(entry, `contactGroups[${index}]`));
  const translations = problems.items(body.translations, 'translations').map((entry, index) => {
    if (!isObject(entry))
      return problems.add(`translations[${index}]`, 'INVALID_FORMAT', 'must be a Translation object', entry);
    const postkasseId = problems.count(entry.postkasseId, `translations[${index}].postkasseId`);
    const emne =
      entry.postkasseEmneId === undefined || entry.postkasseEmneId === null
        ? undefined
        : problems.count(entry.postkasseEmneId, `translations[${index}].postkasseEmneId`);
    return postkasseId === undefined
      ? undefined
      : { postkasseId, ...(emne === undefined ? {} : { postkasseEmneId: emne }) };
  });
  const reportLink = readReportLink(body.reportLink, problems);
  const contactPointCodes = readCodes(body.contactPointCodes, problems);
  const capacity = readCapacity(body, problems);

  if (problems.list.length > 0) return { settings: undefined, problems: problems.list };
  return {
    settings: {
      name: name as string,
      description: description as string,
      ...(internalDescription === undefined ? {} : { internalDescription }),
      targets: [...new Set(targets as ContactPoint['targets'])],
      active: active as boolean,
      visible: visible as boolean,
      contactGroupIds: [...new Set(groups as string[])],
      searchTerms: terms as string[],
      recommendedAttributes: recommendedAttributes as string[],
      contactPointCodes,
      translations: translations as NonNullable<ContactPoint['translations']>,
      ...(reportLink === undefined ? {} : { reportLink }),
      ...(systemId === undefined ? {} : { systemId }),
      ...capacity,
    },
    problems: [],
  };
}

/** An organisation's structure, read once for a change that checks references. */
export interface Structure {
  groups: Map<string, ContactGroupRecord>;
  points: Map<string, ContactPoint>;
  /** Its recipient systems (not deleted). */
  recipientSystems: Set<string>;
}

/** The fields of a group the action log shows. */
export function shownGroup(group: ContactGroupRecord): Record<string, unknown> {
  return {
    name: group.name,
    description: group.description,
    organisationalUnit: group.organisationalUnit,
    parent: group.parentId,
    postkasseIds: group.postkasseIds,
  };
}

/** The fields of a point the action log shows. */
export function shownPoint(point: ContactPoint): Record<string, unknown> {
  return {
    name: point.name,
    description: point.description,
    internalDescription: point.internalDescription,
    targets: point.targets,
    active: point.active,
    visible: point.visible,
    systemId: point.systemId,
    contactGroups: point.contactGroupIds,
    searchTerms: point.searchTerms,
    recommendedAttributes: point.recommendedAttributes,
    contactPointCodes: point.contactPointCodes,
    memoSizeThresholdMB: point.memoSizeThresholdMB,
    allowedNumberOfAttachments: point.allowedNumberOfAttachments,
    reportLink: point.reportLink,
    translations: point.translations,
  };
}

/** A contact point with a command's settings (every field the command sets, the rest kept). */
export function pointWith(point: ContactPoint, settings: ContactPointSettings): ContactPoint {
  const {
    internalDescription: _1,
    memoSizeThresholdMB: _2,
    allowedNumberOfAttachments: _3,
    reportLink: _4,
    systemId: _5,
    ...kept
  } = point;
  return { ...kept, ...settings };
}

/** A contact group with a command's settings. */
export function groupWith(group: ContactGroupRecord, settings: ContactGroupSettings): ContactGroupRecord {
  const { parentId: _, ...kept } = group;
  return { ...kept, ...settings };
}

/**
 * What is wrong with `group`'s place in `structure` (its parent must be a group there, and not the
 * group itself or one below it: CYCLE). `structure.groups` holds the groups as they will be.
 */
export function groupProblems(
  group: ContactGroupRecord,
  structure: Pick<Structure, 'groups'>,
  resource: string,
  field = 'parent',
): CommandProblem[] {
  const { parentId } = group;
  if (parentId === undefined) return [];
  if (!structure.groups.has(parentId))
    return [
      {
        resource,
        field,
        code: 'NOT_FOUND',
        message: 'must name a contact group of the organisation',
        rejectedValue: parentId,
      },
    ];
  const seen = new Set([group.id]);
  for (let at: string | undefined = parentId; at !== undefined; at = structure.groups.get(at)?.parentId) {
    if (seen.has(at))
      return [
        {
          resource,
          field,
          code: 'CYCLE',
          message: 'would place the group under itself',
          rejectedValue: parentId,
        },
      ];
    seen.add(at);
  }
  return [];
}

/** What is wrong with `point`'s references in `structure` (its system and its groups). */
export function pointProblems(
  point: ContactPoint,
  structure: Pick<Structure, 'groups' | 'recipientSystems'>,
  resource: string,
  fields: { systemId: string; contactGroups: string } = {
    systemId: 'systemId',
    contactGroups: 'contactGroups',
  },
): CommandProblem[] {
  const problems: CommandProblem[] = [];
  if (point.systemId !== undefined && !structure.recipientSystems.has(point.systemId))
    problems.push({
      resource,
      field: fields.systemId,
      code: 'NOT_FOUND',
      message: 'must name a recipient system of the organisation',
      rejectedValue: point.systemId,
    });
  for (const id of point.contactGroupIds ?? [])
    if (!structure.groups.has(id))
      problems.push({
        resource,
        field: fields.contactGroups,
        code: 'NOT_FOUND',
        message: 'must name contact groups of the organisation',
        rejectedValue: id,
      });
  return problems;
}
