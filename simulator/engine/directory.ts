/**
 * NgDP's directory: contacts (citizens and companies with their Digital Post registration) and
 * authorities' contact points — searched by systems (`/contacts/`, `/contact-points/`), and set up as
 * test identities and contact points (the control API today; the test portal and Administrativ
 * Adgang next).
 */
import {
  isOneOf,
  PUBLIC_REGISTRATION_STATUSES,
  type PublicRegistrationStatus,
  REGISTRATION_STATUSES,
} from '../../sdk/ngdp/enums.ts';
import { isCprNumber, isCvrNumber } from '../../sdk/ngdp/identifiers.ts';
import { copenhagenDate } from '../../sdk/ngdp/time.ts';
import { CONTACT_POINT_WRITERS, changedContact, standInNumber, unknownContact } from '../domain/contacts.ts';
import { isMobileNumber, isSearchTerm } from '../domain/formats.ts';
import type { Contact, ContactPoint } from '../domain/model.ts';
import type { ContactQuery } from '../store/store.ts';
import type { EngineContext } from './context.ts';
import type { Faults } from './faults.ts';
import type { Page, PageRequest } from './paging.ts';
import { reject } from './rejections.ts';

/** Where a contact search goes on: after this contact in NgDP's order (lastUpdated, transactionId). */
export interface ContactPosition {
  lastUpdated: number;
  transactionId: string;
}

export interface ContactSearch extends PageRequest {
  ids?: string[] | undefined;
  cprNumbers?: string[] | undefined;
  cvrNumbers?: string[] | undefined;
  /** Go on after this contact (NgDP's `next` cursor) instead of by `page`. */
  after?: ContactPosition | undefined;
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

  constructor(context: EngineContext, faults: Faults) {
    this.context = context;
    this.faults = faults;
  }

  // ---------------------------------------------------------------- contacts

  /**
   * Contacts in NgDP's order (lastUpdated, transactionId), by page or after a position; numbers
   * asked for but not registered come last, as UNKNOWN stand-ins.
   */
  searchContacts(search: ContactSearch): ContactPage {
    const { store } = this.context;
    const query: ContactQuery = {
      ...(search.ids ? { ids: search.ids } : {}),
      ...(search.cprNumbers ? { cprNumbers: search.cprNumbers } : {}),
      ...(search.cvrNumbers ? { cvrNumbers: search.cvrNumbers } : {}),
    };
    const size = this.faults.pageSize(search.size);
    const standIns: Contact[] = [];
    for (const [kind, numbers] of [
      ['cpr', search.cprNumbers],
      ['cvr', search.cvrNumbers],
    ] as const) {
      for (const number of new Set(numbers ?? [])) {
        if (store.findContact(kind, number) === undefined) standIns.push(unknownContact(kind, number));
      }
    }
    standIns.sort((a, b) => (a.transactionId < b.transactionId ? -1 : 1));
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
   * changes the one registered under that number.
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
    const status = input.publicRegistrationStatus ?? 'REGISTERED';
    if (!isOneOf(PUBLIC_REGISTRATION_STATUSES, status))
      throw reject.invalidField(
        resource,
        'publicRegistrationStatus',
        'NOT_ALLOWED_VALUE',
        `must be one of ${PUBLIC_REGISTRATION_STATUSES.join(', ')}`,
        status,
      );
    const registrationStatus =
      input.registrationStatus ?? (status === 'REGISTERED' ? 'AUTOMATIC_REGISTRATION' : 'UNKNOWN');
    if (!isOneOf(REGISTRATION_STATUSES, registrationStatus))
      throw reject.invalidField(
        resource,
        'registrationStatus',
        'NOT_ALLOWED_VALUE',
        `must be one of ${REGISTRATION_STATUSES.join(', ')}`,
        registrationStatus,
      );
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
      mailboxSubscription: {
        publicRegistrationStatus: status as PublicRegistrationStatus,
        registrationStatus,
      },
      ...(typeof mobile === 'string' ? { nemSmsMobileNumber: mobile } : {}),
      ...(existing?.address === undefined ? {} : { address: existing.address }),
      transactionId: this.context.newId(),
      createdDate: existing?.createdDate ?? now,
      lastUpdated: now,
    };
    const contact = changedContact(existing, given, copenhagenDate(now));
    this.context.change(() => {
      store.putContact(contact);
      this.context.emit({ type: 'contact-saved', contact });
    });
    return contact;
  }

  // ---------------------------------------------------------------- contact points

  /** Active, visible contact points whose name contains `term` (any case). */
  searchContactPoints(search: PageRequest & { term?: string | undefined }): Page<ContactPoint> {
    const term = search.term?.toLowerCase();
    const all = this.context.store
      .listContactPoints()
      .filter(
        (point) =>
          point.active &&
          point.visible !== false &&
          (term === undefined || point.name.toLowerCase().includes(term)),
      );
    const size = this.faults.pageSize(search.size);
    return {
      items: all.slice(search.page * size, (search.page + 1) * size),
      page: search.page,
      size,
      total: all.length,
    };
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
    if (input.active !== undefined) {
      if (typeof input.active !== 'boolean')
        throw reject.invalidField(
          'contactPoint',
          'active',
          'INVALID_FORMAT',
          'must be true or false',
          input.active,
        );
      next.active = input.active;
    }
    if (input.visible !== undefined) {
      if (typeof input.visible !== 'boolean')
        throw reject.invalidField(
          'contactPoint',
          'visible',
          'INVALID_FORMAT',
          'must be true or false',
          input.visible,
        );
      next.visible = input.visible;
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
