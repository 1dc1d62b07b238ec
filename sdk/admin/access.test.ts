/**
 * `admin.exemptions`, `admin.accesses` and `admin.accessRequests` against a real simulator over
 * HTTP: every method answered as NgDP's OpenAPI types it, lists read page after page with
 * `for await`, changes made with the version a fetch gave, and NgDP's refusals (400 with its
 * field errors, 403, 404, 409) as the SDK's error classes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { seededEmployee, senderContact } from '../../test/support/admin.ts';
import { all } from '../../test/support/admin-client.ts';
import { resetSimulator, SEED_IDS, setClock, startTestSimulator } from '../../test/support/simulator.ts';
import { BadRequestError, ConflictError, NotFoundError, PermissionDeniedError } from '../errors.ts';
import { testCprNumber } from '../ngdp/identifiers.ts';
import { AdminClient } from './client.ts';
import type { AccessRequest } from './types.ts';

let simulator: RunningSimulator;
let admin: AdminClient;
const AUTHORITY = SEED_IDS.authority;
/** The seeded citizen 0101700001's mailbox (its contact id), and 0101700005's contact id. */
const OWNER = '50000000-0000-4000-8000-000000000001';
const HOLDER = '50000000-0000-4000-8000-000000000005';

/** A new test employee of Testkommune with `rights`, logged in. */
async function employee(username: string, rights: readonly string[]): Promise<AdminClient> {
  await admin.portal.createEmployee({ username, password: `password-${username}`, rights });
  return AdminClient.login({ baseUrl: simulator.apiUrl }, { username, password: `password-${username}` });
}

/** A request, made by the seeded employee, that 0101700006 may read 0101700001's post. */
function readRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    requestType: 'PRIVILEGE_REQUEST',
    requester: {
      employeeIdentityId: seededEmployee(simulator, AUTHORITY).id,
      organisationIdentityId: AUTHORITY,
    },
    requestState: 'SUBMITTED',
    accessTo: { externalId: '0101700001', externalIdType: 'CPR' },
    target: { requestParticipant: { externalId: '0101700006', externalIdType: 'CPR' } },
    privileges: ['MESSAGE_BASIC'],
    justification: 'Værge for borgeren',
    ...overrides,
  };
}

beforeAll(async () => {
  simulator = await startTestSimulator();
});
afterAll(() => simulator.stop());

beforeEach(async () => {
  await resetSimulator(simulator);
  await setClock(simulator, '2025-03-10T10:00:00Z');
  admin = await AdminClient.login({ baseUrl: simulator.apiUrl }, seededEmployee(simulator, AUTHORITY));
});

