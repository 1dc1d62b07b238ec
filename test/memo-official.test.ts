import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseMemo } from '../sdk/memo/parse.ts';
import { validateMemo } from '../sdk/memo/validate.ts';
import { serializeMemo } from '../sdk/memo/writer.ts';
import { describeWith } from './support/requirements.ts';
import { sharedPath } from './support/shared.ts';

const OFFICIAL = 'fixtures/memo/official';
const officialDir = sharedPath(OFFICIAL);
const files = officialDir === undefined ? [] : readdirSync(officialDir).filter((f) => f.endsWith('.xml'));

describeWith({ shared: [OFFICIAL] }, "Digitaliseringsstyrelsen's official MeMo examples", () => {
  it('are present', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s parses and is valid against the schema', (file) => {
    const xml = readFileSync(join(officialDir as string, file));
    const memo = parseMemo(xml);
    expect(memo.version).toBe('1.1');
    expect(validateMemo(xml, { rules: 'schema' }).issues).toEqual([]);
  });

  it.each(files)('%s breaks no NgDP rule except the https Action rule of September 2025', (file) => {
    const { issues } = validateMemo(readFileSync(join(officialDir as string, file)));
    expect(issues.filter((i) => i.code !== 'ACTION_URL_NOT_HTTPS')).toEqual([]);
  });

  it.each(files)('%s survives parse → serialize → parse', (file) => {
    const memo = parseMemo(readFileSync(join(officialDir as string, file)));
    expect(parseMemo(serializeMemo(memo))).toEqual(memo);
  });
});
