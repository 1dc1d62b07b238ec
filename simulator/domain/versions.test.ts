/** Which `If-Match` headers name a version, and which can be read at all. */
import { describe, expect, it } from 'vitest';
import { ifMatchAccepts, ifMatchNamesVersions } from './versions.ts';

describe('an If-Match header', () => {
  it.each([
    ['3', true],
    ['"3"', true],
    ['W/"3"', true],
    ['*', true],
    ['"1", "3"', true],
    ['"4"', false],
    ['"03"', false],
    ['three', false],
  ])('%s names version 3: %s', (header, expected) => {
    expect(ifMatchAccepts(header, 3)).toBe(expected);
  });

  it.each([
    ['"3"', true],
    ['W/"3", 4', true],
    ['*', true],
    ['"abc"', false],
    ['3, three', false],
    ['', false],
  ])('%j names only versions (or *): %s', (header, expected) => {
    expect(ifMatchNamesVersions(header)).toBe(expected);
  });
});
