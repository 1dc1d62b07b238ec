/** `sdk/admin/types.ts` is what scripts/ngdp-admin-types.ts makes of NgDP's OpenAPI file. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { TYPES, typesModule } from '../../scripts/ngdp-admin-types.ts';
import { SPEC } from '../../scripts/ngdp-operations.ts';
import { describeWith } from '../../test/support/requirements.ts';

/** The text as biome formats it (the generated file is formatted after it is written). */
function formatted(text: string): string {
  const biome = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));
  const result = spawnSync(biome, ['format', `--stdin-file-path=${fileURLToPath(TYPES)}`], {
    input: text,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`biome format failed: ${result.stderr}`);
  return result.stdout;
}

describeWith({ shared: ['spec/ngdp-openapi-1.68.json'] }, 'the admin DTO types', () => {
  it('are what the OpenAPI file makes (node scripts/ngdp-admin-types.ts, then biome format)', () => {
    const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
    expect(readFileSync(TYPES, 'utf8')).toBe(formatted(typesModule(spec)));
  });
});
