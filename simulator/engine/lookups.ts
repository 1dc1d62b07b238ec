/**
 * Read-side rules of the integration API: what a system may list (its PULL queue, its receipts,
 * its organisation's events), contact search with NgDP's search-after cursor, and the page size
 * chaos. The HTTP adapter turns the results into NgDP's JSON.
 */
import { createHash } from 'node:crypto';
import type { Contact, ContactPoint, EventRecord, ReceiptRecord, SystemRecord } from '../domain/model.ts';
import { addMonths } from '../domain/time.ts';
import type { ContactQuery } from '../store/store.ts';
import type { Engine } from './engine.ts';
import { ApiFailure, badField } from './errors.ts';

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  total: number;
}

/** The page size actually used: with the chaos switch, a random size up to the one asked for. */
export function effectiveSize(engine: Engine, size: number): number {
  return engine.settings.chaos.randomPageSizes ? 1 + Math.floor(engine.random() * size) : size;
}

export function fetchableMemos(
  engine: Engine,
  system: SystemRecord,
  page: number,
  size: number,
): Page<string> {
  const used = effectiveSize(engine, size);
  return {
    items: engine.store.listFetchable(system.id, { offset: page * used, limit: used }),
    page,
    size: used,
    total: engine.store.countFetchable(system.id),
  };
}

export function availableReceipts(
  engine: Engine,
  system: SystemRecord,
  page: number,
  size: number,
): Page<ReceiptRecord> {
  const used = effectiveSize(engine, size);
  return {
    items: engine.store.listReceipts(system.id, { offset: page * used, limit: used }),
    page,
    size: used,
    total: engine.store.countReceipts(system.id),
  };
}

// ------------------------------------------------------------------ contacts

export interface ContactSearch {
  ids?: string[];
  cprNumbers?: string[];
  cvrNumbers?: string[];
  page: number;
  size: number;
  /** The `next` cursor of the previous page. */
  next?: string;
}

export interface ContactPage {
  contacts: Contact[];
  currentPage: number;
  totalPages: number;
  totalElements: number;
  next: string | undefined;
}

/** NgDP's cursor: base64 of `[ <lastUpdated epoch-ms>, "<transactionId>" ]` of the page's last contact. */
export function contactCursor(contact: Contact): string {
  return Buffer.from(`[ ${contact.lastUpdated}, "${contact.transactionId}" ]`).toString('base64');
}

function readCursor(cursor: string): { lastUpdated: number; transactionId: string } {
  const match = /^\[ (\d+), "([^"]*)" \]$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (match === null)
    throw badField('query', 'next', 'INVALID_PARAMETER', 'is not a cursor this API returned', cursor);
  return { lastUpdated: Number(match[1]), transactionId: match[2] as string };
}

/** Stand-ins for unknown numbers sort after every registered contact (and carry no dates on the wire). */
export const STAND_IN_TIME = Date.UTC(9999, 11, 31);

/** A stand-in for a number not in the register: publicRegistrationStatus UNKNOWN (simulator.md). */
function unknownContact(kind: 'cpr' | 'cvr', number: string): Contact {
  const hex = createHash('sha256').update(`${kind}:${number}`).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return {
    id,
    type: kind === 'cpr' ? 'CITIZEN' : 'COMPANY',
    ...(kind === 'cpr' ? { cprNumber: number } : { cvrNumber: number }),
    name: '',
    mailboxSubscription: { registrationStatus: 'UNKNOWN', publicRegistrationStatus: 'UNKNOWN' },
    transactionId: id,
    createdDate: STAND_IN_TIME,
    lastUpdated: STAND_IN_TIME,
  };
}

function isAfter(
  contact: Contact,
  cursor: { lastUpdated: number; transactionId: string } | undefined,
): boolean {
  if (cursor === undefined) return true;
  return (
    contact.lastUpdated > cursor.lastUpdated ||
    (contact.lastUpdated === cursor.lastUpdated && contact.transactionId > cursor.transactionId)
  );
}

/**
 * Contacts in NgDP's order (lastUpdated, transactionId), by page or by the `next` cursor; numbers
 * asked for but not registered come last, as UNKNOWN stand-ins.
 */
