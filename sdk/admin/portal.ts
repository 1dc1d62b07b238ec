/**
 * `admin.portal`: the test portal's functions (docs/admin.md, "The test portal") — logging in,
 * the organisations an employee acts for, test organisations, employees with rights, citizens and
 * companies. The simulator serves them at `/portal/v1`; NgDP's test portal has them as web pages.
 */
import type { ListOptions } from '../client/pagination.ts';
import type { Contact, RegistrationStatus } from '../client/types.ts';
import { InvalidOptionsError } from '../errors.ts';
import { array, object, string } from '../http/shape.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import { isCprNumber, isCvrNumber, maskCprValue } from '../ngdp/identifiers.ts';
import { pagedList } from './operation.ts';
import type { OAuth2AccessToken, Organisation, TestOrganisationCommand } from './types.ts';

/** A logged-in employee's token: NgDP's `OAuth2AccessToken` with its `value`. */
export interface AccessToken extends OAuth2AccessToken {
  /** The bearer token. */
  value: string;
  /** The employee and the organisation the token acts for. */
  additionalInformation?: { identityId?: string; organisationId?: string; asSystemManager?: boolean };
}

/** A login of the test portal. */
export interface Credentials {
  username: string;
  password: string;
  /** Act for this organisation rather than the employee's own (it must hold rights there). */
  organisationId?: string;
}

/** An organisation an employee may act for, with its rights there (`GET /portal/v1/contexts`). */
export interface AdminContext {
  organisationId: string;
  cvrNumber: string;
  name: string;
  type: 'AUTHORITY' | 'COMPANY';
  rights: string[];
}

/** A test employee as the portal shows it (never its password). */
export interface TestEmployee {
  id: string;
  version: number;
  username: string;
  name: string;
  /** Its RID number (the action log's actor is `CVR:<cvr>-RID:<rid>`). */
  rid: string;
  /** The organisation it belongs to. */
  organisationId: string;
  /** Its rights per organisation. */
  rights: Array<{ organisationId: string; rights: string[] }>;
  createdDate: string;
  lastUpdated: string;
}

/** A test employee to create. */
export interface NewTestEmployee {
  /** 3–64 of `A–Z a–z 0–9 . _ -`, unique. */
  username: string;
  /** At least 8 characters. */
  password: string;
  name?: string;
  /** NgDP's privilege names (`ORGANISATION_ADMINISTRATOR`) or their test names (`DP Admin`). */
  rights: readonly string[];
  /** The employee's CPR number (10 digits), what `identities.validateCpr` compares with. */
  cprNumber?: string;
}

/** A test organisation to create, and optionally its first employee's login. */
export interface NewTestOrganisation extends TestOrganisationCommand {
  cvrNumber: string;
  name: string;
  /** The first employee (every right); its password is generated unless given. */
  employee?: { username?: string; password?: string; name?: string };
}

/** What creating a test organisation gives. */
export interface CreatedTestOrganisation {
  organisation: Organisation;
  employee: TestEmployee;
  /** The first employee's password, shown this once. */
  password: string;
}

/** A test citizen or company to create (or change, under the same number). */
export interface NewTestContact {
  name?: string;
  registrationStatus?: RegistrationStatus;
  publicRegistrationStatus?: 'REGISTERED' | 'EXEMPT' | 'CLOSED' | 'UNKNOWN';
  /** A NemSMS mobile number (8 digits). */
  nemSmsMobileNumber?: string;
}

const tokenShape = object({ value: string });
const anObject = object({});

