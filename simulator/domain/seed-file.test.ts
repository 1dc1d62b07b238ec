import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, seedRecords } from './seed.ts';
import { readSeed } from './seed-file.ts';

const company = { cvrNumber: '12345678', name: 'Firma ApS', publicRegistrationStatus: 'REGISTERED' };
const citizen = {
  cprNumber: '0101700001',
  name: 'Borger',
  publicRegistrationStatus: 'EXEMPT',
  registrationStatus: 'EXEMPT_OTHER_REASON',
};

describe('a seed file', () => {
  it('written before contacts had addresses and exemption dates still reads, with their defaults', () => {
    const read = readSeed({ citizens: [citizen], companies: [company] });

    expect(read).toEqual({
      seed: expect.objectContaining({ citizens: [citizen], companies: [company] }),
    });
    const [exempt] = seedRecords((read as { seed: typeof DEFAULT_SEED }).seed).contacts;
    expect(exempt?.mailboxSubscription).toMatchObject({ version: 1, exemptionStart: '2024-01-01' });
    expect(exempt?.version).toBe(1);
  });

  it("may give a company's address and an exemption's start", () => {
    const address = { streetName: 'Vej', postalCode: '8000' };
    const read = readSeed({
      citizens: [{ ...citizen, exemptionStart: '2023-05-01' }],
      companies: [{ ...company, address }],
    });

    const { contacts } = seedRecords((read as { seed: typeof DEFAULT_SEED }).seed);
    expect(contacts[0]?.mailboxSubscription.exemptionStart).toBe('2023-05-01');
    expect(contacts[1]?.address).toEqual(address);
  });

  it.each([
    [{ companies: [{ ...company, address: 'Vej 1' }] }, 'companies[0].address must be an object'],
    [
      { companies: [{ ...company, address: { street: 'Vej' } }] },
      'companies[0].address.street is not one of streetName',
    ],
    [
      { companies: [{ ...company, address: { postalCode: 8000 } }] },
      'companies[0].address.postalCode is not valid',
    ],
    [{ citizens: [{ ...citizen, exemptionStart: '1 May 2023' }] }, 'citizens[0].exemptionStart is not valid'],
  ])('names what is wrong in %j', (input, problem) => {
    const read = readSeed(input);

    expect(read).toEqual({ problems: [expect.stringContaining(problem)] });
  });

  it('the default seed gives its companies addresses', () => {
    const companies = seedRecords(DEFAULT_SEED).contacts.filter((contact) => contact.type === 'COMPANY');

    for (const contact of companies) expect(contact.address?.postalCode).toMatch(/^\d{4}$/);
  });
});

describe("a seed file's contact points", () => {
  const point = {
    id: '40000000-0000-4000-8000-000000000009',
    organisationId: '10000000-0000-4000-8000-000000000001',
    name: 'Byg',
  };
  const organisations = [
    { id: point.organisationId, cvrNumber: '12345678', name: 'Kommune', type: 'AUTHORITY' },
  ];

  it('may say what NgDP shows of them', () => {
    const given = {
      ...point,
      description: 'Byggesager',
      visible: false,
      targets: ['CITIZEN'],
      searchTerms: ['carport'],
    };
    const read = readSeed({ organisations, contactPoints: [given] });

    const [record] = seedRecords((read as { seed: typeof DEFAULT_SEED }).seed).contactPoints;
    expect(record).toMatchObject({
      description: 'Byggesager',
      visible: false,
      targets: ['CITIZEN'],
      searchTerms: ['carport'],
    });
  });

  it.each([
    [{ visible: 'yes' }, 'contactPoints[0].visible must be true or false'],
    [{ targets: ['UNKNOWN'] }, 'contactPoints[0].targets must be a non-empty array'],
    [{ searchTerms: ['a/b'] }, 'contactPoints[0].searchTerms must be an array of keywords'],
  ])('names what is wrong in %j', (fields, problem) => {
    expect(readSeed({ organisations, contactPoints: [{ ...point, ...fields }] })).toEqual({
      problems: [expect.stringContaining(problem)],
    });
  });
});

describe("a seed file's standard system templates", () => {
  const vendor = {
    id: 'a0000000-0000-4000-8000-000000000001',
    cvrNumber: '11112222',
    name: 'Leverandør A/S',
    type: 'COMPANY',
  };
  const template = {
    id: 'a0000000-0000-4000-8000-000000000002',
    organisationId: vendor.id,
    name: 'Leverandørens sagssystem',
    systemTypes: ['SENDER'],
    serviceProtocol: 'REST_PULL',
    allowedIps: [{ ip: '192.0.2.1', range: false }],
    technicalContact: { name: 'Drift', email: 'drift@leverandor.dk', phoneNumber: '70000000' },
  };

  it('become template records of the vendor', () => {
    const read = readSeed({ organisations: [vendor], standardSystemTemplates: [template] });

    const [record] = seedRecords((read as { seed: typeof DEFAULT_SEED }).seed).standardSystemTemplates;
    expect(record).toMatchObject({
      id: template.id,
      organisationId: vendor.id,
      version: 1,
      name: template.name,
      fields: { systemTypes: ['SENDER'], serviceProtocol: 'REST_PULL', allowedIps: template.allowedIps },
    });
  });

  it.each([
    [
      { ...template, organisationId: 'a0000000-0000-4000-8000-000000000009' },
      'standardSystemTemplates[0].organisationId names no organisation of the seed (the vendor)',
    ],
    [
      { ...template, serviceProtocol: 'SFTP', systemTypes: ['RECIPIENT'] },
      'standardSystemTemplates[0].serviceProtocol a recipient system uses REST_PUSH, REST_PULL, REST_PUBLISH_SUBSCRIBE',
    ],
    [
      { ...template, technicalContact: undefined },
      'standardSystemTemplates[0].technicalContact is required: {name, email, phoneNumber} of a department',
    ],
  ])('are refused when wrong, naming where', (given, problem) => {
    expect(readSeed({ organisations: [vendor], standardSystemTemplates: [given] })).toEqual({
      problems: [problem],
    });
  });
});
