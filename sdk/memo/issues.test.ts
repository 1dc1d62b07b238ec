import { describe, expect, it } from 'vitest';
import { describeIssues } from './issues.ts';
import type { MemoIssue } from './types.ts';

const issue = (path: string, message: string): MemoIssue => ({ path, code: 'SOME_CODE', message });
const three = [
  issue('MessageHeader/label', 'label must not be empty'),
  issue('MessageHeader/Sender/senderID', 'senderID must be a CVR number'),
  issue('', 'the document is not UTF-8'),
];

describe('describeIssues', () => {
  it('lists every issue as "path: message", joined by "; "', () => {
    expect(describeIssues(three)).toBe(
      'MessageHeader/label: label must not be empty; MessageHeader/Sender/senderID: senderID must be a CVR number; the document is not UTF-8',
    );
  });

  it('counts the issues beyond the limit', () => {
    expect(describeIssues(three, { limit: 1 })).toBe(
      'MessageHeader/label: label must not be empty (and 2 more)',
    );
    expect(describeIssues(three, { limit: 3 })).not.toContain('more');
  });

  it('masks CPR numbers, as the text goes into receipts and logs', () => {
    expect(describeIssues([issue('x', 'recipient 0101901234 is exempt')])).toBe(
      'x: recipient 010190**** is exempt',
    );
  });

  it('cuts the text to maxLength, ending in an ellipsis', () => {
    const text = describeIssues(three, { maxLength: 20 });
    expect(text).toHaveLength(20);
    expect(text).toBe('MessageHeader/label…');
  });

  it('is empty for no issues', () => {
    expect(describeIssues([])).toBe('');
  });

  it.each([{ limit: -1 }, { limit: 1.5 }, { maxLength: 0 }, { maxLength: Number.NaN }])(
    'refuses the options %o',
    (options) => {
      expect(() => describeIssues(three, options)).toThrow(/describeIssues/);
    },
  );
});
