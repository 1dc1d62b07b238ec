/**
 * Reading a request's query against its operation's declaration (`readQuery`), for any operation of
 * NgDP's API — the administration's searches read theirs the same way.
 */
import { describe, expect, it } from 'vitest';
import { ngdpOperation } from '../../sdk/ngdp/operations.ts';
import { Rejection } from '../engine/rejections.ts';
import { readQuery } from './query.ts';

/** The rejection `read` throws (undefined when it throws none). */
function refusal(read: () => unknown): Rejection | undefined {
  try {
    read();
  } catch (error) {
    if (error instanceof Rejection) return error;
    throw error;
  }
  return undefined;
}

describe('readQuery', () => {
  it('parses the generic query of a search with its own declared parameters left to it', () => {
    const query = readQuery(ngdpOperation('queryAllContactGroups'), {
      name: 'Borger',
      isRoot: 'true',
      'organisation.cvrNumber': '12345678',
      sortFields: 'name:desc',
      page: '2',
    });
    expect(query).toMatchObject({
      page: 2,
      size: 20,
      filters: [{ field: 'organisation.cvrNumber' }],
      sort: [{ field: 'name', descending: true }],
    });
  });

  it('filters by nested fields of the schema the search lists', () => {
    const query = readQuery(ngdpOperation('queryIdentities'), { 'citizenName.firstName': 'Anna*' });
    expect(query?.filters).toHaveLength(1);
    expect(
      refusal(() => readQuery(ngdpOperation('queryIdentities'), { nickname: 'x' }))?.fieldErrors,
    ).toEqual([expect.objectContaining({ resource: 'query', field: 'nickname', code: 'INVALID_PARAMETER' })]);
  });

  it('takes ownerOrActor beside a field filter, and refuses searchParameters where it is not declared', () => {
    expect(
      refusal(() => readQuery(ngdpOperation('queryEvents'), { owner: 'x', ownerOrActor: '1' })),
    ).toBeUndefined();
    expect(
      refusal(() => readQuery(ngdpOperation('listAvailableReceipts'), { searchParameters: 'x' }))?.message,
    ).toBe('searchParameters: is not a parameter of listAvailableReceipts, which takes page, size');
  });

  it('takes no field filters where the search declares no searchParameters', () => {
    expect(readQuery(ngdpOperation('queryMailboxes'), { sortFields: 'ownerName' })?.sort).toHaveLength(1);
    expect(refusal(() => readQuery(ngdpOperation('queryMailboxes'), { ownerName: 'x' }))?.message).toBe(
      'ownerName: is not a parameter of queryMailboxes, which takes page, size, sortFields',
    );
  });

  it('checks a declared value against its declaration', () => {
    expect(refusal(() => readQuery(ngdpOperation('lookupCitizen'), { cprNumber: '123' }))?.message).toBe(
      'cprNumber: must match ^(\\d{10})$',
    );
    expect(
      refusal(() => readQuery(ngdpOperation('lookupCitizen'), { firstNameProvided: 'x'.repeat(257) }))
        ?.message,
    ).toBe('firstNameProvided: must be at most 256 characters');
    expect(refusal(() => readQuery(ngdpOperation('getRefreshTokens'), { paged: 'yes' }))?.message).toBe(
      'paged: must be true or false',
    );
  });

  it('reads nothing for an operation without generic parameters, and refuses any parameter of one that declares none', () => {
    expect(readQuery(ngdpOperation('fetchReceipt'), { delete: 'false' })).toBeUndefined();
    expect(refusal(() => readQuery(ngdpOperation('fetchMemo'), { format: 'xml' }))?.message).toBe(
      'format: is not a parameter of fetchMemo, which takes no query parameters',
    );
  });
});
