/** The recipient profiles' vendor report: read strictly, line by line. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReceiverReport } from './receiver-report.ts';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function reportOf(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'receiver-report-'));
  dirs.push(dir);
  await writeFile(join(dir, 'report.jsonl'), text);
  return readReceiverReport(join(dir, 'report.jsonl'));
}

const UUID = '3F2B8C1E-9D4A-4E7B-A1C5-6D8E2F4B7A90';
const SHA = 'AB'.repeat(32);

describe('a recipient report', () => {
  it('takes well-formed lines, lower-casing messageUUID and sha256', async () => {
    const report = await reportOf(
      `${JSON.stringify({ messageUUID: UUID, sha256: SHA, outcome: 'ACCEPTED' })}\n\n${JSON.stringify({ messageUUID: UUID, sha256: SHA, outcome: 'REJECTED' })}`,
    );

    expect(report.problems).toEqual([]);
    expect(report.lines).toEqual([
      { line: 1, messageUUID: UUID.toLowerCase(), sha256: SHA.toLowerCase(), outcome: 'ACCEPTED' },
      { line: 3, messageUUID: UUID.toLowerCase(), sha256: SHA.toLowerCase(), outcome: 'REJECTED' },
    ]);
  });

  it.each([
    ['not JSON', '{"messageUUID":', 'not JSON'],
    ['an array', '[1]', 'not a JSON object'],
    ['no UUID', JSON.stringify({ messageUUID: 'M1', sha256: SHA, outcome: 'ACCEPTED' }), '"messageUUID"'],
    ['a short hash', JSON.stringify({ messageUUID: UUID, sha256: 'abc', outcome: 'ACCEPTED' }), '"sha256"'],
    [
      'another outcome',
      JSON.stringify({ messageUUID: UUID, sha256: SHA, outcome: 'DELIVERED' }),
      '"outcome"',
    ],
  ])('names a line with %s as a problem', async (_what, line, reason) => {
    const report = await reportOf(`${line}\n`);

    expect(report.lines).toEqual([]);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]?.reason).toContain(reason);
  });

  it('is empty when the file is missing', async () => {
    expect(await readReceiverReport('/nonexistent/report.jsonl')).toEqual({ lines: [], problems: [] });
  });
});