export function searchContacts(engine: Engine, search: ContactSearch): ContactPage {
  const query: ContactQuery = {
    ...(search.ids ? { ids: search.ids } : {}),
    ...(search.cprNumbers ? { cprNumbers: search.cprNumbers } : {}),
    ...(search.cvrNumbers ? { cvrNumbers: search.cvrNumbers } : {}),
  };
  const size = effectiveSize(engine, search.size);
  const standIns: Contact[] = [];
  for (const [kind, numbers] of [
    ['cpr', search.cprNumbers],
    ['cvr', search.cvrNumbers],
  ] as const) {
    for (const number of new Set(numbers ?? [])) {
      if (engine.store.findContact(kind, number) === undefined) standIns.push(unknownContact(kind, number));
    }
  }
  standIns.sort((a, b) => (a.transactionId < b.transactionId ? -1 : 1));
  const stored = engine.store.countContacts(query);
  const cursor = search.next === undefined ? undefined : readCursor(search.next);
  let contacts: Contact[];
  let before: number;
  if (cursor !== undefined) {
    contacts = engine.store.searchContacts({ ...query, after: cursor }, size);
    before =
      stored -
      engine.store.countContacts({ ...query, after: cursor }) +
      standIns.filter((c) => !isAfter(c, cursor)).length;
    if (contacts.length < size)
      contacts.push(...standIns.filter((c) => isAfter(c, cursor)).slice(0, size - contacts.length));
  } else {
    before = search.page * size;
    contacts = engine.store.searchContacts(query, before + size).slice(before);
    if (contacts.length < size) {
      const from = Math.max(0, before + contacts.length - stored);
      contacts.push(...standIns.slice(from, from + size - contacts.length));
    }
  }
  const total = stored + standIns.length;
  const last = contacts.at(-1);
  return {
    contacts,
    currentPage: Math.floor(before / size),
    totalPages: Math.max(1, Math.ceil(total / size)),
    totalElements: total,
    next: last === undefined ? undefined : contactCursor(last),
  };
}

export function contactById(engine: Engine, id: string): Contact {
  const contact = engine.store.getContact(id);
  if (contact === undefined) throw new ApiFailure(404, 'NOT_FOUND', `no contact ${id}`);
  return contact;
}

// ------------------------------------------------------------------ contact points

export function searchContactPoints(
  engine: Engine,
  search: { term?: string; page: number; size: number },
): Page<ContactPoint> {
  const term = search.term?.toLowerCase();
  const all = engine.store
    .listContactPoints()
    .filter((point) => point.active && (term === undefined || point.name.toLowerCase().includes(term)));
  const size = effectiveSize(engine, search.size);
  return {
    items: all.slice(search.page * size, (search.page + 1) * size),
    page: search.page,
    size,
    total: all.length,
  };
}

// ------------------------------------------------------------------ events

export interface EventSearch {
  dateFrom?: string;
  dateTo?: string;
  system?: string;
  party?: string;
  eventTag?: string;
  page: number;
  size: number;
}

function instant(field: string, text: string): number {
  const time = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\d/.test(text) || Number.isNaN(time)) {
    throw badField(
      'query',
      field,
      'INVALID_PARAMETER',
      'must be a date-time like 2025-06-01T00:00:00.000Z',
      text,
    );
  }
  return time;
}

/** Events concerning the caller's organisation, in a period of at most 3 calendar months. */
export function searchEvents(engine: Engine, caller: SystemRecord, search: EventSearch): Page<EventRecord> {
  const now = engine.clock.now();
  const to = search.dateTo === undefined ? now : instant('dateTo', search.dateTo);
  const from = search.dateFrom === undefined ? addMonths(to, -3) : instant('dateFrom', search.dateFrom);
  if (from > to)
    throw badField('query', 'dateFrom', 'INVALID_PARAMETER', 'must not be after dateTo', search.dateFrom);
  if (addMonths(from, 3) < to) {
    throw new ApiFailure(400, 'PERIOD_TOO_LONG', 'dateFrom and dateTo may be at most 3 months apart', [
      {
        resource: 'query',
        field: 'dateTo',
        code: 'PERIOD_TOO_LONG',
        message: 'at most 3 months after dateFrom',
        rejectedValue: search.dateTo,
      },
    ]);
  }
  const own = engine.store.listSystems(caller.organisationId).map((system) => system.id);
  if (search.system !== undefined && !own.includes(search.system)) {
    throw new ApiFailure(
      403,
      'FORBIDDEN',
      'senderOrRecipientSystem must be a system of your own organisation',
    );
  }
  const query = {
    from,
    to,
    systemIds: search.system === undefined ? own : [search.system],
    ...(search.party === undefined ? {} : { party: search.party }),
    ...(search.eventTag === undefined ? {} : { eventTag: search.eventTag }),
  };
  const size = effectiveSize(engine, search.size);
  return {
    items: engine.store.listEvents(query, { offset: search.page * size, limit: size }),
    page: search.page,
    size,
    total: engine.store.countEvents(query),
  };
}
