/** Which subscriptions a contact's or an organisation's change concerns. */
import { describe, expect, it } from 'vitest';
import {
  type ContactChange,
  concernsOrganisationSubscription,
  concernsSubscription,
} from './subscriptions.ts';

const CONTACT = 'c0ffee00-0000-4000-8000-000000000001';

describe('a contact change concerns a subscription', () => {
  it.each<[string, string[], string[], 'CITIZEN' | 'COMPANY', ContactChange, boolean]>([
    ['ALL_CITIZENS, any citizen change', ['ALL_CITIZENS'], [], 'CITIZEN', 'UPDATED', true],
    ['ALL_CITIZENS, not a company', ['ALL_CITIZENS'], [], 'COMPANY', 'UPDATED', false],
    ['NEW_CITIZENS, a new citizen', ['NEW_CITIZENS'], [], 'CITIZEN', 'CREATED', true],
    ['NEW_CITIZENS, not a changed one', ['NEW_CITIZENS'], [], 'CITIZEN', 'UPDATED', false],
    ['ALL_COMPANIES, any company change', ['ALL_COMPANIES'], [], 'COMPANY', 'UPDATED', true],
    ['NEW_COMPANIES, a new company', ['NEW_COMPANIES'], [], 'COMPANY', 'CREATED', true],
    ['a contact it names', [], [CONTACT], 'CITIZEN', 'UPDATED', true],
    ['nothing named or covered', ['NEW_COMPANIES'], [], 'CITIZEN', 'CREATED', false],
  ])('%s', (_, operations, contactIds, type, change, expected) => {
    const subscription = {
      operations: operations as Parameters<typeof concernsSubscription>[0]['operations'],
      contacts: contactIds.map((contactId) => ({ id: 'x', version: 1, contactId })),
    };

    expect(concernsSubscription(subscription, { id: CONTACT, type }, change)).toBe(expected);
  });
});

describe('an organisation change concerns a subscription', () => {
  it.each<[string, string[], string[], ContactChange, boolean]>([
    ['ALL_ORGANISATIONS, any change', ['ALL_ORGANISATIONS'], [], 'UPDATED', true],
    ['NEW_ORGANISATIONS, a new organisation', ['NEW_ORGANISATIONS'], [], 'CREATED', true],
    ['NEW_ORGANISATIONS, not a changed one', ['NEW_ORGANISATIONS'], [], 'UPDATED', false],
    ['its CVR number named', [], ['12345678'], 'UPDATED', true],
    ['another CVR number named', [], ['87654321'], 'UPDATED', false],
  ])('%s', (_, operations, cvrNumbers, change, expected) => {
    const subscription = {
      operations: operations as Parameters<typeof concernsOrganisationSubscription>[0]['operations'],
      organisations: cvrNumbers.map((cvrNumber) => ({ id: 'x', version: 1, cvrNumber })),
    };

    expect(concernsOrganisationSubscription(subscription, { cvrNumber: '12345678' }, change)).toBe(expected);
  });
});