describe('exemptions', () => {
  it('exempts a company, fetches, renews with the fetched version and lifts the exemption', async () => {
    const created = await admin.exemptions.create({ cvrNumber: '87654321', exemptByProxy: false });
    const fetched = await admin.exemptions.get(created.id as string);
    const renewed = await admin.exemptions.update(
      fetched.id as string,
      { cvrNumber: '87654321', exemptByProxy: true },
      { ifMatch: fetched },
    );
    await admin.exemptions.delete(renewed.id as string, { ifMatch: renewed });

    expect(created).toMatchObject({
      version: 1,
      cvrNumber: '87654321',
      exemptionStatus: 'CREATED',
      sendLettersReceivedFromDate: '2025-03-10',
      organisation: 'Testkommune',
    });
    expect(fetched).toEqual(created);
    expect(renewed).toMatchObject({ version: 2, exemptByProxy: true });
    await expect(admin.exemptions.get(created.id as string)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("takes the simulator's exemptionReason for a citizen who left the country", async () => {
    const created = await admin.exemptions.create({
      cprNumber: '0101700005',
      forwardToAddress: false,
      exemptionReason: 'EXEMPT_LEFT_THE_COUNTRY',
    });

    expect(created).toMatchObject({ cprNumber: '0101700005', forwardToAddress: false });
    expect((await senderContact(simulator, '0101700005')).mailboxSubscription).toMatchObject({
      publicRegistrationStatus: 'EXEMPT',
      registrationStatus: 'EXEMPT_LEFT_THE_COUNTRY',
    });
  });

  it('refuses a command naming no party as a BadRequestError with its field errors', async () => {
    const failure = await admin.exemptions.create({ exemptByProxy: false }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.length).toBeGreaterThan(0);
  });

  it('refuses an employee without a citizen-service right as a PermissionDeniedError', async () => {
    const kirsten = await employee('kirsten', ['CONTACT_ADMINISTRATOR']);

    await expect(kirsten.exemptions.create({ cvrNumber: '87654321' })).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      status: 403,
      code: 'RIGHT_MISSING',
    });
  });

  it('answers an exemption it does not have as a NotFoundError', async () => {
    await expect(admin.exemptions.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      constructor: NotFoundError,
      status: 404,
    });
  });

  it('refuses a second exemption and a stale version as ConflictErrors', async () => {
    const created = await admin.exemptions.create({ cvrNumber: '87654321' });
    await admin.exemptions.update(created.id as string, { cvrNumber: '87654321' }, { ifMatch: created });

    await expect(admin.exemptions.create({ cvrNumber: '87654321' })).rejects.toMatchObject({
      constructor: ConflictError,
      code: 'ALREADY_EXEMPT',
    });
    await expect(admin.exemptions.delete(created.id as string, { ifMatch: created })).rejects.toMatchObject({
      constructor: ConflictError,
      code: 'VERSION_CONFLICT',
    });
  });
});

