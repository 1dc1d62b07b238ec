/**
 * Vendors' standard systems over real HTTP (admin.md §1.3; docs/admin.md, "Standard systems"): a
 * template defined through the control API is listed at `standard-system-templates`; a system made
 * from it takes the template's locked fields, gives the vendor power of attorney (`delegatedCVR`),
 * needs `vendorAgreementConfirmed`, and keeps the locked fields later (409
 * `LOCKED_BY_STANDARD_SYSTEM`) while its name and activation stay the organisation's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminCall, seededToken } from '../../../../test/support/admin.ts';
import {
  control,
  expectErrorMessage,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../../../../test/support/simulator.ts';
import { DEFAULT_SEED } from '../../../domain/seed.ts';
import type { RunningSimulator } from '../../../index.ts';

const AUTHORITY = SEED_IDS.authority;
const systemsPath = `/organisations/${AUTHORITY}/systems/`;
const VENDOR_CVR = '87654321';
const TEMPLATE = {
  cvrNumber: VENDOR_CVR,
  name: 'Testfirma Sag',
  systemTypes: ['RECIPIENT'],
  serviceProtocol: 'REST_PUSH',
  endpoint: 'https://sag.testfirma.dk/memos',
  allowedIps: [{ ip: '192.0.2.10', range: false }],
  technicalContact: { name: 'Testfirma drift', email: 'drift@testfirma.dk', phoneNumber: '70202020' },
};

let simulator: RunningSimulator;
let token: string;
let templateId: string;

beforeAll(async () => {
  simulator = await startTestSimulator();
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(async () => {
  await resetSimulator(simulator);
  token = await seededToken(simulator, AUTHORITY);
  const defined = await control(simulator, 'POST', '/standard-system-templates', TEMPLATE);
  expect(defined.status, defined.text).toBe(201);
  templateId = (defined.json as { id: string }).id;
});

/** A system from the template: the organisation's own fields only. */
const fromTemplate = (extra: Record<string, unknown> = {}) => ({
  name: 'Sag hos Testfirma',
  standardSystemTemplateId: templateId,
  vendorAgreementConfirmed: true,
  activeFrom: '2020-01-01T00:00:00Z',
  ...extra,
});

interface MailSystemJson {
  id: string;
  version: number;
  [field: string]: unknown;
}

async function create(body: Record<string, unknown>): Promise<MailSystemJson> {
  const response = await adminCall(simulator, 'POST', systemsPath, { token, body });
  expect(response.status, response.text).toBe(201);
  return response.json as MailSystemJson;
}

describe('GET standard-system-templates', () => {
  it('lists the templates vendors offer, with the vendor organisation', async () => {
    const response = await adminCall(simulator, 'GET', '/standard-system-templates', { token });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toEqual({
      standardSystemTemplates: [
        expect.objectContaining({
          id: templateId,
          version: 1,
          name: 'Testfirma Sag',
          systemTypes: ['RECIPIENT'],
          serviceProtocol: 'REST_PUSH',
          endpoint: TEMPLATE.endpoint,
          allowedIps: TEMPLATE.allowedIps,
          technicalContact: TEMPLATE.technicalContact,
          organisation: expect.objectContaining({ cvrNumber: VENDOR_CVR }),
        }),
      ],
    });
  });

  it('are gone after a reset', async () => {
    await resetSimulator(simulator);
    const listed = await adminCall(simulator, 'GET', '/standard-system-templates', {
      token: await seededToken(simulator, AUTHORITY),
    });
    expect(listed.json).toEqual({ standardSystemTemplates: [] });
  });
});

describe('POST /simulator/v1/standard-system-templates', () => {
  it.each([
    ['no vendor', { ...TEMPLATE, cvrNumber: undefined }, 400, 'REQUIRED'],
    ['an unknown vendor', { ...TEMPLATE, cvrNumber: '99999999' }, 404, 'NOT_FOUND'],
    [
      'a protocol the kind of system cannot use',
      { ...TEMPLATE, serviceProtocol: 'SFTP' },
      400,
      'NOT_ALLOWED_VALUE',
    ],
    ['no technical contact', { ...TEMPLATE, technicalContact: undefined }, 400, 'REQUIRED'],
  ])('refuses a template with %s', async (_, body, status, code) => {
    expectErrorMessage(await control(simulator, 'POST', '/standard-system-templates', body), status, code);
  });
});

