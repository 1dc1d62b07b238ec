/**
 * `admin.organisation` (authority information, its logo, its postkasse ids) and `admin.lookups`
 * (citizens and organisations by number).
 */
import type { RequestOptions } from '../http/transport.ts';
import type { Operations, VersionedOptions } from './operation.ts';
import type {
  CitizenLookupResult,
  Logo,
  Organisation,
  OrganisationCommand,
  OrganisationLookup,
  PostkasseEmneIdsSearchResult,
  PostkasseIdsSearchResult,
} from './types.ts';

/** An organisation's own information (Administrativ Adgang, "Myndighedsinformation"). */
export class OrganisationAdmin {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** The organisation (`fetchOrganisation`). */
  get(id: string, options?: RequestOptions): Promise<Organisation> {
    return this.#ops.call('fetchOrganisation', { id }, options);
  }

  /** Changes the organisation's information (`updateOrganisation`; authorities only). */
  update(id: string, command: OrganisationCommand, options: VersionedOptions): Promise<Organisation> {
    return this.#ops.change('updateOrganisation', { id }, command, options);
  }

  /** The organisation's logo, a PNG (`fetchLogo`). */
  async logo(id: string, options?: RequestOptions): Promise<Uint8Array> {
    const response = await this.#ops.raw(
      { operationId: 'fetchLogo', params: { id }, accept: 'image/png' },
      options,
    );
    return new Uint8Array(response.body);
  }

  /** Replaces the organisation's logo with a PNG (`updateLogo`). */
  updateLogo(id: string, png: Uint8Array, options: VersionedOptions): Promise<Logo> {
    return this.#ops.json(
      {
        operationId: 'updateLogo',
        params: { id },
        body: { file: png, fileName: 'logo.png', contentType: 'image/png' },
        ifMatch: options.ifMatch,
      },
      options,
    );
  }

  /** Removes the organisation's logo (`deleteLogo`). */
  deleteLogo(id: string, options: VersionedOptions): Promise<void> {
    return this.#ops.remove('deleteLogo', { id }, options);
  }

  /** The organisation's postkasse ids, for contact points (`fetchPostkasseIds`). */
  async postkasseIds(organisationId: string, options?: RequestOptions): Promise<number[]> {
    const result = await this.#ops.call<PostkasseIdsSearchResult>(
      'fetchPostkasseIds',
      { organisationId },
      options,
    );
    return result.postkasseIds ?? [];
  }

  /** The subject ids of one postkasse (`fetchPostkasseEmneIds`; NgDP's field `postkasseEmnneIds`). */
  async postkasseEmneIds(
    organisationId: string,
    postkasseId: string,
    options?: RequestOptions,
  ): Promise<number[]> {
    const result = await this.#ops.call<PostkasseEmneIdsSearchResult>(
      'fetchPostkasseEmneIds',
      { organisationId, postkasseId },
      options,
    );
    return result.postkasseEmnneIds ?? [];
  }
}

/** What a citizen look-up gives (`lookupCitizen`). */
export interface CitizenLookup extends RequestOptions {
  cprNumber: string;
  /** The citizen's first name as the caller knows it, to be checked. */
  firstNameProvided?: string;
  lastNameProvided?: string;
}

/**
 * Looking up citizens and organisations by number: each look-up is written to the organisation's
 * search log.
 */
export class Lookups {
  readonly #ops: Operations;

  constructor(operations: Operations) {
    this.#ops = operations;
  }

  /** A citizen by CPR number (`lookupCitizen`; `CITIZEN_SERVICE_EMPLOYEE`, authorities only). */
  citizen(lookup: CitizenLookup): Promise<CitizenLookupResult> {
    const { cprNumber, firstNameProvided, lastNameProvided } = lookup;
    return this.#ops.json(
      { operationId: 'lookupCitizen', query: { cprNumber, firstNameProvided, lastNameProvided } },
      lookup,
    );
  }

  /** An organisation by CVR number (`organisationLookup`). */
  organisation(cvrNumber: string, options?: RequestOptions): Promise<OrganisationLookup> {
    return this.#ops.call('organisationLookup', { cvrNumber }, options);
  }
}