describe('mailbox accesses', () => {
  it("gives a citizen read access to another's mailbox, fetches it and lists it", async () => {
    const given = await admin.accesses.create(OWNER, { identityId: HOLDER, privileges: ['MESSAGE_BASIC'] });
    const fetched = await admin.accesses.get(OWNER, given.id as string);
    const listed = await all(admin.accesses.list(OWNER));

    expect(given).toMatchObject({
      version: 1,
      accessType: 'PARTY_REPRESENTATIVE',
      mailboxId: OWNER,
      identityId: HOLDER,
      privileges: ['MESSAGE_BASIC'],
    });
    expect(fetched).toEqual(given);
    expect(listed.map((access) => access.id)).toEqual([given.id]);
  });

  it('lists every access with for await, page after page, each once', async () => {
    for (let n = 0; n < 5; n++) {
      const holder = await admin.portal.createCitizen(testCprNumber(), { name: `Holder ${n}` });
      await admin.accesses.create(OWNER, { identityId: holder.id, privileges: ['MESSAGE_BASIC'] });
    }
    const { data: accesses, responses } = await admin.withResponse((client) =>
      all(client.accesses.list(OWNER, { pageSize: 2, sortFields: 'identityId:asc' })),
    );

    expect(accesses).toHaveLength(5);
    expect(new Set(accesses.map((access) => access.id)).size).toBe(5);
    expect(responses).toHaveLength(3);
  });

  it('offers only the sort order NgDP declares for the list; a filter reaches NgDP as a BadRequestError', async () => {
    await admin.accesses.create(OWNER, { identityId: HOLDER, privileges: ['MESSAGE_BASIC'] });
    // @ts-expect-error queryAccess takes page, size and sortFields only
    const filtered = all(admin.accesses.list(OWNER, { filters: { identityId: HOLDER } }));

    await expect(filtered).rejects.toBeInstanceOf(BadRequestError);
  });

  it("changes an access with the fetched version, with the simulator's end date and intended employee", async () => {
    const company = await admin.portal.createCompany('55667788', { name: 'Advokatfirma ApS' });
    const given = await admin.accesses.create(OWNER, {
      identityId: company.id,
      privileges: ['MESSAGE_BASIC'],
      intendedEmployee: 'Karen Advokat',
    });
    const changed = await admin.accesses.update(
      OWNER,
      given.id as string,
      {
        identityId: company.id,
        privileges: ['MESSAGE_WRITE'],
        activeToDateTime: '2025-12-31T23:00:00Z',
      },
      { ifMatch: given },
    );

    expect(given.intendedEmployee).toBe('Karen Advokat');
    expect(changed).toMatchObject({
      version: 2,
      privileges: ['MESSAGE_BASIC', 'MESSAGE_WRITE'],
      activeToDateTime: '2025-12-31T23:00:00.000Z',
    });
  });

  it("keeps an exempt owner's exemption when the access says liftExemption: false", async () => {
    const exempt = await admin.portal.createCitizen(testCprNumber(), {
      registrationStatus: 'EXEMPT_OTHER_REASON',
      publicRegistrationStatus: 'EXEMPT',
    });

    const given = await admin.accesses.create(exempt.id, {
      identityId: HOLDER,
      privileges: ['MESSAGE_BASIC'],
      liftExemption: false,
    });

    expect(given.mailboxId).toBe(exempt.id);
  });

  it('verifies a notification subscription of an access with its PIN', async () => {
    const given = await admin.accesses.create(OWNER, {
      identityId: HOLDER,
      privileges: ['MESSAGE_BASIC'],
      smsNotificationSubscription: { mobileNumber: '20700005' },
    });
    const verified = await admin.accesses.verifySubscription(
      OWNER,
      given.id as string,
      given.smsNotificationSubscription?.id as string,
      { pin: '123456' },
    );

    expect(given.smsNotificationSubscription?.verificationTime).toBeUndefined();
    expect(verified.smsNotificationSubscription?.verificationTime).toBe('2025-03-10T10:00:00.000Z');
  });

  it('refuses an access without its holder as a BadRequestError naming identityId', async () => {
    const failure = await admin.accesses
      .create(OWNER, { privileges: ['MESSAGE_BASIC'] })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toContain('identityId');
  });

  it('refuses an employee without the citizen-service right as a PermissionDeniedError', async () => {
    const kirsten = await employee('kirsten', ['CONTACT_ADMINISTRATOR']);

    await expect(all(kirsten.accesses.list(OWNER))).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'RIGHT_MISSING',
    });
  });

  it('answers an unknown mailbox as a NotFoundError', async () => {
    await expect(all(admin.accesses.list('00000000-0000-4000-8000-000000000000'))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses a second access for the same holder and a stale version as ConflictErrors', async () => {
    const given = await admin.accesses.create(OWNER, { identityId: HOLDER, privileges: ['MESSAGE_BASIC'] });
    await admin.accesses.update(
      OWNER,
      given.id as string,
      { identityId: HOLDER, privileges: ['MESSAGE_WRITE'] },
      { ifMatch: given },
    );

    await expect(
      admin.accesses.create(OWNER, { identityId: HOLDER, privileges: ['MESSAGE_BASIC'] }),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'ACCESS_EXISTS' });
    await expect(
      admin.accesses.update(
        OWNER,
        given.id as string,
        { identityId: HOLDER, privileges: [] },
        { ifMatch: given },
      ),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'VERSION_CONFLICT' });
  });
});

