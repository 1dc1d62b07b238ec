/** `client.contacts` and `client.contactPoints`: who can receive Digital Post, and where to write. */
import { DigitalPostError, InvalidOptionsError } from '../errors.ts';
import type { HttpRequest, RequestOptions, Transport } from '../http/transport.ts';
import { isCprNumber, isCvrNumber } from '../ngdp/identifiers.ts';
import { type ListOptions, listSettings, numberedPages, paginate } from './pagination.ts';
import {
  contactPointSearchResultShape,
  contactSearchResultShape,
  contactShape,
  reading,
} from './responses.ts';
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

export interface ContactSearch extends RequestOptions, ListOptions {
  cpr?: string[];
  cvr?: string[];
  ids?: string[];
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
    const { contacts } = await this.transport.json(
      {
        method: 'GET',
        path: '/contacts/',
        query: cpr !== undefined ? { cprNumber: cpr } : { cvrNumber: cvr },
      },
      options,
      reading(contactSearchResultShape),
    );
    const found = contacts.find((contact) =>
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
    return this.transport.json(
      { method: 'GET', path: `/contacts/${encodeURIComponent(id)}` },
      options,
      reading(contactShape),
    );
  }

  /**
   * Every contact matching the filter, following NgDP's `next` cursor across pages; each contact
   * once. A cursor that comes back, or more than `maxPages` pages, throws an `UnexpectedResponseError`.
   */
  async *search(filter: ContactSearch = {}): AsyncGenerator<Contact> {
    checkNumbers('CPR', filter.cpr);
    checkNumbers('CVR', filter.cvr);
    const { size, maxPages } = listSettings(filter, this.transport.limits.maxPages, 'contacts.search');
    const query: Record<string, string | number> = { size };
    if (filter.cpr?.length) query.cprNumber = filter.cpr.join(',');
    if (filter.cvr?.length) query.cvrNumber = filter.cvr.join(',');
    if (filter.ids?.length) query.id = filter.ids.join(',');
    yield* paginate<Contact, string>(
      async (next) => {
        const http: HttpRequest = {
          method: 'GET',
          path: '/contacts/',
          query: next === undefined ? query : { ...query, next },
        };
        const response = await this.transport.send(http, filter);
        const page = this.transport.read(http, response, reading(contactSearchResultShape));
        if (page.contacts.length > size)
          throw this.transport.unexpected(
            http,
            response,
            `the page has ${page.contacts.length} contacts, ${size} were asked for`,
          );
        const last = page.contacts.length === 0 || (page.currentPage ?? 0) + 1 >= (page.totalPages ?? 0);
        return { items: page.contacts, next: last ? undefined : page.next };
      },
      { name: { method: 'GET', path: '/contacts/' }, keyOf: (contact) => contact.id, maxPages },
    );
  }
}

export interface ContactPointSearch extends RequestOptions, ListOptions {
  /** Matches the contact point's name or search terms. */
  term?: string;
}

export class ContactPoints {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /** Every contact point matching the filter (`GET /contact-points/`), across pages; each once. */
  search(filter: ContactPointSearch = {}): AsyncGenerator<ContactPointEntry> {
    const { size, maxPages } = listSettings(filter, this.transport.limits.maxPages, 'contactPoints.search');
    const term = filter.term === undefined ? {} : { searchTermOrName: filter.term };
    return paginate(
      numberedPages(async (page) => {
        const http: HttpRequest = { method: 'GET', path: '/contact-points/', query: { page, size, ...term } };
        const response = await this.transport.send(http, filter);
        const result = this.transport.read(http, response, reading(contactPointSearchResultShape));
        if (result.contactPoints.length > size)
          throw this.transport.unexpected(
            http,
            response,
            `the page has ${result.contactPoints.length} contact points, ${size} were asked for`,
          );
        return { items: result.contactPoints, totalPages: result.totalPages ?? 0 };
      }),
      { name: { method: 'GET', path: '/contact-points/' }, keyOf: (point) => point.id, maxPages },
    );
  }
}
