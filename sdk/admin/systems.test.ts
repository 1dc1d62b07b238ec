/**
 * The admin client's systems against a real simulator: `systems` (every method: created, listed
 * page after page with `for await` and by filters, changed and deleted with the version a fetch
 * gave, the primary recipient system, API keys, SSH keys, certificates) and
 * `standardSystemTemplates` (a vendor's template listed, a system made from it), with NgDP's
 * refusals as the SDK's error classes.
 */
import { describe, expect, it } from 'vitest';
import { makeThrowawayCertificates } from '../../examples/throwaway-certificates.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { createEmployee, seededEmployee, seededToken } from '../../test/support/admin.ts';
import { adminClientHooks, all } from '../../test/support/admin-client.ts';
import { itWith } from '../../test/support/requirements.ts';
import { advanceClock, control, SEED_IDS } from '../../test/support/simulator.ts';
import { sshPublicKey } from '../../test/support/ssh-keys.ts';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  UnprocessableEntityError,
} from '../errors.ts';
import { AdminClient } from './client.ts';
import type { MailSystem, MailSystemCommand } from './types.ts';

let simulator: RunningSimulator;
let admin: AdminClient;
const AUTHORITY = SEED_IDS.authority;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** A sender system Administrativ Adgang accepts. */
function senderSystem(name: string): MailSystemCommand {
  return {
    name,
    systemTypes: ['SENDER'],
    serviceProtocol: 'REST_PULL',
    allowedIps: [{ ip: '127.0.0.1', range: false }],
    activeFrom: '2020-01-01T00:00:00Z',
    technicalContact: { name: 'IT-drift', email: 'drift@example.dk', phoneNumber: '70000000' },
  };
}

adminClientHooks(async (started, client) => {
  simulator = started;
  admin = client;
});

