import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMemo } from '../../sdk/memo/parse.ts';
import { runCli } from '../program.ts';
import { jsonLines } from '../test-support.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
  });
  return { code, stdout, stderr };
}

const fixtures = new URL('../../test/fixtures/memo/', import.meta.url).pathname;
let dir: string;
let invalid: string;
let pdf: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dp-cli-'));
  invalid = join(dir, 'invalid.xml');
  const minimal = await readFile(join(fixtures, 'minimal-1.2.xml'), 'utf8');
  await writeFile(
    invalid,
    minimal.replace('0101901234', '01019').replace('3f2b8c1e-9d4a-4e7b', '3f2b8c1e-9d4a-1e7b'),
  );
  pdf = join(dir, 'brev.pdf');
  await writeFile(pdf, '%PDF-1.4\n%%EOF\n');
});

describe('digitalpost memo validate', () => {
  it('exits 0 and says so when every file is valid', async () => {
    const run = await cli(
      'memo',
      'validate',
      join(fixtures, 'minimal-1.1.xml'),
      join(fixtures, 'rich-1.2.xml'),
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('minimal-1.1.xml: valid MeMo 1.1');
  });

  it('exits 1 and prints one "file: path: message" line per problem', async () => {
    const run = await cli('memo', 'validate', invalid);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      `${invalid}: MessageHeader/messageUUID: messageUUID must be a version 4 UUID, got "3f2b8c1e-9d4a-1e7b-a1c5-6d8e2f4b7a90"`,
      `${invalid}: MessageHeader/Recipient/recipientID: recipientID must be a CPR number of exactly 10 digits (found 5 characters)`,
    ]);
  });

  it('prints one JSON line per file, in the documented shape, with --json', async () => {
    const run = await cli('memo', 'validate', '--json', invalid, join(fixtures, 'nemsms-1.2.xml'));
    expect(run.code).toBe(1);
    const report = jsonLines(run.stdout);
    expect(report).toEqual([
      {
        file: invalid,
        valid: false,
        version: '1.2',
        issues: [
          { path: 'MessageHeader/messageUUID', code: 'INVALID_UUID', message: expect.any(String) },
          { path: 'MessageHeader/Recipient/recipientID', code: 'CPR_INVALID', message: expect.any(String) },
        ],
        warnings: [],
      },
      { file: join(fixtures, 'nemsms-1.2.xml'), valid: true, version: '1.2', issues: [], warnings: [] },
    ]);
  });

  it('reports a file that is not XML as invalid with one line', async () => {
    const notXml = join(dir, 'not.xml');
    await writeFile(notXml, 'hello');
    const run = await cli('memo', 'validate', notXml);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^.*not\.xml: not well-formed XML at line 1, column 1: .*\n$/);
  });

  it('exits 2 for an unreadable file, still checking the others', async () => {
    const run = await cli('memo', 'validate', join(dir, 'missing.xml'), join(fixtures, 'minimal-1.2.xml'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`digitalpost: cannot read ${join(dir, 'missing.xml')}: no such file\n`);
    expect(run.stdout).toContain('valid MeMo 1.2');
  });

  it('exits 2 on usage errors with one line', async () => {
    for (const argv of [
      ['memo', 'validate'],
      ['memo', 'validate', '--rules', 'strict', 'x.xml'],
      ['memo', 'validate', '--max-attachments', 'ten', 'x.xml'],
      ['memo', 'frobnicate'],
    ]) {
      const run = await cli(...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(/^digitalpost: /);
    }
  });

  it('applies the rule options', async () => {
    const run = await cli('memo', 'validate', '--rules', 'schema', invalid);
    expect(run.stdout).not.toContain('CPR');
  });
});

describe('digitalpost memo build', () => {
  it('builds a letter to stdout that validates', async () => {
    const run = await cli(
      'memo',
      'build',
      '--sender',
      '12345678',
      '--sender-label',
      'Kommune',
      '--recipient',
      '0101901234',
      '--label',
      'Brev',
      '--file',
      pdf,
      '--value-date',
      '2025-06-02',
    );
    expect(run.code).toBe(0);
    const memo = parseMemo(run.stdout, { rules: 'ngdp' });
    expect(memo.messageHeader).toMatchObject({
      doNotDeliverUntilDate: '2025-06-02',
      recipient: { recipientID: '0101901234', idType: 'CPR' },
    });
  });

  it('writes a NemSMS of version 1.1 to --out', async () => {
    const out = join(dir, 'sms.xml');
    const run = await cli(
      'memo',
      'build',
      '--memo-version',
      '1.1',
      '--sender',
      '12345678',
      '--sender-label',
      'K',
      '--recipient',
      '12345678',
      '--label',
      'SMS',
      '--nemsms',
      'Husk tid',
      '--out',
      out,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^wrote .*sms\.xml \(MeMo 1\.1, messageUUID [0-9a-f-]{36}\)\n$/);
    const memo = parseMemo(await readFile(out));
    expect(memo.messageHeader).toMatchObject({
      messageType: 'NEMSMS',
      notification: 'Husk tid',
      recipient: { idType: 'CVR' },
    });
  });

  it('reports what would make the MeMo invalid, exit 1', async () => {
    const run = await cli(
      'memo',
      'build',
      '--sender',
      '1234',
      '--sender-label',
      'K',
      '--recipient',
      '0101901234',
      '--label',
      'x',
      '--file',
      pdf,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'digitalpost: MessageHeader/Sender/senderID: senderID must be a CVR number of exactly 8 digits (found 4 characters)\n',
    );
  });

  it('explains usage problems with one line, exit 2', async () => {
    const base = ['memo', 'build', '--sender', '12345678', '--sender-label', 'K', '--label', 'x'];
    expect(await cli(...base, '--recipient', '123', '--file', pdf)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--recipient must be a CPR number/),
    });
    expect(await cli(...base, '--recipient', '0101901234')).toMatchObject({
      code: 2,
      stderr: 'digitalpost: a letter needs at least one --file (the main document)\n',
    });
    expect(await cli(...base, '--recipient', '0101901234', '--file', join(dir, 'nope.pdf'))).toMatchObject({
      code: 2,
      stderr: `digitalpost: cannot read --file ${join(dir, 'nope.pdf')}: no such file\n`,
    });
    expect((await cli('memo', 'build')).code).toBe(2);
  });
});

describe('the digitalpost executable', () => {
  it("prints its version and help, and exits with the command's code", async () => {
    const run = promisify(execFile);
    const entry = new URL('../index.ts', import.meta.url).pathname;
    const version = await run(process.execPath, [entry, '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await run(process.execPath, [entry, 'memo', 'validate', '--help']);
    expect(help.stdout).toContain(
      'Exit codes: 0 all valid, 1 a MeMo is invalid, 2 usage error or unreadable file.',
    );
    await expect(
      run(process.execPath, [entry, 'memo', 'validate', join(dir, 'missing.xml')]),
    ).rejects.toMatchObject({ code: 2 });
  });
});
