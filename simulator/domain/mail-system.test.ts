/**
 * `MailSystemCommand` as Administrativ Adgang reads it (admin.md §1.1–1.2): a table of commands and
 * the settings or the field problems each gives.
 */
import { describe, expect, it } from 'vitest';
import { isAdminEndpoint, readMailSystemCommand, systemState } from './mail-system.ts';
import type { SystemRecord } from './model.ts';

const valid = {
  name: 'Sagssystem',
  systemTypes: ['SENDER'],
  serviceProtocol: 'REST_PULL',
  allowedIps: [{ ip: '192.0.2.1', range: false }],
  technicalContact: { name: 'IT-drift', email: 'drift@example.dk', phoneNumber: '70000000' },
};

describe('readMailSystemCommand', () => {
  it('reads a valid command into settings, RECIPIENT_DEFAULT as RECIPIENT', () => {
    const { settings, problems } = readMailSystemCommand({
      ...valid,
      systemTypes: ['SENDER', 'RECIPIENT_DEFAULT'],
      activeFrom: '2025-01-01T00:00:00Z',
      delegatedCVR: '12345678',
    });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({
      name: 'Sagssystem',
      roles: ['SENDER', 'RECIPIENT'],
      protocol: 'REST_PULL',
      activeFrom: Date.UTC(2025, 0, 1),
      allowedIps: ['192.0.2.1'],
      details: { delegatedCVR: '12345678', technicalContact: valid.technicalContact },
    });
  });

  it.each([
    [[], 'body', 'INVALID_FORMAT'],
    [{ ...valid, name: 'x'.repeat(101) }, 'name', 'TOO_LONG'],
    [{ ...valid, systemTypes: [] }, 'systemTypes', 'REQUIRED'],
    [{ ...valid, serviceProtocol: 'SMTP' }, 'serviceProtocol', 'NOT_ALLOWED_VALUE'],
    [
      { ...valid, systemTypes: ['RECIPIENT'], serviceProtocol: 'REST_PUBLISH_SUBSCRIBE' },
      'endpoint',
      'REQUIRED',
    ],
    [{ ...valid, activeFrom: 'soon' }, 'activeFrom', 'INVALID_FORMAT'],
    [
      { ...valid, activeFrom: '2025-02-01T00:00:00Z', activeTo: '2025-01-01T00:00:00Z' },
      'activeTo',
      'NOT_ALLOWED_VALUE',
    ],
    [{ ...valid, allowedIps: [{ ip: '10.0.0.0/24' }] }, 'allowedIps[0].ip', 'INVALID_FORMAT'],
    [{ ...valid, allowedIps: [{ ip: '10.0.0.1', range: true }] }, 'allowedIps[0].range', 'NOT_ALLOWED_VALUE'],
    [
      { ...valid, allowedIps: Array.from({ length: 33 }, (_, i) => ({ ip: `10.0.0.${i + 1}` })) },
      'allowedIps',
      'TOO_MANY',
    ],
    [
      { ...valid, technicalContact: { name: 'IT', email: 'a@b.dk' } },
      'technicalContact.phoneNumber',
      'REQUIRED',
    ],
    [{ ...valid, businessContactEmail: 'nobody' }, 'businessContactEmail', 'INVALID_FORMAT'],
    [{ ...valid, standardSystemTemplateId: 'template' }, 'standardSystemTemplateId', 'INVALID_FORMAT'],
  ])('%j: %s %s', (command, field, code) => {
    const { settings, problems } = readMailSystemCommand(command);
    expect(settings).toBeUndefined();
    expect(problems).toContainEqual(expect.objectContaining({ field, code }));
  });
});

describe('isAdminEndpoint', () => {
  it.each([
    ['https://example.dk/memos', true],
    ['http://localhost:8080/in', true],
    ['http://127.0.0.1/in', true],
    ['http://[::1]:9000/in', true],
    ['http://example.dk/in', false],
    ['ftp://example.dk', false],
    ['https://example.dk/a b', false],
    [42, false],
  ])('%j → %s', (value, allowed) => {
    expect(isAdminEndpoint(value)).toBe(allowed);
  });
});

describe('systemState', () => {
  const system = (fields: Partial<SystemRecord>): SystemRecord => ({
    id: 's',
    organisationId: 'o',
    name: 'S',
    roles: ['SENDER'],
    protocol: 'REST_PULL',
    apiKeyHash: '',
    sshUsername: null,
    sshPublicKeys: [],
    allowedIps: [],
    ...fields,
  });
  it.each([
    [{}, 'NOT_ACTIVATED'],
    [{ activeFrom: 200 }, 'SCHEDULED'],
    [{ activeFrom: 0 }, 'IN_OPERATION'],
    [{ activeFrom: 0, activeTo: 100 }, 'DEACTIVATED'],
    [{ activeFrom: 0, deactivatedAt: 50 }, 'DEACTIVATED'],
  ] as const)('%j at 100: %s', (fields, state) => {
    expect(systemState(system(fields), 100)).toBe(state);
  });
});
