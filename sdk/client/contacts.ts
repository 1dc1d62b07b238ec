/** `client.contacts` and `client.contactPoints`: who can receive Digital Post, and where to write. */
import { DigitalPostError, InvalidOptionsError } from '../errors.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import { parseJson } from '../http/transport.ts';
import { isCprNumber, isCvrNumber } from '../ngdp/identifiers.ts';
import { numberedPages, paginate } from './pagination.ts';
import type { Contact, ContactPointEntry, RegistrationStatus } from './types.ts';

/** Registrations that exist but cannot receive post yet. */
const NOT_YET_REACHABLE: ReadonlySet<RegistrationStatus> = new Set([
  'BEFORE_UNCONFIRMED_REGISTRATION',
  'UNCONFIRMED_REGISTRATION',
  'CREATED_AWAITING_REGISTRATION',
]);

/** Why Digital Post cannot reach a contact now; see {@link digitalPostReachability}. */
export type UnreachableReason = 'EXEMPT' | 'CLOSED' | 'UNKNOWN' | 'NOT_YET_REGISTERED';

/**
 * Whether Digital Post can be delivered to this contact now, and if not, why: `EXEMPT` (exempt
 * from Digital Post), `CLOSED` (deceased, or a closed company), `UNKNOWN` (not in the register, or no
 * answer), `NOT_YET_REGISTERED` (registered, but in the waiting period or under 15).
 */
export function digitalPostReachability(
  contact: Contact,
): { reachable: true } | { reachable: false; reason: UnreachableReason } {
  const subscription = contact.mailboxSubscription;
  switch (subscription?.publicRegistrationStatus) {
    case 'REGISTERED':
      return NOT_YET_REACHABLE.has(subscription.registrationStatus)
        ? { reachable: false, reason: 'NOT_YET_REGISTERED' }
        : { reachable: true };
    case 'EXEMPT':
      return { reachable: false, reason: 'EXEMPT' };
    case 'CLOSED':
      return { reachable: false, reason: 'CLOSED' };
    default:
      return { reachable: false, reason: 'UNKNOWN' };
  }
}

/**
 * Whether Digital Post can be delivered to this contact now: publicly REGISTERED and past any
 * waiting period. EXEMPT, CLOSED and UNKNOWN contacts need another channel (e.g. a printed letter).
 */
export function canReceiveDigitalPost(contact: Contact): boolean {
  return digitalPostReachability(contact).reachable;
}

export interface ContactSearch extends RequestOptions {
  cpr?: string[];
  cvr?: string[];
  ids?: string[];
  /** Contacts per request (default 100, at most 1000). */
  pageSize?: number;
}

interface ContactSearchResult {
  currentPage?: number;
  next?: string;
  totalPages?: number;
  contacts?: Contact[];
}

function checkNumbers(kind: 'CPR' | 'CVR', numbers: readonly string[] | undefined): void {
  const valid = kind === 'CPR' ? isCprNumber : isCvrNumber;
  for (const number of numbers ?? []) {
    if (!valid(number)) {
      throw new DigitalPostError(
        `INVALID_${kind}`,
        `a ${kind} number has exactly ${kind === 'CPR' ? 10 : 8} digits`,
      );
    }
  }
}

export class Contacts {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /**
   * Looks up one citizen (`{ cpr }`) or company (`{ cvr }`) with its registration status. A number
   * NgDP does not know comes back with `publicRegistrationStatus` `UNKNOWN`.
   */
  async lookup(who: { cpr: string } | { cvr: string }, options: RequestOptions = {}): Promise<Contact> {
    const cpr = 'cpr' in who ? who.cpr : undefined;
    const cvr = 'cvr' in who ? who.cvr : undefined;
    if (cpr !== undefined) checkNumbers('CPR', [cpr]);
    else if (cvr !== undefined) checkNumbers('CVR', [cvr]);
    else throw new InvalidOptionsError('contacts.lookup needs { cpr } or { cvr }');
    const response = await this.transport.send(
      {
        method: 'GET',
        path: '/contacts/',
        query: cpr !== undefined ? { cprNumber: cpr } : { cvrNumber: cvr },
      },
      options,
    );
    const found = (parseJson(response.body) as ContactSearchResult).contacts?.find((contact) =>
      cpr !== undefined ? contact.cprNumber === cpr : contact.cvrNumber === cvr,
    );
    return (
      found ?? {
        id: '',
        type: cpr !== undefined ? 'CITIZEN' : 'COMPANY',
        ...(cpr !== undefined ? { cprNumber: cpr } : { cvrNumber: cvr }),
        mailboxSubscription: { registrationStatus: 'UNKNOWN', publicRegistrationStatus: 'UNKNOWN' },
      }
    );
  }

  /** One contact by NgDP's id (`GET /contacts/{id}`). */
  async get(id: string, options: RequestOptions = {}): Promise<Contact> {
    const response = await this.transport.send(
      { method: 'GET', path: `/contacts/${encodeURIComponent(id)}` },
      options,
    );
    return parseJson(response.body) as Contact;
  }

  /** Every contact matching the filter, following NgDP's `next` cursor across pages. */
  async *search(filter: ContactSearch = {}): AsyncGenerator<Contact> {
    checkNumbers('CPR', filter.cpr);
    checkNumbers('CVR', filter.cvr);
    const size = filter.pageSize ?? 100;
    const query: Record<string, string | number> = { size };
    if (filter.cpr?.length) query.cprNumber = filter.cpr.join(',');
    if (filter.cvr?.length) query.cvrNumber = filter.cvr.join(',');
    if (filter.ids?.length) query.id = filter.ids.join(',');
    yield* paginate<Contact, string>(async (next) => {
      const response = await this.transport.send(
        { method: 'GET', path: '/contacts/', query: next === undefined ? query : { ...query, next } },
        filter,
      );
      const page = parseJson(response.body) as ContactSearchResult;
      const contacts = page.contacts ?? [];
      const last = contacts.length === 0 || (page.currentPage ?? 0) + 1 >= (page.totalPages ?? 0);
      return { items: contacts, next: last ? undefined : page.next };
    });
  }
}

export interface ContactPointSearch extends RequestOptions {
  /** Matches the contact point's name or search terms. */
  term?: string;
  pageSize?: number;
}

export class ContactPoints {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /** Every contact point matching the filter (`GET /contact-points/`), across pages. */
  search(filter: ContactPointSearch = {}): AsyncGenerator<ContactPointEntry> {
    const size = filter.pageSize ?? 100;
    const term = filter.term === undefined ? {} : { searchTermOrName: filter.term };
    return paginate(
      numberedPages(async (page) => {
        const response = await this.transport.send(
          { method: 'GET', path: '/contact-points/', query: { page, size, ...term } },
          filter,
        );
        const result = parseJson(response.body) as {
          contactPoints?: ContactPointEntry[];
          totalPages?: number;
        };
        return { items: result.contactPoints ?? [], totalPages: result.totalPages ?? 0 };
      }),
    );
  }
}
