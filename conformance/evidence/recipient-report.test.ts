import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecipientReportReader, readRecipientLine } from './recipient-report.ts';

const UUID = '3F2B8C1E-9D4A-4E7B-A1C5-6D8E2F4B7A90';
const HASH = 'AB'.repeat(32);
const line = (fields: Record<string, unknown>): string =>
  JSON.stringify({ messageUUID: UUID, sha256: HASH, outcome: 'ACCEPTED', ...fields });

describe('a recipient report line', () => {
  it('is read with its messageUUID and SHA-256 lower-cased', () => {
    expect(readRecipientLine(line({}), 3)).toEqual({
      line: 3,
      messageUUID: UUID.toLowerCase(),
      sha256: HASH.toLowerCase(),
      outcome: 'ACCEPTED',
    });
  });

  it.each([
    ['not JSON', '{"messageUUID":', 'not JSON'],
    ['an array', '[1]', 'not a JSON object'],
    ['no messageUUID', line({ messageUUID: undefined }), '"messageUUID" is missing or not a UUID'],
    ['a messageUUID that is no UUID', line({ messageUUID: 'L1' }), '"messageUUID" is missing or not a UUID'],
    ['a short SHA-256', line({ sha256: 'abc' }), '"sha256" is missing or not 64 hexadecimal digits'],
    [
      'an outcome of the sender protocol',
      line({ outcome: 'DELIVERED' }),
      '"outcome" must be one of ACCEPTED, REJECTED',
    ],
  ])('with %s is a problem saying so', (_, text, reason) => {
    expect(readRecipientLine(text, 1)).toEqual({ line: 1, text, reason });
  });
});

describe('the recipient report file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recipient-report-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is read on as it grows, a line once it has its newline', async () => {
    const path = join(dir, 'report.jsonl');
    const reader = new RecipientReportReader(path);
    expect((await reader.more()).lines).toEqual([]);
    await appendFile(path, `${line({})}\n${line({ outcome: 'REJECTED' }).slice(0, 20)}`);
    expect((await reader.more()).lines.map((read) => read.line)).toEqual([1]);
    await appendFile(path, `${line({ outcome: 'REJECTED' }).slice(20)}\nnot json\n`);
    const added = await reader.more();
    expect(added.lines.map((read) => [read.line, read.outcome])).toEqual([[2, 'REJECTED']]);
    expect(added.problems.map((problem) => problem.line)).toEqual([3]);
    expect(reader.lines).toHaveLength(2);
  });

  it('takes a last line without its newline at the final read', async () => {
    const path = join(dir, 'report.jsonl');
    await appendFile(path, line({}));
    const reader = new RecipientReportReader(path);
    expect((await reader.more()).lines).toEqual([]);
    expect((await reader.more(true)).lines).toHaveLength(1);
  });
});
