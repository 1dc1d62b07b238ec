/** `maskCpr`: CPR numbers never appear whole in an error message or a log line. */
import { describe, expect, test } from 'vitest';
import { maskCpr } from './transport.ts';

describe('maskCpr', () => {
  test.each([
    ['/contacts/?cprNumber=0101700001', '/contacts/?cprNumber=010170****'],
    ['/contacts/?cprNumber=0101700001%2C0101700002', '/contacts/?cprNumber=010170****%2C010170****'],
    ['recipient 0101700001 is exempt', 'recipient 010170**** is exempt'],
    ['0101700001,0101700002', '010170****,010170****'],
  ])('masks %s', (text, masked) => {
    expect(maskCpr(text)).toBe(masked);
  });

  test.each([
    '/memos/20000000-0000-4000-8000-000000000001',
    '/memos/123e4567-e89b-12d3-a456-426614174000',
    'cvrNumber=87654321',
    'transmission 01017000011',
    'id ab0101700001',
  ])('leaves %s alone', (text) => {
    expect(maskCpr(text)).toBe(text);
  });
});
