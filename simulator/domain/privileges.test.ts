import { describe, expect, it } from 'vitest';
import { CommandReader, heldTypes, isActive, type PrivilegeRecord, readPrivilege } from './privileges.ts';

const ORG = '10000000-0000-4000-8000-000000000001';
const OTHER = '10000000-0000-4000-8000-000000000002';
const NOON = Date.parse('2026-03-01T12:00:00Z');

function privilege(type: PrivilegeRecord['type'], scopeId = ORG, activeTo?: number): PrivilegeRecord {
  return {
    id: `p-${type}-${scopeId}`,
    version: 1,
    identityGroupId: 'g',
    issuerId: 'i',
    scopeId,
    type,
    source: 'MANUAL',
    ...(activeTo === undefined ? {} : { activeTo }),
    createdDate: 0,
    lastUpdated: 0,
  };
}

describe('privileges', () => {
  it('hold until the instant they end, and for good without an end', () => {
    expect(isActive({}, NOON)).toBe(true);
    expect(isActive({ activeTo: NOON + 1 }, NOON)).toBe(true);
    expect(isActive({ activeTo: NOON }, NOON)).toBe(false);
  });

  it('give the types held in one scope, active ones, once each', () => {
    const held = heldTypes(
      [
        privilege('CONTACT_ADMINISTRATOR'),
        privilege('CONTACT_ADMINISTRATOR'),
        privilege('ORGANISATION_ADMINISTRATOR', OTHER),
        privilege('SYSTEM_MANAGER', ORG, NOON),
      ],
      ORG,
      NOON,
    );
    expect(held).toEqual(['CONTACT_ADMINISTRATOR']);
  });
});

describe('readPrivilege', () => {
  it('reads a command, the deprecated activeTo date ending with its day (UTC)', () => {
    const reader = new CommandReader('IdentityPrivilege', {
      scopeId: ORG.toUpperCase(),
      type: 'CONTACT_ADMINISTRATOR',
      source: 'MANUAL',
      activeTo: '2026-03-01',
    });
    expect(readPrivilege(reader, ORG)).toEqual({
      scopeId: ORG,
      type: 'CONTACT_ADMINISTRATOR',
      source: 'MANUAL',
      activeTo: Date.parse('2026-03-02T00:00:00Z'),
    });
    expect(reader.problems).toEqual([]);
  });

  it('names every field at fault, with the prefix of its place in a list', () => {
    const reader = new CommandReader(
      'DirectPrivilegeCommand',
      { scopeId: OTHER, type: 'UNKNOWN', activeToDateTime: 'soon' },
      'privilegesToAdd[2].',
    );
    expect(readPrivilege(reader, ORG)).toBeUndefined();
    expect(reader.problems.map(({ field, code }) => `${field} ${code}`)).toEqual([
      'privilegesToAdd[2].scopeId NOT_ALLOWED_VALUE',
      'privilegesToAdd[2].type NOT_ALLOWED_VALUE',
      'privilegesToAdd[2].source REQUIRED',
      'privilegesToAdd[2].activeToDateTime INVALID_FORMAT',
    ]);
  });

  it('refuses a body that is no object', () => {
    const reader = new CommandReader('IdentityPrivilege', [1]);
    readPrivilege(reader, ORG);
    expect(reader.problems[0]).toMatchObject({ field: 'body', code: 'INVALID_FORMAT' });
  });
});