/** The test portal. */
export class Portal {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  #json<T>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.#transport.json(
      {
        method,
        path,
        ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
        ...(method === 'POST'
          ? { effect: { operation: `portal ${path}`, check: 'look in the test portal', repeatable: false } }
          : {}),
      },
      options,
      (value) => anObject.read(value, '$') as T,
    );
  }

  /**
   * Logs a test employee in: a bearer token for its own organisation, or for `organisationId`.
   * Sent without the client's token.
   *
   * @throws AuthenticationError (401 `LOGIN_FAILED`) for an unknown username or a wrong password.
   */
  login(credentials: Credentials, options: RequestOptions = {}): Promise<AccessToken> {
    return this.#transport.json(
      {
        method: 'POST',
        path: '/login',
        body: JSON.stringify(credentials),
        contentType: 'application/json',
        anonymous: true,
      },
      options,
      (value) => tokenShape.read(value, '$') as AccessToken,
    );
  }

  /** The organisations the token's employee may act for, with its rights in each. */
  async contexts(options?: RequestOptions): Promise<AdminContext[]> {
    const { contexts } = await this.#json<{ contexts: AdminContext[] }>(
      'GET',
      '/contexts',
      undefined,
      options,
    );
    return contexts;
  }

  /** A token for acting for another organisation (by id or CVR number); the old one stays valid. */
  switchContext(
    to: { organisationId: string } | { cvrNumber: string },
    options?: RequestOptions,
  ): Promise<AccessToken> {
    return this.#json('POST', '/context', to, options);
  }

  /** Creates a test organisation and its first employee (needs no token). */
  createOrganisation(
    organisation: NewTestOrganisation,
    options?: RequestOptions,
  ): Promise<CreatedTestOrganisation> {
    return this.#json('POST', '/organisations', organisation, options);
  }

  /** Creates a test employee of the token's organisation (`ORGANISATION_USER_ADMINISTRATOR`). */
  createEmployee(employee: NewTestEmployee, options?: RequestOptions): Promise<TestEmployee> {
    return this.#json('POST', '/employees', employee, options);
  }

  /** The test employees of the token's organisation and those holding rights in it. */
  async employees(options?: RequestOptions): Promise<TestEmployee[]> {
    const { employees } = await this.#transport.json(
      { method: 'GET', path: '/employees' },
      options ?? {},
      (value) => object({ employees: array(anObject) }).read(value, '$'),
    );
    return employees as TestEmployee[];
  }

  /** Deletes a test employee of the token's organisation; its logins end at once. */
  deleteEmployee(username: string, options: RequestOptions = {}): Promise<void> {
    return this.#delete(`/employees/${encodeURIComponent(username)}`, 'portal.deleteEmployee', options);
  }

  /** Gives an employee (of any organisation) these rights in the token's organisation; `[]` takes them. */
  setRights(username: string, rights: readonly string[], options?: RequestOptions): Promise<TestEmployee> {
    return this.#json('PUT', `/employees/${encodeURIComponent(username)}/rights`, { rights }, options);
  }

  /** Creates (or changes) a test citizen: a mailbox under a CPR number. */
  createCitizen(cprNumber: string, citizen: NewTestContact = {}, options?: RequestOptions): Promise<Contact> {
    return this.#json('POST', '/citizens', { ...citizen, cprNumber }, options);
  }

  /** Creates (or changes) a test company: a mailbox under a CVR number. */
  createCompany(cvrNumber: string, company: NewTestContact = {}, options?: RequestOptions): Promise<Contact> {
    return this.#json('POST', '/companies', { ...company, cvrNumber }, options);
  }

  /**
   * Every test citizen, page after page (`pageSize`, default 100): the seed's (on the simulator,
   * its magic identities among them) and those made since, shared by all organisations.
   *
   * @example
   * for await (const citizen of admin.portal.citizens()) console.log(citizen.cprNumber);
   */
  citizens(options: ListOptions & RequestOptions = {}): AsyncGenerator<Contact> {
    return pagedList(
      this.#transport,
      { method: 'GET', path: '/citizens' },
      'citizens',
      options,
      'portal.citizens',
    );
  }

  /** Every test company, page after page (`pageSize`, default 100), as {@link Portal.citizens}. */
  companies(options: ListOptions & RequestOptions = {}): AsyncGenerator<Contact> {
    return pagedList(
      this.#transport,
      { method: 'GET', path: '/companies' },
      'companies',
      options,
      'portal.companies',
    );
  }

  /**
   * Deletes a test citizen: its CPR number is unknown from then on (letters to it are refused), the
   * letters already in its mailbox stay.
   *
   * @throws InvalidOptionsError, before any call, unless `cprNumber` is 10 digits (it shows only
   *   its first six characters); NotFoundError (404) for a number not registered.
   */
  async deleteCitizen(cprNumber: string, options: RequestOptions = {}): Promise<void> {
    if (!isCprNumber(cprNumber))
      throw new InvalidOptionsError(
        `portal.deleteCitizen: cprNumber must be 10 digits, got ${JSON.stringify(maskCprValue(String(cprNumber)))}`,
      );
    await this.#delete(`/citizens/${cprNumber}`, 'portal.deleteCitizen', options);
  }

  /**
   * Deletes a test company, as {@link Portal.deleteCitizen}.
   *
   * @throws InvalidOptionsError, before any call, unless `cvrNumber` is 8 digits; NotFoundError
   *   (404) for a number not registered.
   */
  async deleteCompany(cvrNumber: string, options: RequestOptions = {}): Promise<void> {
    if (!isCvrNumber(cvrNumber))
      throw new InvalidOptionsError(
        `portal.deleteCompany: cvrNumber must be 8 digits, got ${JSON.stringify(String(cvrNumber))}`,
      );
    await this.#delete(`/companies/${cvrNumber}`, 'portal.deleteCompany', options);
  }

  async #delete(path: string, operation: string, options: RequestOptions): Promise<void> {
    await this.#transport.send(
      {
        method: 'DELETE',
        path,
        answer: 'none',
        effect: { operation, check: 'list the test identities', repeatable: true },
      },
      options,
    );
  }
}
