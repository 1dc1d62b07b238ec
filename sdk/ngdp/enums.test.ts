import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWith } from '../../test/support/requirements.ts';
import { sharedPath } from '../../test/support/shared.ts';
import {
  CONTACT_POINT_TARGETS,
  CONTACT_TYPES,
  EventTag,
  MESSAGE_TYPES,
  ORGANISATION_TYPES,
  PROTOCOL_TYPES,
  PUBLIC_REGISTRATION_STATUSES,
  RECEIPT_STATUSES,
  RECIPIENT_ID_TYPES,
  REGISTRATION_STATUSES,
  SYSTEM_PROTOCOLS,
  SYSTEM_TYPES,
} from './enums.ts';

interface Schema {
  enum?: string[];
}
const OPENAPI = 'spec/ngdp-openapi-1.68.json';
const openApiFile = sharedPath(OPENAPI);
const openApi =
  openApiFile === undefined
    ? undefined
    : (JSON.parse(readFileSync(openApiFile, 'utf8')) as {
        components: { schemas: Record<string, Schema> };
      });
const enumOf = (name: string): string[] => openApi?.components.schemas[name]?.enum ?? [];
const withoutUnknown = (values: string[]): string[] => values.filter((value) => value !== 'UNKNOWN');

describeWith({ shared: [OPENAPI] }, "NgDP's enums, held against its OpenAPI 1.68.0", () => {
  it.each([
    ['ReceiptStatus', RECEIPT_STATUSES],
    ['PublicRegistrationStatus', PUBLIC_REGISTRATION_STATUSES],
    ['RegistrationStatus', REGISTRATION_STATUSES],
    ['ProtocolType', PROTOCOL_TYPES],
    ['ContactType', CONTACT_TYPES],
    ['targets', CONTACT_POINT_TARGETS],
    ['MaterialMessageType', MESSAGE_TYPES],
    ['MemoCreateAndSendCommandRecipientIdType', RECIPIENT_ID_TYPES],
  ] as const)('%s has exactly NgDP values', (name, values) => {
    expect([...values].sort()).toEqual(enumOf(name).sort());
  });

  it.each([
    ['SystemTypes', SYSTEM_TYPES],
    ['OrganisationType', ORGANISATION_TYPES],
  ] as const)('%s has NgDP values but UNKNOWN', (name, values) => {
    expect([...values].sort()).toEqual(withoutUnknown(enumOf(name)).sort());
  });

  it('the system protocols are among NgDP protocol types', () => {
    for (const protocol of SYSTEM_PROTOCOLS) expect(enumOf('ProtocolType')).toContain(protocol);
  });

  it('every event tag is one of NgDP event-log tags', () => {
    const tags = enumOf('EventLogEventTag');
    for (const [key, value] of Object.entries(EventTag)) {
      expect(value).toBe(key);
      expect(tags).toContain(value);
    }
  });
});
