/**
 * NgDP's directory: contacts (citizens and companies with their Digital Post registration) and
 * authorities' contact points — searched by systems (`/contacts/`, `/contact-points/`), and set up as
 * test identities and contact points (the control API today; the test portal and Administrativ
 * Adgang next).
 */
import {
  EventTag,
  type EventTagName,
  isOneOf,
  PUBLIC_REGISTRATION_STATUSES,
  type PublicRegistrationStatus,
  REGISTRATION_STATUSES,
  type RegistrationStatus,
} from '../../sdk/ngdp/enums.ts';
import {
  isCprNumber,
  isCvrNumber,
  maskCpr,
  maskCprValue,
  partyNumberKind,
} from '../../sdk/ngdp/identifiers.ts';
import { copenhagenDate } from '../../sdk/ngdp/time.ts';
import { CONTACT_POINT_WRITERS, changedContact, standInNumber, unknownContact } from '../domain/contacts.ts';
import { isMobileNumber, isSearchTerm } from '../domain/formats.ts';
import type { Contact, ContactPoint, MailboxSubscription } from '../domain/model.ts';
import { evaluate, type JsonObject, project, type Query, type QueryPage, select } from '../domain/query.ts';
import type { ContactQuery } from '../store/store.ts';
import type { ActionActor, AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import type { Faults } from './faults.ts';
import { onlyFields } from './fields.ts';
import type { Page, PageRequest } from './paging.ts';
import { reject } from './rejections.ts';
import type { Subscriptions } from './subscriptions.ts';

/** Where a contact search goes on: after this contact in NgDP's order (lastUpdated, transactionId). */
export interface ContactPosition {
  lastUpdated: number;
  transactionId: string;
}

export interface ContactSearch extends PageRequest {
  ids?: string[] | undefined;
  cprNumbers?: string[] | undefined;
  cvrNumbers?: string[] | undefined;
  /** Only contacts updated at or after this time (NgDP's `lastUpdated`); no stand-ins then. */
  updatedSince?: number | undefined;
  /** Go on after this contact (NgDP's `next` cursor) instead of by `page`. */
  after?: ContactPosition | undefined;
}

/**
 * How many items a search's generic query (field filters, `any`, `sortFields`) looks at, at most:
 * it filters and sorts in memory, after the store has applied the search's own parameters.
 */
export const QUERY_SCAN_LIMIT = 10_000;

/** A page of contacts as NgDP's generic query made it: the items as served, projected. */
export interface SelectedContactPage {
  items: JsonObject[];
  currentPage: number;
  totalPages: number;
  totalElements: number;
  /** The last contact of the page in NgDP's order, where `next` goes on; undefined when sorted otherwise. */
  last: Contact | undefined;
}

export interface ContactPage {
  contacts: Contact[];
  currentPage: number;
  totalPages: number;
  totalElements: number;
  /** The last contact of the page, where the next page goes on; undefined on an empty page. */
  last: Contact | undefined;
}

/** A test identity to register or change, as given (unchecked). */
export interface IdentityInput {
  /** The CPR number of a citizen, the CVR number of a company. */
  number?: unknown;
  name?: unknown;
  publicRegistrationStatus?: unknown;
  registrationStatus?: unknown;
  nemSmsMobileNumber?: unknown;
}

/** A contact point's settable fields, as given (unchecked); `systemId: null` detaches it. */
export interface ContactPointInput {
  organisationId?: unknown;
  name?: unknown;
  systemId?: unknown;
  active?: unknown;
  description?: unknown;
  visible?: unknown;
  targets?: unknown;
  searchTerms?: unknown;
}

/**
 * A registration from `input`'s `publicRegistrationStatus` and `registrationStatus`: what is not
 * given is kept from `current`, or (a new status, or a new contact) follows from the public status.
 */
function registrationOf(
  resource: string,
  input: { publicRegistrationStatus?: unknown; registrationStatus?: unknown },
  current: MailboxSubscription | undefined,
): MailboxSubscription {
  const status = input.publicRegistrationStatus ?? current?.publicRegistrationStatus ?? 'REGISTERED';
  if (!isOneOf(PUBLIC_REGISTRATION_STATUSES, status))
    throw reject.invalidField(
      resource,
      'publicRegistrationStatus',
      'NOT_ALLOWED_VALUE',
      `must be one of ${PUBLIC_REGISTRATION_STATUSES.join(', ')}`,
      status,
    );
  const registrationStatus =
    input.registrationStatus ??
    (input.publicRegistrationStatus === undefined && current !== undefined
      ? current.registrationStatus
      : defaultRegistrationStatus(status));
  if (!isOneOf(REGISTRATION_STATUSES, registrationStatus))
    throw reject.invalidField(
      resource,
      'registrationStatus',
      'NOT_ALLOWED_VALUE',
      `must be one of ${REGISTRATION_STATUSES.join(', ')}`,
      registrationStatus,
    );
  return { publicRegistrationStatus: status, registrationStatus };
}

/** How a contact came to its public status, when not said. */
function defaultRegistrationStatus(status: PublicRegistrationStatus): RegistrationStatus {
  if (status === 'REGISTERED') return 'AUTOMATIC_REGISTRATION';
  if (status === 'EXEMPT') return 'EXEMPT_OTHER_REASON';
  return 'UNKNOWN';
}

/** The event-log tag of a change of registration. */
function registrationTag(contact: Contact): EventTagName {
  const status = contact.mailboxSubscription.publicRegistrationStatus;
  if (status === 'REGISTERED') return EventTag.DIGITAL_POST_REGISTERED;
  if (status === 'EXEMPT') return EventTag.DIGITAL_POST_EXEMPTED;
  return contact.type === 'CITIZEN' ? EventTag.CONTACT_CPR_UPDATED : EventTag.CONTACT_CVR_UPDATED;
}

function isAfter(contact: Contact, position: ContactPosition | undefined): boolean {
  if (position === undefined) return true;
  return (
    contact.lastUpdated > position.lastUpdated ||
    (contact.lastUpdated === position.lastUpdated && contact.transactionId > position.transactionId)
  );
}

export class Directory {
  private readonly context: EngineContext;
  private readonly faults: Faults;
  private readonly subscriptions: Subscriptions;
  private readonly log: AdminLog;

  constructor(context: EngineContext, faults: Faults, subscriptions: Subscriptions, log: AdminLog) {
    this.context = context;
    this.faults = faults;
    this.subscriptions = subscriptions;
    this.log = log;
  }

  // ---------------------------------------------------------------- contacts

  /**
   * Contacts in NgDP's order (lastUpdated, transactionId), by page or after a position; numbers
   * asked for but not registered come last, as UNKNOWN stand-ins.
   */
  searchContacts(search: ContactSearch): ContactPage {
    const { store } = this.context;
    const query = this.contactQuery(search);
    const size = this.faults.pageSize(search.size);
    const standIns = this.standIns(search);
    const stored = store.countContacts(query);
    const { after } = search;
    let contacts: Contact[];
    let before: number;
    if (after !== undefined) {
      contacts = store.searchContacts({ ...query, after }, size);
      before =
        stored - store.countContacts({ ...query, after }) + standIns.filter((c) => !isAfter(c, after)).length;
      if (contacts.length < size)
        contacts.push(...standIns.filter((c) => isAfter(c, after)).slice(0, size - contacts.length));
    } else {
      before = search.page * size;
      contacts = store.searchContacts(query, before + size).slice(before);
      if (contacts.length < size) {
        const from = Math.max(0, before + contacts.length - stored);
        contacts.push(...standIns.slice(from, from + size - contacts.length));
      }
    }
    const total = stored + standIns.length;
    return {
      contacts,
      currentPage: Math.floor(before / size),
      totalPages: Math.max(1, Math.ceil(total / size)),
      totalElements: total,
      last: contacts.at(-1),
    };
  }

  /**
   * The contacts of `search` that NgDP's generic `query` keeps, judged as `json` shows them (as NgDP
   * serves them), in its order — by page, or after a position when it has no `sortFields`.
   *
   * @throws Rejection QUERY_TOO_BROAD when more than {@link QUERY_SCAN_LIMIT} contacts match `search`.
   */
  selectContacts(
    search: ContactSearch,
    query: Query,
    json: (contact: Contact) => JsonObject,
  ): SelectedContactPage {
    const stored = this.context.store.searchContacts(this.contactQuery(search), QUERY_SCAN_LIMIT + 1);
    if (stored.length > QUERY_SCAN_LIMIT)
      throw reject.queryTooBroad(QUERY_SCAN_LIMIT, 'id, cprNumber, cvrNumber or lastUpdated');
    const kept = select(query, [...stored, ...this.standIns(search)], json);
    const size = this.faults.pageSize(search.size);
    const { after } = search;
    const inOrder = query.sort.length === 0;
    const from =
      after !== undefined && inOrder
        ? ((index) => (index < 0 ? kept.length : index))(kept.findIndex((contact) => isAfter(contact, after)))
        : search.page * size;
    const page = kept.slice(from, from + size);
    return {
      items: page.map((contact) => project(query, json(contact))),
      currentPage: Math.floor(from / size),
      totalPages: Math.max(1, Math.ceil(kept.length / size)),
      totalElements: kept.length,
      last: inOrder ? page.at(-1) : undefined,
    };
  }

  private contactQuery(search: ContactSearch): ContactQuery {
    return {
      ...(search.ids ? { ids: search.ids } : {}),
      ...(search.cprNumbers ? { cprNumbers: search.cprNumbers } : {}),
      ...(search.cvrNumbers ? { cvrNumbers: search.cvrNumbers } : {}),
      ...(search.updatedSince === undefined ? {} : { updatedSince: search.updatedSince }),
    };
  }

  /** UNKNOWN stand-ins for the numbers asked for but not registered, in transactionId order. */
  private standIns(search: ContactSearch): Contact[] {
    if (search.updatedSince !== undefined) return [];
    const standIns: Contact[] = [];
    for (const [kind, numbers] of [
      ['cpr', search.cprNumbers],
      ['cvr', search.cvrNumbers],
    ] as const) {
      for (const number of new Set(numbers ?? [])) {
        if (this.context.store.findContact(kind, number) === undefined)
          standIns.push(unknownContact(kind, number));
      }
    }
    return standIns.sort((a, b) => (a.transactionId < b.transactionId ? -1 : 1));
  }

  /**
   * A contact by id; also the stand-in a search gave for a number, while that number stays
   * unregistered.
   *
   * @throws Rejection NOT_FOUND for an unknown contact id.
   */
  contact(id: string): Contact {
    const { store } = this.context;
    const contact = store.getContact(id);
    if (contact !== undefined) return contact;
    const standIn = standInNumber(id);
    if (standIn === undefined || store.findContact(standIn.kind, standIn.number) !== undefined)
      throw reject.notFound(`no contact ${id}`);
    return unknownContact(standIn.kind, standIn.number);
  }

  /**
   * Registers a test citizen (`CITIZEN`, by CPR number) or company (`COMPANY`, by CVR number), or
   * changes the one registered under that number (one version more). Subscriptions the change
   * concerns are notified; a change of registration is recorded in the event log.
   *
   * @throws Rejection for a field that is wrong.
   */
  registerIdentity(kind: 'CITIZEN' | 'COMPANY', input: IdentityInput): Contact {
    const { store } = this.context;
    const resource = kind.toLowerCase();
    const field = kind === 'CITIZEN' ? 'cprNumber' : 'cvrNumber';
    const { number } = input;
    if (typeof number !== 'string' || !(kind === 'CITIZEN' ? isCprNumber(number) : isCvrNumber(number)))
      throw reject.invalidField(
        resource,
        field,
        'INVALID_FORMAT',
        `must be ${kind === 'CITIZEN' ? 10 : 8} digits`,
        number,
      );
    const mailboxSubscription = registrationOf(resource, input, undefined);
    const mobile = input.nemSmsMobileNumber;
    if (mobile !== undefined && !isMobileNumber(mobile))
      throw reject.invalidField(
        resource,
        'nemSmsMobileNumber',
        'INVALID_FORMAT',
        'must be 8 digits not starting with 0 or 1',
        mobile,
      );
    const existing = store.findContact(kind === 'CITIZEN' ? 'cpr' : 'cvr', number);
    const now = this.context.now();
    const given: Contact = {
      id: existing?.id ?? this.context.newId(),
      type: kind,
      [field]: number,
      name:
        typeof input.name === 'string'
          ? input.name
          : (existing?.name ?? (kind === 'CITIZEN' ? 'Testborger' : 'Testvirksomhed')),
      mailboxSubscription,
      ...(typeof mobile === 'string' ? { nemSmsMobileNumber: mobile } : {}),
      ...(existing?.address === undefined ? {} : { address: existing.address }),
      transactionId: this.context.newId(),
      createdDate: existing?.createdDate ?? now,
      lastUpdated: now,
    };
    const contact = changedContact(existing, given, copenhagenDate(now));
    this.saveContact(existing, contact);
    return contact;
  }

  /**
   * The test citizens (`CITIZEN`) or companies (`COMPANY`) registered — the seed's (the magic
   * identities among them), the test portal's and the control API's — in NgDP's order
   * (lastUpdated, transactionId): a page of them.
   */
  listIdentities(kind: 'CITIZEN' | 'COMPANY', request: PageRequest): Page<Contact> {
    const { store } = this.context;
    const start = request.page * request.size;
    return {
      items: store.searchContacts({ type: kind }, start + request.size).slice(start),
      page: request.page,
      size: request.size,
      total: store.countContacts({ type: kind }),
    };
  }

  /**
   * Deletes the test citizen (`CITIZEN`, by CPR number) or company (`COMPANY`, by CVR number)
   * registered under `number`: from then on the number is as one never registered (`UNKNOWN` to a
   * search, `RECIPIENT_UNKNOWN` to a letter); the letters already delivered to its mailbox stay.
   * `by`'s organisation gets an action-log row.
   *
   * @throws Rejection for a malformed number; NOT_FOUND for a number not registered.
   */
  deleteIdentity(by: ActionActor, kind: 'CITIZEN' | 'COMPANY', number: string): void {
    const citizen = kind === 'CITIZEN';
    const field = citizen ? 'cprNumber' : 'cvrNumber';
    if (!(citizen ? isCprNumber(number) : isCvrNumber(number)))
      throw reject.invalidField(
        'path',
        field,
        'INVALID_FORMAT',
        `must be ${citizen ? 10 : 8} digits`,
        citizen ? maskCprValue(number) : number,
      );
    const { store } = this.context;
    const contact = store.findContact(citizen ? 'cpr' : 'cvr', number);
    if (contact === undefined)
      throw reject.notFound(
        `no test ${citizen ? 'citizen' : 'company'} registered under ${citizen ? maskCpr(number) : number}`,
      );
    this.context.change(() => {
      store.deleteContact(contact.id);
      this.log.changed(by, {
        subject: citizen ? 'Testborger' : 'Testvirksomhed',
        resourceId: contact.id,
        name: contact.name,
        event: 'Slettet',
        eventTag: citizen ? EventTag.CONTACT_CPR_UPDATED : EventTag.CONTACT_CVR_UPDATED,
        cprCvr: number,
        before: {
          name: contact.name,
          publicRegistrationStatus: contact.mailboxSubscription.publicRegistrationStatus,
        },
      });
    });
  }

  /**
   * Changes the Digital Post registration of the contact registered under `number` (a CPR or CVR
   * number): `publicRegistrationStatus` and/or `registrationStatus`. A change is one version more,
   * an event-log line (`DIGITAL_POST_REGISTERED`, `DIGITAL_POST_EXEMPTED`, or `CONTACT_CPR_UPDATED`
   * / `CONTACT_CVR_UPDATED`) and a notification to each subscription it concerns; asking for the
   * registration the contact already has changes nothing.
   *
   * @throws Rejection for a malformed number or a wrong field; NOT_FOUND for a number not registered.
   */
  changeRegistration(number: string, input: Record<string, unknown>): Contact {
    const kind = partyNumberKind(number);
    if (kind === undefined)
      throw reject.invalidField(
        'path',
        'number',
        'INVALID_FORMAT',
        'must be a CPR (10 digits) or CVR (8 digits) number',
        number,
      );
    onlyFields('registration', input, ['publicRegistrationStatus', 'registrationStatus']);
    if (input.publicRegistrationStatus === undefined && input.registrationStatus === undefined)
      throw reject.requiredField(
        'registration',
        'publicRegistrationStatus',
        'is required (or registrationStatus): the registration to change to',
      );
    const existing = this.context.store.findContact(kind === 'CPR' ? 'cpr' : 'cvr', number);
    if (existing === undefined)
      throw reject.notFound(`no contact registered under that ${kind} number: register it first`);
    const mailboxSubscription = registrationOf('registration', input, existing.mailboxSubscription);
    const before = existing.mailboxSubscription;
    if (
      before.publicRegistrationStatus === mailboxSubscription.publicRegistrationStatus &&
      before.registrationStatus === mailboxSubscription.registrationStatus
    )
      return existing;
    const now = this.context.now();
    const contact = changedContact(
      existing,
      { ...existing, mailboxSubscription, transactionId: this.context.newId(), lastUpdated: now },
      copenhagenDate(now),
    );
    this.saveContact(existing, contact);
    return contact;
  }

  /**
   * Gives a registered contact the registration an exemption makes (admin.md §4): exempt from the
   * date in `registration` (a renewal moves it), or registered again. One version more, and — as any
   * change of registration — an event-log line and a notification to each subscription it concerns.
   */
  changeExemption(contact: Contact, registration: MailboxSubscription): Contact {
    const now = this.context.now();
    const changed = changedContact(
      contact,
      {
        ...contact,
        mailboxSubscription: registration,
        transactionId: this.context.newId(),
        lastUpdated: now,
      },
      copenhagenDate(now),
    );
    this.saveContact(contact, changed);
    return changed;
  }

  /** Saves a new or changed contact, tells its subscribers, and logs a change of registration. */
  private saveContact(existing: Contact | undefined, contact: Contact): void {
    this.context.change(() => {
      this.context.store.putContact(contact);
      const subscribers = this.subscriptions.contactChanged(
        contact,
        existing === undefined ? 'CREATED' : 'UPDATED',
      );
      const before = existing?.mailboxSubscription;
      const after = contact.mailboxSubscription;
      if (
        before !== undefined &&
        (before.publicRegistrationStatus !== after.publicRegistrationStatus ||
          before.registrationStatus !== after.registrationStatus)
      )
        this.context.record(registrationTag(contact), undefined, {
          text: `registration ${before.publicRegistrationStatus}/${before.registrationStatus} → ${after.publicRegistrationStatus}/${after.registrationStatus}`,
          systemIds: subscribers,
          parties: [contact.cprNumber ?? contact.cvrNumber ?? ''],
          meta: {
            contactId: contact.id,
            publicRegistrationStatus: after.publicRegistrationStatus,
            registrationStatus: after.registrationStatus,
          },
        });
      this.context.emit({ type: 'contact-saved', contact });
    });
  }

  // ---------------------------------------------------------------- contact points

  /**
   * The active, visible contact points NgDP's generic `query` keeps (the search's own parameters added to it
   * as filters), judged as `json` shows them; the page projected.
   */
  searchContactPoints(query: Query, json: (point: ContactPoint) => JsonObject): QueryPage {
    const shown = this.context.store
      .listContactPoints()
      .filter((point) => point.active && point.visible !== false);
    return evaluate(query, shown.map(json), this.faults.pageSize(query.size));
  }

  listContactPoints(): ContactPoint[] {
    return this.context.store.listContactPoints();
  }

  /**
   * Creates a contact point of an organisation, active, for every kind of sender.
   *
   * @throws Rejection for an unknown organisation, a missing name, or a wrong field.
   */
  createContactPoint(input: ContactPointInput): ContactPoint {
    const { organisationId } = input;
    if (
      typeof organisationId !== 'string' ||
      this.context.store.getOrganisation(organisationId) === undefined
    )
      throw reject.invalidField(
        'contactPoint',
        'organisationId',
        'NOT_FOUND',
        'must name an existing organisation',
        organisationId,
      );
    const now = this.context.now();
    const point = this.withFields(
      {
        id: this.context.newId(),
        organisationId,
        name: '',
        targets: [...CONTACT_POINT_WRITERS],
        active: true,
        createdDate: now,
        lastUpdated: now,
        version: 1,
      },
      input,
    );
    if (point.name === '') throw reject.requiredField('contactPoint', 'name');
    this.saveContactPoint(point);
    return point;
  }

  /** @throws Rejection NOT_FOUND for an unknown contact point; a field rejection for a wrong field. */
  updateContactPoint(id: string, input: ContactPointInput): ContactPoint {
    const point = this.context.store.getContactPoint(id);
    if (point === undefined) throw reject.notFound(`no contact point ${id}`);
    const updated = {
      ...this.withFields(point, input),
      version: (point.version ?? 1) + 1,
      lastUpdated: this.context.now(),
    };
    this.saveContactPoint(updated);
    return updated;
  }

  private withFields(point: ContactPoint, input: ContactPointInput): ContactPoint {
    const next = { ...point };
    if (input.name !== undefined) {
      if (typeof input.name !== 'string' || input.name.trim() === '')
        throw reject.invalidField(
          'contactPoint',
          'name',
          'INVALID_FORMAT',
          'must be a non-empty string',
          input.name,
        );
      next.name = input.name;
    }
    if (input.systemId !== undefined) {
      if (input.systemId === null) delete next.systemId;
      else {
        const system =
          typeof input.systemId === 'string' ? this.context.store.getSystem(input.systemId) : undefined;
        if (system === undefined || system.organisationId !== next.organisationId)
          throw reject.invalidField(
            'contactPoint',
            'systemId',
            'NOT_FOUND',
            "must name a system of the contact point's organisation, or null",
            input.systemId,
          );
        next.systemId = system.id;
      }
    }
    for (const field of ['active', 'visible'] as const) {
      const value = input[field];
      if (value === undefined) continue;
      if (typeof value !== 'boolean')
        throw reject.invalidField('contactPoint', field, 'INVALID_FORMAT', 'must be true or false', value);
      next[field] = value;
    }
    if (input.description !== undefined) {
      if (typeof input.description !== 'string' || input.description.length > 250)
        throw reject.invalidField(
          'contactPoint',
          'description',
          'INVALID_FORMAT',
          'must be a string of at most 250 characters',
          input.description,
        );
      next.description = input.description;
    }
    if (input.targets !== undefined) {
      const { targets } = input;
      if (
        !Array.isArray(targets) ||
        targets.length === 0 ||
        !targets.every((target) => isOneOf(CONTACT_POINT_WRITERS, target))
      )
        throw reject.invalidField(
          'contactPoint',
          'targets',
          'NOT_ALLOWED_VALUE',
          `must be a non-empty list of ${CONTACT_POINT_WRITERS.join(', ')}`,
          targets,
        );
      next.targets = [...new Set(targets)];
    }
    if (input.searchTerms !== undefined) {
      const terms = input.searchTerms;
      if (!Array.isArray(terms) || !terms.every((term) => typeof term === 'string' && isSearchTerm(term)))
        throw reject.invalidField(
          'contactPoint',
          'searchTerms',
          'INVALID_FORMAT',
          'must be a list of keywords of at most 30 letters, digits, spaces and hyphens',
          terms,
        );
      next.searchTerms = [...terms];
    }
    return next;
  }

  private saveContactPoint(contactPoint: ContactPoint): void {
    this.context.change(() => {
      this.context.store.putContactPoint(contactPoint);
      this.context.emit({ type: 'contact-point-saved', contactPoint });
    });
  }
}
