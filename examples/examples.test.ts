import { describe, expect, it, vi } from 'vitest';

describe('examples', () => {
  it('build-and-validate builds a letter and finds the two planted problems', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { main } = await import('./build-and-validate.ts');
    const result = await main();
    expect(result.bytes).toBeGreaterThan(500);
    expect(result.issues).toEqual(['CPR_INVALID', 'FILENAME_FORBIDDEN_CHARACTER']);
  });

  it('simulator-value-date holds a letter until its value date, then delivers and receipts it', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { main } = await import('./simulator-value-date.ts');
    expect(await main()).toEqual({ before: 'AWAITING_DELAY', after: 'DELIVERED', receipt: 'COMPLETED' });
  });
});
