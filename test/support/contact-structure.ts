/**
 * Test helpers for Administrativ Adgang's contact structure (admin.md §2): commands the portal
 * accepts, and the paths of an organisation's groups and points.
 */
import { SEED_IDS } from '../../simulator/domain/seed.ts';

/** `organisations/{organisationId}/contact-groups/` (under `/apis/v1`). */
export function groupsPath(organisationId: string = SEED_IDS.authority): string {
  return `/organisations/${organisationId}/contact-groups/`;
}

/** `organisations/{organisationId}/contact-points/` (under `/apis/v1`). */
export function pointsPath(organisationId: string = SEED_IDS.authority): string {
  return `/organisations/${organisationId}/contact-points/`;
}

/** A `ContactGroupCommand` that Administrativ Adgang accepts, with `overrides`. */
export function contactGroupCommand(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Borgerservice', description: 'Henvendelser til borgerservice', ...overrides };
}

/** A `ContactPointCommand` that Administrativ Adgang accepts (active, visible), with `overrides`. */
export function contactPointCommand(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Byggesag',
    description: 'Spørgsmål om din byggesag',
    targets: ['CITIZEN', 'COMPANY'],
    visible: true,
    active: true,
    searchTerms: [{ term: 'byggetilladelse' }, { term: 'tilbygning' }],
    systemId: SEED_IDS.authorityRecipient,
    ...overrides,
  };
}
