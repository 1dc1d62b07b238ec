/**
 * `digitalpost contact-structure export|import` against a real simulator, after `digitalpost
 * login`: the structure exported to stdout or a file, imported back (a round trip changes
 * nothing; an added row makes its object), a file at fault refused in one line naming the row,
 * and `--json`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliLoginHooks } from '../../test/support/cli-admin.ts';
import { SEED_IDS } from '../../test/support/simulator.ts';
import { jsonLines, lines, run } from '../test-support.ts';

let config: string;
let env: Record<string, string>;

cliLoginHooks('dp-structure-', (login) => {
  ({ config, env } = login);
});

/** A row of the export's `header` with these cells, the rest empty. */
function row(header: string, cells: Record<string, string>): string {
  return header
    .split(',')
    .map((column) => cells[column] ?? '')
    .join(',');
}

describe('digitalpost contact-structure export', () => {
  it('prints the structure as CSV: the header, a row per group and per point', async () => {
    const result = await run(['contact-structure', 'export'], env);

    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = lines(result.stdout);
    expect(header).toMatch(/^Type,ID,Parent ID,Name,Description,/);
    expect(rows.map((each) => each.split(',')[1])).toEqual([
      SEED_IDS.contactGroupRoot,
      SEED_IDS.contactGroupCitizens,
      SEED_IDS.contactGroupTechnical,
      SEED_IDS.contactPoint,
    ]);
  });

  it('writes it to a file with --output, and says so as JSON with --json', async () => {
    const file = join(config, 'structure.csv');
    const printed = await run(['contact-structure', 'export'], env);
    const result = await run(['contact-structure', 'export', '--output', file, '--json'], env);

    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(printed.stdout);
    expect(jsonLines(result.stdout)).toEqual([
      { organisationId: SEED_IDS.authority, file, bytes: Buffer.byteLength(printed.stdout) },
    ]);
  });
});

describe('digitalpost contact-structure import', () => {
  it('imports an export back unchanged: nothing created, nothing updated', async () => {
    const file = join(config, 'structure.csv');
    await run(['contact-structure', 'export', '--output', file], env);
    const result = await run(['contact-structure', 'import', file], env);

    expect(result).toMatchObject({
      code: 0,
      stdout: 'groups: 0 created, 0 updated; points: 0 created, 0 updated\n',
    });
  });

  it('makes a row added to the export, renames an edited one, and reports both as JSON', async () => {
    const file = join(config, 'structure.csv');
    await run(['contact-structure', 'export', '--output', file], env);
    const [header = '', ...rows] = lines(await readFile(file, 'utf8'));
    const edited = rows.map((each) => each.replace(',Teknik og miljø,', ',Teknik og natur,'));
    const added = row(header, { Type: 'GROUP', Name: 'Skoler', Description: 'Skoler og SFO' });
    await writeFile(file, [header, ...edited, added, ''].join('\n'));
    const result = await run(['contact-structure', 'import', file, '--json'], env);
    const exported = await run(['contact-structure', 'export'], env);

    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      {
        organisationId: SEED_IDS.authority,
        groupsCreated: 1,
        groupsUpdated: 1,
        pointsCreated: 0,
        pointsUpdated: 0,
      },
    ]);
    expect(exported.stdout).toContain(',Teknik og natur,');
    expect(exported.stdout).toMatch(/^GROUP,[0-9a-f-]{36},,Skoler,Skoler og SFO,/m);
  });

  it('refuses a file with a row at fault in one line naming the row and column (exit 1), importing nothing', async () => {
    const file = join(config, 'structure.csv');
    await writeFile(file, 'Type,ID,Name,Description\nGROUP,,Skoler,Skoler og SFO\nGROUP,,,Uden navn\n');
    const before = await run(['contact-structure', 'export'], env);
    const result = await run(['contact-structure', 'import', file], env);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^digitalpost: 400 INVALID_IMPORT: .*row 3, Name: /);
    expect((await run(['contact-structure', 'export'], env)).stdout).toBe(before.stdout);
  });

  it('refuses it as one JSON line with --json', async () => {
    const file = join(config, 'structure.csv');
    await writeFile(file, 'Type,ID,Name,Description\nPOINT,,Punkt,\n');
    const result = await run(['contact-structure', 'import', file, '--json'], env);

    expect(result.code).toBe(1);
    expect(jsonLines(result.stderr)).toEqual([
      { error: { code: 'INVALID_IMPORT', message: expect.stringMatching(/row 2, Description: /) } },
    ]);
  });

  it('refuses an import file it cannot read (exit 2)', async () => {
    const result = await run(['contact-structure', 'import', join(config, 'missing.csv')], env);

    expect(result).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/: no such file\n$/) });
  });

  it('reports a file that is no contact structure in one line, without a stack', async () => {
    const file = join(config, 'structure.csv');
    await writeFile(file, 'not,a,structure\n');
    const result = await run(['contact-structure', 'import', file], env);

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^digitalpost: \d{3} /);
  });
});
