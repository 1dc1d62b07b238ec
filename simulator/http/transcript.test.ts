/** The operation a call into `/apis/v1` is noted (and fault rules name it) as. */
import { describe, expect, it } from 'vitest';
import { operationOf } from './transcript.ts';

describe('operationOf', () => {
  it.each([
    ['POST', '/memos/', 'POST /memos/'],
    ['GET', '/memos/0f0f0f0f-0000-4000-8000-00000000abcd', 'GET /memos/{id}'],
    ['POST', '/memos/x/receipt', 'POST /memos/{id}/receipt'],
    ['GET', '/receipts-bulk/', 'GET /receipts-bulk/'],
    ['GET', '/contacts', 'GET /contacts'],
    ['GET', '/', 'GET /'],
    ['GET', '/a/b/c/d', 'GET /a/{id}/c/d'],
  ])('names %s %s as %s', (method, path, operation) => {
    expect(operationOf(method, path)).toBe(operation);
  });
});
