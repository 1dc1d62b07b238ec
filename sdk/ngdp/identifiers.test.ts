import { describe, expect, it } from 'vitest';
import {
  isCprNumber,
  isCvrNumber,
  isUuid,
  maskCpr,
  maskCprParameters,
  maskCprValue,
  partyNumberKind,
  testCprNumber,
  testCvrNumber,
} from './identifiers.ts';

describe('isUuid', () => {
  it.each([
    ['5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6d', true],
    ['5A2C4B1E-8F3D-4C6A-9B7E-1D2F3A4B5C6D', true],
    ['00000000-0000-0000-0000-000000000000', true],
    ['5a2c4b1e8f3d4c6a9b7e1d2f3a4b5c6d', false],
    ['5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6', false],
    ['5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6dd', false],
    ['{5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6d}', false],
    ['5a2c4b1e-8f3d-4c6a-9b7e-1d2f3a4b5c6g', false],
    ['', false],
    [undefined, false],
    [42, false],
  ])('%s is a UUID: %s', (value, expected) => {
    expect(isUuid(value)).toBe(expected);
  });
});

describe('CPR and CVR numbers', () => {
  it.each([
    ['0101901234', 'CPR'],
    ['12345678', 'CVR'],
    ['010190-1234', undefined],
    ['123456789', undefined],
    ['01019012345', undefined],
    ['１２３４５６７８', undefined],
    [' 12345678', undefined],
    ['', undefined],
    [12345678, undefined],
  ])('%s is a %s number', (value, kind) => {
    expect(partyNumberKind(value)).toBe(kind);
    expect(isCprNumber(value)).toBe(kind === 'CPR');
    expect(isCvrNumber(value)).toBe(kind === 'CVR');
  });
});

describe('maskCpr: CPR numbers never appear whole in an error message or a log line', () => {
  it.each([
    ['recipient 0101901234 is exempt', 'recipient 010190**** is exempt'],
    ['cprNumber=0101901234%2C0202802345', 'cprNumber=010190****%2C020280****'],
    ['a CVR 12345678 stays', 'a CVR 12345678 stays'],
    ['uuid 5a2c4b1e-8f3d-4c6a-9b7e-0101901234ab stays', 'uuid 5a2c4b1e-8f3d-4c6a-9b7e-0101901234ab stays'],
    ['a longer number 01019012345 stays', 'a longer number 01019012345 stays'],
    ['/contacts/?cprNumber=0101700001', '/contacts/?cprNumber=010170****'],
    ['/contacts/?cprNumber=0101700001%2C0101700002', '/contacts/?cprNumber=010170****%2C010170****'],
    ['0101700001,0101700002', '010170****,010170****'],
    ['the citizen 010170-0001 is exempt', 'the citizen 010170-**** is exempt'],
    ['CPR: 010170-0001.', 'CPR: 010170-****.'],
    ['010170-0001/0202802345', '010170-****/020280****'],
  ])('%s → %s', (text, masked) => {
    expect(maskCpr(text)).toBe(masked);
  });

  it.each([
    '/memos/20000000-0000-4000-8000-000000000001',
    '/memos/123e4567-e89b-12d3-a456-426614174000',
    'cvrNumber=87654321',
    'transmission 01017000011',
    'id ab0101700001',
    'a longer 010170-00011 stays',
    'uuid 12345678-1234-5678-9abc-def012345678 stays',
    'a date 2025-06-01 stays',
  ])('leaves %s alone', (text) => {
    expect(maskCpr(text)).toBe(text);
  });
});

describe('a value given for a CPR number is masked whatever its shape', () => {
  it.each([
    ['citizen-lookup/?cprNumber=0101700001x', 'citizen-lookup/?cprNumber=010170*****'],
    ['?cprNumber=01017000012&size=2', '?cprNumber=010170*****&size=2'],
    ['?CPRNUMBER=0101700001', '?CPRNUMBER=010170****'],
    ['?cprNumber=0101700001x%2C0202802345', '?cprNumber=010170*****%2C020280****'],
    ['?cprNumber=0101', '?cprNumber=0101'],
    ['?cvrNumber=12345678x', '?cvrNumber=12345678x'],
  ])('%s → %s', (text, masked) => {
    expect(maskCprParameters(text)).toBe(masked);
  });

  it('shows a value no further than its first six characters', () => {
    expect(maskCprValue('0101700001x')).toBe('010170*****');
    expect(maskCprValue('010170')).toBe('010170');
  });
});

describe('numbers for test citizens and companies', () => {
  const sequence = (seed: number) => () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };

  it('makes CPR numbers of a real date of birth that pass the modulus-11 check', () => {
    const random = sequence(42);
    for (let i = 0; i < 200; i++) {
      const cpr = testCprNumber(random);
      expect(isCprNumber(cpr)).toBe(true);
      const [day, month] = [Number(cpr.slice(0, 2)), Number(cpr.slice(2, 4))];
      expect(day).toBeGreaterThanOrEqual(1);
      expect(day).toBeLessThanOrEqual(31);
      expect(month).toBeGreaterThanOrEqual(1);
      expect(month).toBeLessThanOrEqual(12);
      const sum = [...cpr].reduce(
        (total, digit, at) => total + Number(digit) * ([4, 3, 2, 7, 6, 5, 4, 3, 2, 1][at] ?? 0),
        0,
      );
      expect(sum % 11).toBe(0);
    }
  });

  it('makes CVR numbers of 8 digits, not starting with 0, that pass the modulus-11 check', () => {
    const random = sequence(7);
    for (let i = 0; i < 200; i++) {
      const cvr = testCvrNumber(random);
      expect(cvr).toMatch(/^[1-9]\d{7}$/);
      const sum = [...cvr].reduce(
        (total, digit, at) => total + Number(digit) * ([2, 7, 6, 5, 4, 3, 2, 1][at] ?? 0),
        0,
      );
      expect(sum % 11).toBe(0);
    }
  });

  it('differ from one call to the next', () => {
    expect(new Set(Array.from({ length: 20 }, () => testCprNumber())).size).toBeGreaterThan(15);
  });
});