describe('a system from a standard system template', () => {
  it("takes the template's fields and gives the vendor power of attorney", async () => {
    const system = await create(fromTemplate());
    expect(system).toMatchObject({
      name: 'Sag hos Testfirma',
      standardSystemTemplateId: templateId,
      systemTypes: expect.arrayContaining(['RECIPIENT']),
      serviceProtocol: 'REST_PUSH',
      endpoint: TEMPLATE.endpoint,
      allowedIps: TEMPLATE.allowedIps,
      technicalContact: TEMPLATE.technicalContact,
      delegatedCVR: VENDOR_CVR,
    });
  });

  it('needs the agreement with the vendor confirmed (400 on vendorAgreementConfirmed)', async () => {
    const response = await adminCall(simulator, 'POST', systemsPath, {
      token,
      body: fromTemplate({ vendorAgreementConfirmed: undefined }),
    });
    expectErrorMessage(response, 400, 'REQUIRED');
    expect(response.json).toMatchObject({
      fieldErrors: [expect.objectContaining({ field: 'vendorAgreementConfirmed' })],
    });
  });

  it('refuses a template id that names none (400 NOT_FOUND)', async () => {
    const response = await adminCall(simulator, 'POST', systemsPath, {
      token,
      body: fromTemplate({ standardSystemTemplateId: '00000000-0000-4000-8000-000000000000' }),
    });
    expectErrorMessage(response, 400, 'NOT_FOUND');
  });

  it("takes the template's values repeated, and refuses others with 409 naming the fields", async () => {
    await create(fromTemplate({ serviceProtocol: 'REST_PUSH', delegatedCVR: VENDOR_CVR }));
    const response = await adminCall(simulator, 'POST', systemsPath, {
      token,
      body: fromTemplate({ endpoint: 'https://elsewhere.example.dk/', delegatedCVR: '11223344' }),
    });
    expectErrorMessage(response, 409, 'LOCKED_BY_STANDARD_SYSTEM');
    expect(
      (response.json as { fieldErrors: { field: string }[] }).fieldErrors.map((error) => error.field),
    ).toEqual(['endpoint', 'delegatedCVR']);
  });

  it('keeps the locked fields later: name and activation change, the endpoint does not (409)', async () => {
    const system = await create(fromTemplate({ activeFrom: null }));
    const path = `${systemsPath}${system.id}`;
    const renamed = await adminCall(simulator, 'PUT', path, {
      token,
      body: { name: 'Nyt navn', activeFrom: '2020-01-01T00:00:00Z' },
      headers: { 'if-match': '1' },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json).toMatchObject({
      name: 'Nyt navn',
      endpoint: TEMPLATE.endpoint,
      delegatedCVR: VENDOR_CVR,
    });

    const moved = await adminCall(simulator, 'PUT', path, {
      token,
      body: { ...(renamed.json as object), endpoint: 'https://elsewhere.example.dk/' },
      headers: { 'if-match': '2' },
    });
    expectErrorMessage(moved, 409, 'LOCKED_BY_STANDARD_SYSTEM');
    expect(moved.json).toMatchObject({ fieldErrors: [expect.objectContaining({ field: 'endpoint' })] });
  });

  it('keeps its template (400 on another standardSystemTemplateId)', async () => {
    const system = await create(fromTemplate());
    const response = await adminCall(simulator, 'PUT', `${systemsPath}${system.id}`, {
      token,
      body: { name: 'Sag', standardSystemTemplateId: '00000000-0000-4000-8000-000000000000' },
      headers: { 'if-match': '1' },
    });
    expectErrorMessage(response, 400, 'NOT_ALLOWED_VALUE');
  });
});

describe('templates in the seed', () => {
  it('are listed from the start and come back after a reset', async () => {
    const id = 'a0000000-0000-4000-8000-0000000000aa';
    const { cvrNumber: _vendor, ...fields } = TEMPLATE;
    const seeded = await startTestSimulator({
      seed: {
        ...DEFAULT_SEED,
        standardSystemTemplates: [{ ...fields, id, organisationId: SEED_IDS.companyWithSystem }],
      },
    });
    try {
      const list = async () =>
        (
          await adminCall(seeded, 'GET', '/standard-system-templates', {
            token: await seededToken(seeded, AUTHORITY),
          })
        ).json as { standardSystemTemplates: { id: string; organisation: { cvrNumber: string } }[] };
      expect((await list()).standardSystemTemplates).toEqual([
        expect.objectContaining({ id, organisation: expect.objectContaining({ cvrNumber: VENDOR_CVR }) }),
      ]);
      await resetSimulator(seeded);
      expect((await list()).standardSystemTemplates.map((template) => template.id)).toEqual([id]);
    } finally {
      await seeded.stop();
    }
  });
});