describe('systems', () => {
  it('creates a system whose API key is shown once, and fetches it without the key', async () => {
    const created = await admin.systems.create(AUTHORITY, senderSystem('Sagssystem'));
    const fetched = await admin.systems.get(AUTHORITY, created.id as string);

    expect(created.apiToken?.authenticationToken).toMatch(/\S{16,}/);
    expect(fetched).toMatchObject({ id: created.id, name: 'Sagssystem', version: 1 });
    expect(fetched.apiToken?.authenticationToken).toBeUndefined();
  });

  it('lists every system with for await, page after page, each once', async () => {
    for (let n = 0; n < 7; n++) await admin.systems.create(AUTHORITY, senderSystem(`System ${n}`));
    const { data: systems, responses } = await admin.withResponse((client) =>
      all(client.systems.list(AUTHORITY, { pageSize: 3 })),
    );

    const names = systems.map((system) => system.name);
    expect(names).toEqual(expect.arrayContaining(['System 0', 'System 6']));
    expect(new Set(systems.map((system) => system.id)).size).toBe(systems.length);
    expect(responses.length).toBe(Math.ceil(systems.length / 3));
  });

  it('changes a system with the version its fetch gave, and refuses a stale one as a ConflictError', async () => {
    const created = await admin.systems.create(AUTHORITY, senderSystem('Før'));
    const fetched = await admin.systems.get(AUTHORITY, created.id as string);
    const changed = await admin.systems.update(AUTHORITY, fetched.id as string, senderSystem('Efter'), {
      ifMatch: fetched,
    });

    expect(changed).toMatchObject({ name: 'Efter', version: 2 });
    await expect(
      admin.systems.update(AUTHORITY, fetched.id as string, senderSystem('Igen'), { ifMatch: fetched }),
    ).rejects.toMatchObject({ constructor: ConflictError, status: 409, code: 'VERSION_CONFLICT' });
  });

  it('gives the ETag of an answer through withResponse', async () => {
    const created = await admin.systems.create(AUTHORITY, senderSystem('Sagssystem'));
    const { response } = await admin.withResponse((client) =>
      client.systems.get(AUTHORITY, created.id as string),
    );

    expect(response?.headers.etag).toBe('"1"');
  });

  it('renews a key, makes a recipient system the primary one and deletes a system', async () => {
    const recipient: MailSystem = await admin.systems.create(AUTHORITY, {
      ...senderSystem('Modtager'),
      systemTypes: ['RECIPIENT'],
    });
    const renewed = await admin.systems.renewApiKey(AUTHORITY, recipient.id as string);
    const primary = await admin.systems.makeDefaultRecipient(AUTHORITY, recipient.id as string);
    const sender = await admin.systems.create(AUTHORITY, senderSystem('Afsender'));
    await admin.systems.delete(AUTHORITY, sender.id as string, { ifMatch: sender });

    expect(renewed.apiToken?.authenticationToken).not.toBe(recipient.apiToken?.authenticationToken);
    expect(primary.systemTypes).toContain('RECIPIENT_DEFAULT');
    await expect(admin.systems.get(AUTHORITY, sender.id as string)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a command missing its fields as a BadRequestError listing each field', async () => {
    const failure = await admin.systems.create(AUTHORITY, { name: '' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors.map((field) => field.field)).toEqual(
      expect.arrayContaining(['name', 'technicalContact']),
    );
  });

  it("refuses another organisation's systems as a PermissionDeniedError (WRONG_CONTEXT)", async () => {
    await expect(all(admin.systems.list(SEED_IDS.companyWithSystem))).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      status: 403,
      code: 'WRONG_CONTEXT',
    });
  });

  it('finds systems by the query language and by API key', async () => {
    const created = await admin.systems.create(AUTHORITY, senderSystem('Journal A'));
    await admin.systems.create(AUTHORITY, senderSystem('Journal B'));
    const byName = await all(
      admin.systems.list(AUTHORITY, {
        filters: { name: 'Journal*' },
        sortFields: 'name:desc',
        fields: 'id,name',
      }),
    );
    const byKey = await all(
      admin.systems.list(AUTHORITY, { authenticationToken: created.apiToken?.authenticationToken as string }),
    );

    expect(byName.map((system) => system.name)).toEqual(['Journal B', 'Journal A']);
    expect(Object.keys(byName[0] as object).sort()).toEqual(['id', 'name']);
    expect(byKey.map((system) => system.id)).toEqual([created.id]);
  });

  it('refuses an unknown filter field as a BadRequestError naming it', async () => {
    const failure = await all(admin.systems.list(AUTHORITY, { filters: { colour: 'blue' } })).catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).fieldErrors).toContainEqual(
      expect.objectContaining({ field: 'colour', code: 'INVALID_PARAMETER' }),
    );
  });

  it('answers an unknown system as a NotFoundError', async () => {
    await expect(admin.systems.get(AUTHORITY, UNKNOWN)).rejects.toMatchObject({
      constructor: NotFoundError,
      status: 404,
    });
    await expect(admin.systems.renewApiKey(AUTHORITY, UNKNOWN)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses a company's second recipient system as a ConflictError, and a sender as the primary as an UnprocessableEntityError", async () => {
    const company = await AdminClient.login(
      { baseUrl: simulator.apiUrl },
      seededEmployee(simulator, SEED_IDS.companyWithSystem),
    );

    await expect(
      company.systems.create(SEED_IDS.companyWithSystem, {
        ...senderSystem('Nr. 2'),
        systemTypes: ['RECIPIENT'],
      }),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'COMPANY_HAS_RECIPIENT_SYSTEM' });
    await expect(admin.systems.makeDefaultRecipient(AUTHORITY, SEED_IDS.senderPull)).rejects.toMatchObject({
      constructor: UnprocessableEntityError,
      code: 'NOT_A_RECIPIENT_SYSTEM',
    });
  });

  it('gives an SFTP system its public key, answering the SFTP user; a REST system is refused', async () => {
    const sftp = await admin.systems.create(AUTHORITY, {
      ...senderSystem('Masseforsendelse'),
      serviceProtocol: 'SFTP',
    });
    const key = sshPublicKey();
    const ssh = await admin.systems.addSshKey(AUTHORITY, sftp.id as string, `${key}\n`);
    const rest = await admin.systems.create(AUTHORITY, senderSystem('REST'));

    expect(ssh.sshUsername).toMatch(/\S+/);
    // NgDP's `sshPublicKey` holds the key's bytes, base64 (the OpenAPI's `format: byte`).
    const keys = (ssh.sshPublicKey ?? []).map((bytes) => Buffer.from(bytes, 'base64').toString('utf8'));
    expect(keys.join('\n')).toContain(key.split(' ')[1]);
    await expect(admin.systems.addSshKey(AUTHORITY, rest.id as string, key)).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });

  itWith(
    { tools: ['openssl'] },
    "uploads a system's certificate, finds the system by its serial number, and checks one",
    async () => {
      const { server } = makeThrowawayCertificates();
      // The certificate is valid from the second it was made; the manual clock may stand before it.
      await advanceClock(simulator, 'PT10M');
      const system = await admin.systems.create(AUTHORITY, senderSystem('Med certifikat'));
      const uploaded = await admin.systems.addCertificate(AUTHORITY, system.id as string, server.cert);
      const found = await all(
        admin.systems.list(AUTHORITY, {
          certificateSerialNumber: uploaded.certificateSerialNumber as string,
        }),
      );
      const checked = await admin.systems.checkCertificate('REST_PULL', server.cert.toString('utf8'));

      expect(found.map((each) => each.id)).toEqual([system.id]);
      expect(checked.ocesPublicCertificate?.certificateSerialNumber).toBe(uploaded.certificateSerialNumber);
    },
  );
});