describe('access requests', () => {
  it('files, approves with the fetched version and activates a request: the target holds an access', async () => {
    const filed = await admin.accessRequests.create(readRequest());
    const fetched = await admin.accessRequests.get(filed.id as string);
    const approved = await admin.accessRequests.update(
      fetched.id as string,
      { ...fetched, requestState: 'APPROVED' },
      { ifMatch: fetched },
    );
    const activated = await admin.accessRequests.activate({ code: approved.target.id as string });
    const target = await admin.lookups.citizen({ cprNumber: '0101700006' });

    expect(filed).toMatchObject({ version: 1, requestState: 'SUBMITTED', privileges: ['MESSAGE_BASIC'] });
    expect(filed.accessTo).toMatchObject({ externalId: '0101700001', identityTypeResolved: 'CITIZEN' });
    expect(approved).toMatchObject({
      requestState: 'APPROVED',
      target: { targetState: 'ACTIVATION_CODE_SENT' },
    });
    expect(activated.target.targetState).toBe('GRANTED');
    expect((await all(admin.accesses.list(OWNER))).map((access) => access.identityId)).toEqual([
      target.identityId,
    ]);
  });

  it('lists the requests with for await, filtered by the query language', async () => {
    for (let n = 0; n < 3; n++) await admin.accessRequests.create(readRequest({ requestState: 'DRAFT' }));
    await admin.accessRequests.create(readRequest());

    const drafts = await all(admin.accessRequests.list({ pageSize: 2, filters: { requestState: 'DRAFT' } }));

    expect(drafts).toHaveLength(3);
    expect(drafts.every((request) => request.requestState === 'DRAFT')).toBe(true);
  });

  it("uploads a documentation's content as a file and downloads it again", async () => {
    const filed = await admin.accessRequests.create(
      readRequest({ documentations: [{ documentationType: 'POWER_OF_ATTORNEY' }] }),
    );
    const entry = filed.documentations?.[0]?.id as string;
    const content = new TextEncoder().encode('%PDF-1.4\nfuldmagt\n%%EOF\n');

    const uploaded = await admin.accessRequests.updateDocumentation(filed.id as string, entry, content, {
      ifMatch: filed,
      fileName: 'fuldmagt.pdf',
    });
    const downloaded = await admin.accessRequests.documentation(filed.id as string, entry);

    expect(uploaded.documentations?.[0]).toMatchObject({
      filename: 'fuldmagt.pdf',
      mediaType: 'application/pdf',
      size: content.length,
    });
    expect(downloaded).toEqual(content);
  });

  it('deletes a draft, which is then a NotFoundError', async () => {
    const draft = await admin.accessRequests.create(readRequest({ requestState: 'DRAFT' }));
    await admin.accessRequests.delete(draft.id as string, { ifMatch: draft });

    await expect(admin.accessRequests.get(draft.id as string)).rejects.toMatchObject({
      constructor: NotFoundError,
      status: 404,
    });
  });

  it('refuses a request without its parties as a BadRequestError naming each', async () => {
    const failure = await admin.accessRequests
      .create({ ...readRequest(), accessTo: {}, target: { requestParticipant: {} } })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toEqual(
      expect.arrayContaining(['accessTo.externalIdType', 'target.requestParticipant.externalIdType']),
    );
  });

  it('refuses an employee without the citizen-service right as a PermissionDeniedError', async () => {
    const kirsten = await employee('kirsten', ['ORGANISATION_ADMINISTRATOR']);

    await expect(kirsten.accessRequests.create(readRequest())).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      code: 'RIGHT_MISSING',
    });
  });

  it('refuses a state that cannot follow and a stale version as ConflictErrors', async () => {
    const filed = await admin.accessRequests.create(readRequest());
    const approved = await admin.accessRequests.update(
      filed.id as string,
      { ...filed, requestState: 'APPROVED' },
      { ifMatch: filed },
    );

    await expect(
      admin.accessRequests.update(
        approved.id as string,
        { ...approved, requestState: 'DRAFT' },
        { ifMatch: approved },
      ),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'REQUEST_STATE' });
    await expect(admin.accessRequests.delete(filed.id as string, { ifMatch: filed })).rejects.toMatchObject({
      constructor: ConflictError,
      code: 'VERSION_CONFLICT',
    });
  });

  it('answers an activation code nobody was sent as a NotFoundError', async () => {
    await expect(
      admin.accessRequests.activate({ code: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ constructor: NotFoundError, status: 404 });
  });
});
