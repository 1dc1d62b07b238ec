/**
 * The rights table (admin.md §0.1): it covers exactly the organisation-administration operations
 * of NgDP's OpenAPI, its If-Match list is the OpenAPI's, and its refusals read as the portal's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPEC } from '../../scripts/ngdp-operations.ts';
import { NGDP_OPERATIONS } from '../../sdk/ngdp/operations.ts';
import { describeWith } from '../../test/support/requirements.ts';
import {
  ADMIN_OPERATIONS,
  ADMIN_RIGHTS,
  IF_MATCH_OPERATIONS,
  isAdminOperation,
  refusalOf,
  rightNamed,
} from './admin-rights.ts';

/** The administration's paths (issue 16): an organisation, its structure and systems, people's access. */
const ADMIN_PATH =
  /^\/(organisations\/\{(id|organisationId)\}|organisations\/oces-public-certificate|standard-system-templates|exemptions|mailboxes\/\{mailboxId\}\/accesses|identities|identity-groups|privileges|privilege-types|access-requests|citizen-lookup|organisation-lookup)(\/|$)/;

describe('ADMIN_OPERATIONS', () => {
  it('maps every organisation-administration operation of the OpenAPI, and nothing else, to a right', () => {
    const admin = NGDP_OPERATIONS.filter((operation) => ADMIN_PATH.test(operation.path)).map(
      (o) => o.operationId,
    );
    expect(Object.keys(ADMIN_OPERATIONS).sort()).toEqual([...admin].sort());
    expect(admin).toHaveLength(68);
    for (const rule of Object.values(ADMIN_OPERATIONS)) expect(rule.rights.length).toBeGreaterThan(0);
  });

  it.each([
    ['createMailSystem', ['ORGANISATION_ADMINISTRATOR'], 'COMPANY', undefined],
    ['createMailSystem', ['CONTACT_ADMINISTRATOR'], 'AUTHORITY', 'RIGHT_MISSING'],
    ['createContactGroup', ['CONTACT_ADMINISTRATOR'], 'AUTHORITY', undefined],
    ['createContactGroup', ['CONTACT_ADMINISTRATOR'], 'COMPANY', 'AUTHORITY_ONLY'],
    ['createExemption', ['DANISH_BUSINESS_AUTHORITY_SERVICE_EMPLOYEE'], 'AUTHORITY', undefined],
    [
      'createIdentityGroup',
      ADMIN_RIGHTS.filter((right) => right !== 'ORGANISATION_USER_ADMINISTRATOR'),
      'AUTHORITY',
      'RIGHT_MISSING',
    ],
  ] as const)('%s with %j in an %s: %s', (operation, rights, type, refusal) => {
    expect(refusalOf(operation, rights, type)).toBe(refusal);
  });

  it('knows the admin operations from the others', () => {
    expect(isAdminOperation('querySystems')).toBe(true);
    expect(isAdminOperation('sendMemo')).toBe(false);
  });
});

describe('rightNamed', () => {
  it.each([
    ['ORGANISATION_ADMINISTRATOR', 'ORGANISATION_ADMINISTRATOR'],
    ['DP Admin', 'ORGANISATION_ADMINISTRATOR'],
    ['statistik admin', 'STATISTICS_ADMINISTRATOR'],
    ['Borgerservicemedarbejder', 'CITIZEN_SERVICE_EMPLOYEE'],
    ['CITIZEN', undefined],
    [42, undefined],
  ])('%j → %s', (name, right) => {
    expect(rightNamed(name)).toBe(right);
  });
});

describeWith({ shared: ['spec/ngdp-openapi-1.68.json'] }, 'IF_MATCH_OPERATIONS', () => {
  it('is every admin operation whose If-Match the OpenAPI declares required', () => {
    const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as {
      paths: Record<
        string,
        Record<string, { operationId?: string; parameters?: { name: string; required?: boolean }[] }>
      >;
    };
    const required = Object.values(spec.paths)
      .flatMap((item) => Object.values(item))
      .filter((operation) => operation.parameters?.some((p) => p.name === 'If-Match' && p.required === true))
      .map((operation) => operation.operationId as string)
      .filter(isAdminOperation);
    expect([...IF_MATCH_OPERATIONS].sort()).toEqual(required.sort());
  });
});
