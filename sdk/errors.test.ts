/**
 * `isDigitalPostError`: the test for the package's errors that holds across copies of the package (the
 * dual package's ES module and CommonJS builds loaded at once; test/package.test.ts proves that on
 * the packed tarball), where `instanceof` does not.
 */
import { describe, expect, it } from 'vitest';
import {
  DigitalPostError,
  InvalidOptionsError,
  isDigitalPostError,
  MemoValidationError,
  TimeoutError,
} from './errors.ts';

/** A second copy of the module, as a second build of the package is: the same code, other classes. */
async function secondCopy(): Promise<typeof import('./errors.ts')> {
  return (await import(/* @vite-ignore */ `./errors.ts?copy=${Date.now()}`)) as typeof import('./errors.ts');
}

describe('isDigitalPostError', () => {
  it('is true for every error of the package, whatever its class', () => {
    expect(isDigitalPostError(new InvalidOptionsError('timeoutMs must be positive'))).toBe(true);
    expect(isDigitalPostError(new TimeoutError('no answer within 5 ms', undefined))).toBe(true);
    expect(isDigitalPostError(new MemoValidationError([]))).toBe(true);
    expect(isDigitalPostError(new DigitalPostError('ABORTED', 'aborted'))).toBe(true);
  });

  it('is false for other errors and values, even ones with a code', () => {
    const lookalike = Object.assign(new Error('x'), { code: 'TIMEOUT', name: 'TimeoutError' });
    for (const value of [
      new Error('x'),
      lookalike,
      { code: 'INVALID_OPTIONS' },
      null,
      undefined,
      'TIMEOUT',
      7,
    ]) {
      expect(isDigitalPostError(value)).toBe(false);
    }
  });

  it('recognises an error of another copy of the package, which instanceof does not', async () => {
    const other = await secondCopy();
    expect(other.InvalidOptionsError).not.toBe(InvalidOptionsError);
    const theirs = new other.InvalidOptionsError('timeoutMs must be positive');
    expect(theirs instanceof DigitalPostError).toBe(false);
    expect(isDigitalPostError(theirs)).toBe(true);
    expect(other.isDigitalPostError(new InvalidOptionsError('x'))).toBe(true);
    if (isDigitalPostError(theirs)) expect(theirs.code).toBe('INVALID_OPTIONS');
  });

  it('adds nothing to what an error shows: the mark is not an own or enumerable property', () => {
    const error = new InvalidOptionsError('x');
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(JSON.stringify({ ...error })).not.toContain('digitalpost.error');
  });
});
