/**
 * An employee's look-ups of a citizen by CPR number and of a company by CVR number (NgDP's
 * `citizen-lookup/` and `organisation-lookup/{cvrNumber}`; docs/admin.md, "Look-ups"). Each one,
 * found or not, writes a row to the organisation's search log (admin.md §0.1, §3.3).
 */
import { isCprNumber, isCvrNumber, maskCpr } from '../../sdk/ngdp/identifiers.ts';
import type { Contact, Organisation } from '../domain/model.ts';
import type { AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import type { AdminCaller } from './identities.ts';
import { reject } from './rejections.ts';

/** What a citizen look-up asks (NgDP's `CitizenLookupCommand`). */
export interface CitizenQuery {
  cprNumber: string | undefined;
  firstNameProvided?: string | undefined;
  lastNameProvided?: string | undefined;
}

/** A company found by its CVR number: an organisation of NgDP's, or a company contact. */
export interface CompanyFound {
  organisation?: Organisation;
  contact?: Contact;
  name: string;
  closed: boolean;
}

/** Whether `name` begins with `first` and ends with `last` (each when given), ignoring case. */
function nameMatches(name: string, first: string | undefined, last: string | undefined): boolean {
  const words = (text: string) => text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const all = words(name);
  const head = words(first ?? '');
  const tail = words(last ?? '');
  return (
    head.every((word, index) => all[index] === word) &&
    tail.every((word, index) => all[all.length - tail.length + index] === word)
  );
}

export class Lookups {
  private readonly context: EngineContext;
  private readonly log: AdminLog;

  constructor(context: EngineContext, log: AdminLog) {
    this.context = context;
    this.log = log;
  }

  /**
   * The citizen with the CPR number, when the names given (if any) are its first and last names;
   * undefined otherwise. Writes a search-log row either way.
   *
   * @throws Rejection REQUIRED without a CPR number, INVALID_FORMAT for a malformed one (the
   *   refusal does not show it).
   */
  citizen(caller: AdminCaller, query: CitizenQuery): Contact | undefined {
    const { cprNumber } = query;
    if (cprNumber === undefined || cprNumber === '') throw reject.requiredField('query', 'cprNumber');
    if (!isCprNumber(cprNumber))
      throw reject.invalidField('query', 'cprNumber', 'INVALID_FORMAT', 'must be a CPR number: 10 digits');
    const contact = this.context.store.findContact('cpr', cprNumber);
    const found =
      contact !== undefined && nameMatches(contact.name, query.firstNameProvided, query.lastNameProvided)
        ? contact
        : undefined;
    this.log.searched(caller, {
      cprCvr: cprNumber,
      register: 'CPR',
      results: found === undefined ? 0 : 1,
      operation: 'lookupCitizen',
    });
    return found;
  }

  /**
   * The company with the CVR number. Writes a search-log row, found or not.
   *
   * @throws Rejection INVALID_FORMAT for a malformed CVR number; NOT_FOUND for an unknown one.
   */
  company(caller: AdminCaller, cvrNumber: string): CompanyFound {
    if (!isCvrNumber(cvrNumber))
      throw reject.invalidField(
        'path',
        'cvrNumber',
        'INVALID_FORMAT',
        'must be a CVR number: 8 digits',
        maskCpr(cvrNumber),
      );
    const { store } = this.context;
    const organisation = store.findOrganisationByCvr(cvrNumber);
    const contact = store.findContact('cvr', cvrNumber);
    this.log.searched(caller, {
      cprCvr: cvrNumber,
      register: 'CVR',
      results: organisation === undefined && contact === undefined ? 0 : 1,
      operation: 'organisationLookup',
    });
    if (organisation === undefined && contact === undefined)
      throw reject.notFound(`no company with CVR number ${cvrNumber}`);
    return {
      ...(organisation === undefined ? {} : { organisation }),
      ...(contact === undefined ? {} : { contact }),
      name: organisation?.name ?? contact?.name ?? '',
      closed: contact?.mailboxSubscription.publicRegistrationStatus === 'CLOSED',
    };
  }
}
