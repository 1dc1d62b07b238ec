/**
 * `admin.contactGroups`, `admin.contactPoints` and `admin.contactStructure`: an authority's contact
 * structure (Administrativ Adgang, "Kontaktstruktur"). Needs `CONTACT_ADMINISTRATOR`, in an
 * authority.
 */
import { InvalidOptionsError } from '../errors.ts';
import { integer, object } from '../http/shape.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import type { Operations, SearchOptions, VersionedOptions } from './operation.ts';
import type { ContactGroup, ContactGroupCommand, ContactPoint, ContactPointCommand } from './types.ts';

/** Filters of `contactGroups.list` NgDP declares, besides the generic query language. */
export interface ContactGroupSearch extends SearchOptions {
  /** Only the root group (`true`) or only the others (`false`). */
  isRoot?: boolean;
  visibility?: string;
}

/** Options of `contactGroups.delete`. */
export interface ContactGroupDeletion extends VersionedOptions {
  /**
   * Confirms deleting everything below the group (the portal's confirmation, admin.md §2.4), which
   * the simulator asks for as the header `X-Confirm-Delete: true`; an empty group needs none.
   */
  confirm?: boolean;
}

/** Filters of `contactPoints.list` NgDP declares, besides the generic query language. */
export interface ContactPointSearch extends SearchOptions {
  searchTerm?: string;
  searchTermOrName?: string;
  contactGroupId?: string;
  isRoot?: boolean;
  visibility?: string;
}

/** The groups of an authority's contact structure. */
export class ContactGroups {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Every contact group of the organisation (`queryContactGroups`), page after page. */
  list(organisationId: string, search: ContactGroupSearch = {}): AsyncGenerator<ContactGroup> {
    const { isRoot, visibility } = search;
    return this.#ops.list(
      { operationId: 'queryContactGroups', params: { organisationId }, query: { isRoot, visibility } },
      'contactGroups',
      search,
      'contactGroups.list',
    );
  }

  /** Creates a contact group under a parent group (`createContactGroup`). */
  create(
    organisationId: string,
    command: ContactGroupCommand,
    options?: RequestOptions,
  ): Promise<ContactGroup> {
    return this.#ops.send('createContactGroup', { organisationId }, command, options);
  }

  /** One contact group (`fetchContactGroup`). */
  get(organisationId: string, id: string, options?: RequestOptions): Promise<ContactGroup> {
    return this.#ops.call('fetchContactGroup', { organisationId, id }, options);
  }

  /** Changes a contact group (`updateContactGroup`). */
  update(
    organisationId: string,
    id: string,
    command: ContactGroupCommand,
    options: VersionedOptions,
  ): Promise<ContactGroup> {
    return this.#ops.change('updateContactGroup', { organisationId, id }, command, options);
  }

  /**
   * Deletes a contact group (`deleteContactGroup`) with its subgroups and the points below it (a
   * point also placed elsewhere only leaves the subtree). A group with anything below it goes only
   * with `confirm: true` (sent as `X-Confirm-Delete: true`); without it the simulator refuses with
   * an `UnprocessableEntityError` (422 `CONFIRMATION_REQUIRED`) and nothing changes.
   */
  delete(organisationId: string, id: string, options: ContactGroupDeletion): Promise<void> {
    return this.#ops.none(
      {
        operationId: 'deleteContactGroup',
        params: { organisationId, id },
        ifMatch: options.ifMatch,
        ...(options.confirm === true ? { headers: { 'x-confirm-delete': 'true' } } : {}),
      },
      options,
    );
  }
}

/** The contact points of an authority's contact structure. */
export class ContactPoints {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** Every contact point of the organisation (`queryContactPoints`), page after page. */
  list(organisationId: string, search: ContactPointSearch = {}): AsyncGenerator<ContactPoint> {
    const { searchTerm, searchTermOrName, contactGroupId, isRoot, visibility } = search;
    return this.#ops.list(
      {
        operationId: 'queryContactPoints',
        params: { organisationId },
        query: { searchTerm, searchTermOrName, contactGroupId, isRoot, visibility },
      },
      'contactPoints',
      search,
      'contactPoints.list',
    );
  }

  /** Creates a contact point (`createContactPoint`). */
  create(
    organisationId: string,
    command: ContactPointCommand,
    options?: RequestOptions,
  ): Promise<ContactPoint> {
    return this.#ops.send('createContactPoint', { organisationId }, command, options);
  }

  /** One contact point (`fetchContactPoint`). */
  get(organisationId: string, id: string, options?: RequestOptions): Promise<ContactPoint> {
    return this.#ops.call('fetchContactPoint', { organisationId, id }, options);
  }

  /** Changes a contact point (`updateContactPoint`). */
  update(
    organisationId: string,
    id: string,
    command: ContactPointCommand,
    options: VersionedOptions,
  ): Promise<ContactPoint> {
    return this.#ops.change('updateContactPoint', { organisationId, id }, command, options);
  }

  /** Deletes a contact point (`deleteContactPoint`). */
  delete(organisationId: string, id: string, options: VersionedOptions): Promise<void> {
    return this.#ops.remove('deleteContactPoint', { organisationId, id }, options);
  }
}

/** What an import changed. */
export interface ContactStructureImport {
  groupsCreated: number;
  groupsUpdated: number;
  pointsCreated: number;
  pointsUpdated: number;
}

const importShape = object({
  groupsCreated: integer,
  groupsUpdated: integer,
  pointsCreated: integer,
  pointsUpdated: integer,
});

/**
 * The whole contact structure as CSV (Administrativ Adgang's export and import, admin.md §2.5): at
 * `/admin/v1/organisations/{organisationId}/contact-structure`, beside NgDP's API (the simulator's
 * path; NgDP's OpenAPI has no operation for it).
 */
export class ContactStructure {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  #path(organisationId: string): string {
    if (typeof organisationId !== 'string' || organisationId === '')
      throw new InvalidOptionsError('contactStructure: organisationId is required');
    return `/organisations/${encodeURIComponent(organisationId)}/contact-structure`;
  }

  /** The organisation's contact groups and points as CSV text. */
  async export(organisationId: string, options?: RequestOptions): Promise<string> {
    const response = await this.#transport.send(
      { method: 'GET', path: this.#path(organisationId), accept: 'text/csv' },
      options,
    );
    return response.body.toString('utf8');
  }

  /**
   * Creates and updates contact groups and points from CSV text (the export's format). A row at
   * fault refuses the whole import: a `BadRequestError` (`INVALID_IMPORT`) whose `fieldErrors` name
   * each row and field.
   */
  async import(
    organisationId: string,
    csv: string,
    options?: RequestOptions,
  ): Promise<ContactStructureImport> {
    return await this.#transport.json(
      {
        method: 'PUT',
        path: this.#path(organisationId),
        body: csv,
        contentType: 'text/csv',
        effect: {
          operation: 'contactStructure.import',
          check: 'export the contact structure to see whether the import was made',
          repeatable: true,
        },
      },
      options ?? {},
      (value) => importShape.read(value, '$'),
    );
  }
}
