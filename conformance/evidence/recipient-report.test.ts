/** The recipient profiles' vendor report: read strictly, line by line, as it grows. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecipientReportReader } from './recipient-report.ts';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function reportOf(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'receiver-report-'));
  dirs.push(dir);
  await writeFile(join(dir, 'report.jsonl'), text);
  const reader = new RecipientReportReader(join(dir, 'report.jsonl'));
  await reader.more(true);
  return { lines: reader.lines.map(({ seenAt: _, ...line }) => line), problems: reader.problems };
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
    const reader = new RecipientReportReader('/nonexistent/report.jsonl');
    expect(await reader.more(true)).toEqual({ lines: [], problems: [] });
  });

  it('reads on after a final read in the middle of the run, missing no line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'receiver-report-'));
    dirs.push(dir);
    const path = join(dir, 'report.jsonl');
    const line = (outcome: string) => `${JSON.stringify({ messageUUID: UUID, sha256: SHA, outcome })}\n`;
    await writeFile(path, line('ACCEPTED'));
    const reader = new RecipientReportReader(path);
    await reader.more(true);
    await writeFile(path, `${line('ACCEPTED')}${line('REJECTED')}`);

    expect((await reader.more()).lines.map((each) => each.outcome)).toEqual(['REJECTED']);
  });

  it('leaves a last line without its newline until the final read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'receiver-report-'));
    dirs.push(dir);
    const path = join(dir, 'report.jsonl');
    await writeFile(
      path,
      `${JSON.stringify({ messageUUID: UUID, sha256: SHA, outcome: 'ACCEPTED' })}\n{"messageUUID":`,
    );
    const reader = new RecipientReportReader(path);

    expect((await reader.more()).lines).toHaveLength(1);
    expect(reader.problems).toEqual([]);
    expect((await reader.more(true)).problems).toHaveLength(1);
  });
});