describe('standard-system templates', () => {
  const VENDOR_TEMPLATE = {
    cvrNumber: '87654321',
    name: 'Testfirma Sag',
    systemTypes: ['RECIPIENT'],
    serviceProtocol: 'REST_PULL',
    allowedIps: [{ ip: '192.0.2.10', range: false }],
    technicalContact: { name: 'Testfirma drift', email: 'drift@testfirma.dk', phoneNumber: '70202020' },
  };

  async function defineTemplate(): Promise<string> {
    const defined = await control(simulator, 'POST', '/standard-system-templates', VENDOR_TEMPLATE);
    expect(defined.status, defined.text).toBe(201);
    return (defined.json as { id: string }).id;
  }

  it('lists none before a vendor defines one', async () => {
    expect(await admin.standardSystemTemplates.list()).toEqual([]);
  });

  it("lists a vendor's template, from which a system takes its locked fields", async () => {
    const templateId = await defineTemplate();
    const [template] = await admin.standardSystemTemplates.list();
    const system: MailSystem = await admin.systems.create(AUTHORITY, {
      name: 'Sag hos Testfirma',
      standardSystemTemplateId: templateId,
      vendorAgreementConfirmed: true,
      activeFrom: '2020-01-01T00:00:00Z',
    });

    expect(template).toMatchObject({
      id: templateId,
      name: 'Testfirma Sag',
      serviceProtocol: 'REST_PULL',
      organisation: expect.objectContaining({ cvrNumber: '87654321' }),
    });
    expect(system).toMatchObject({
      standardSystemTemplateId: templateId,
      systemTypes: expect.arrayContaining(['RECIPIENT']),
      allowedIps: [{ ip: '192.0.2.10', range: false }],
      delegatedCVR: '87654321',
    });
  });

  it('refuses an unknown template (400) and a locked field changed (409 LOCKED_BY_STANDARD_SYSTEM)', async () => {
    const templateId = await defineTemplate();
    const unknown = await admin.systems
      .create(AUTHORITY, { name: 'X', standardSystemTemplateId: UNKNOWN, vendorAgreementConfirmed: true })
      .catch((error: unknown) => error);
    const system = await admin.systems.create(AUTHORITY, {
      name: 'Sag',
      standardSystemTemplateId: templateId,
      vendorAgreementConfirmed: true,
    });

    expect(unknown).toBeInstanceOf(BadRequestError);
    expect((unknown as BadRequestError).fieldErrors).toContainEqual(
      expect.objectContaining({ field: 'standardSystemTemplateId', code: 'NOT_FOUND' }),
    );
    await expect(
      admin.systems.update(
        AUTHORITY,
        system.id as string,
        { name: 'Sag', standardSystemTemplateId: templateId, serviceProtocol: 'REST_PUSH' },
        { ifMatch: system },
      ),
    ).rejects.toMatchObject({ constructor: ConflictError, code: 'LOCKED_BY_STANDARD_SYSTEM' });
  });

  it('refuses an employee without DP Admin as a PermissionDeniedError', async () => {
    const jens = await createEmployee(simulator, await seededToken(simulator, AUTHORITY), 'jens', [
      'CONTACT_ADMINISTRATOR',
    ]);
    const client = await AdminClient.login({ baseUrl: simulator.apiUrl }, jens);

    await expect(client.standardSystemTemplates.list()).rejects.toMatchObject({
      constructor: PermissionDeniedError,
      status: 403,
      code: 'RIGHT_MISSING',
    });
  });
});
