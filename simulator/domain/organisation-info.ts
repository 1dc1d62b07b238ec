/**
 * Administrativ Adgang's rules for an organisation's authority information (admin.md §7; docs/
 * admin.md, "The organisation and its logo"): which fields of NgDP's `OrganisationCommand` the
 * organisation may change, and what a logo must be. Pure: a command or a file in, the change or
 * every problem with it out.
 */
import type { CommandProblem } from './mail-system.ts';
import { readPerson } from './mail-system.ts';
import type { Organisation, OrganisationInfo } from './model.ts';

/** The fields of `OrganisationCommand`. */
const COMMAND_FIELDS = [
  'authorityId',
  'name',
  'industryCode',
  'type',
  'authorityType',
  'authorityTerms',
  'legalNotificationAllowed',
  'mandatoryPostAllowed',
  'legalContact',
  'logoAvailable',
  'logoMediaType',
  'rightsIntroductionCompleted',
] as const;

/**
 * Fields NgDP keeps itself: from the CVR register (name, industry code, type), Digitaliserings-
 * styrelsen's decisions (authority type, legal notification, mandatory post) and the logo
 * operations. A command may repeat their values, never change them (INTERPRETED).
 */
const KEPT_BY_NGDP = [
  'name',
  'industryCode',
  'type',
  'authorityType',
  'legalNotificationAllowed',
  'mandatoryPostAllowed',
  'logoAvailable',
  'logoMediaType',
] as const;

/** What the organisation's JSON shows for a field NgDP keeps (what a command may repeat). */
function keptValue(organisation: Organisation, field: (typeof KEPT_BY_NGDP)[number]): unknown {
  switch (field) {
    case 'authorityType':
      return organisation.type === 'AUTHORITY' ? (organisation.authorityType ?? 'OTHER') : undefined;
    case 'logoAvailable':
      return organisation.info?.logo !== undefined;
    case 'logoMediaType':
      return organisation.info?.logo === undefined ? undefined : 'IMAGE_PNG';
    case 'industryCode':
      return undefined;
    default:
      return organisation[field];
  }
}

/**
 * The authority information an `OrganisationCommand` asks for, or every problem with it. A field
 * left out keeps its value; `legalContact: null` removes the contact.
 */
export function readOrganisationCommand(
  organisation: Organisation,
  body: unknown,
): { info: OrganisationInfo; problems: [] } | { info: undefined; problems: CommandProblem[] } {
  const problems: CommandProblem[] = [];
  const problem = (field: string, code: string, message: string, rejectedValue?: unknown): void => {
    problems.push({ resource: 'OrganisationCommand', field, code, message, rejectedValue });
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problem('body', 'INVALID_FORMAT', 'must be a JSON OrganisationCommand object');
    return { info: undefined, problems };
  }
  const command = body as Record<string, unknown>;
  for (const field of Object.keys(command))
    if (!(COMMAND_FIELDS as readonly string[]).includes(field))
      problem(field, 'UNKNOWN_FIELD', 'is not a field of OrganisationCommand', command[field]);
  for (const field of KEPT_BY_NGDP) {
    const value = command[field];
    if (value === undefined || value === null || value === keptValue(organisation, field)) continue;
    problem(
      field,
      'NOT_ALLOWED_VALUE',
      field.startsWith('logo')
        ? 'follows the logo: upload or delete it at organisations/{id}/logo'
        : 'is kept by NgDP (the CVR register, Digitaliseringsstyrelsen), not by the organisation',
      value,
    );
  }
  const info: OrganisationInfo = { ...organisation.info };
  const { authorityId, authorityTerms, legalContact, rightsIntroductionCompleted } = command;
  if (authorityId === null) delete info.authorityId;
  else if (authorityId !== undefined) {
    if (typeof authorityId !== 'string' || authorityId.length > 100)
      problem('authorityId', 'INVALID_FORMAT', 'must be a text of at most 100 characters', authorityId);
    else info.authorityId = authorityId;
  }
  if (authorityTerms !== undefined && authorityTerms !== null) {
    if (typeof authorityTerms !== 'boolean')
      problem('authorityTerms', 'INVALID_FORMAT', 'must be true or false', authorityTerms);
    else info.authorityTerms = authorityTerms;
  }
  if (rightsIntroductionCompleted !== undefined && rightsIntroductionCompleted !== null) {
    if (typeof rightsIntroductionCompleted !== 'boolean')
      problem(
        'rightsIntroductionCompleted',
        'INVALID_FORMAT',
        'must be true or false',
        rightsIntroductionCompleted,
      );
    else if (!rightsIntroductionCompleted && organisation.info?.rightsIntroductionCompleted === true)
      problem(
        'rightsIntroductionCompleted',
        'NOT_ALLOWED_VALUE',
        'can go from true back to false only by the system manager, in the rights portal',
        rightsIntroductionCompleted,
      );
    else info.rightsIntroductionCompleted = rightsIntroductionCompleted;
  }
  if (legalContact === null) delete info.legalContact;
  else if (legalContact !== undefined) {
    if (typeof legalContact !== 'object' || Array.isArray(legalContact))
      problem('legalContact', 'INVALID_FORMAT', 'must be a Person {name, email, phoneNumber}', legalContact);
    else {
      const person = readPerson('legalContact', legalContact, problem);
      if (person !== undefined) info.legalContact = person;
    }
  }
  return problems.length > 0 ? { info: undefined, problems } : { info, problems: [] };
}

/** A logo's width and height are at least this many pixels (admin.md §7). */
export const LOGO_MIN_SIDE = 200;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Why `file` cannot be an organisation's logo, if it cannot: larger than `maxBytes` (`TOO_LARGE`;
 * 512 KiB by default, INTERPRETED), not a PNG by its signature and IHDR chunk (`INVALID_FORMAT`),
 * not square (`NOT_SQUARE`), smaller than 200 × 200 pixels (`TOO_SMALL`).
 */
export function logoProblem(file: Buffer, maxBytes: number): { code: string; message: string } | undefined {
  if (file.length > maxBytes)
    return { code: 'TOO_LARGE', message: `is ${file.length} bytes; a logo is at most ${maxBytes}` };
  // The signature, then the IHDR chunk: length 13, type "IHDR", width and height (big-endian).
  if (
    file.length < 33 ||
    !file.subarray(0, 8).equals(PNG_SIGNATURE) ||
    file.readUInt32BE(8) !== 13 ||
    file.toString('latin1', 12, 16) !== 'IHDR'
  )
    return { code: 'INVALID_FORMAT', message: 'must be a PNG image' };
  const width = file.readUInt32BE(16);
  const height = file.readUInt32BE(20);
  if (width !== height)
    return { code: 'NOT_SQUARE', message: `is ${width} × ${height} pixels; a logo is square` };
  if (width < LOGO_MIN_SIDE)
    return {
      code: 'TOO_SMALL',
      message: `is ${width} × ${height} pixels; a logo is at least ${LOGO_MIN_SIDE} × ${LOGO_MIN_SIDE}`,
    };
  return undefined;
}
