/**
 * The boundaries of docs/architecture.md, checked on every import of every source file, so that
 * the page cannot drift from the code: what each layer may import, and what it may not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every non-test TypeScript file under `folder`, relative to the repository. */
function sources(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) found.push(path);
    }
  };
  walk(folder);
  return found;
}

/** What a file imports: repository-relative paths for relative imports, package names otherwise. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map(
    (m) => m[1] as string,
  );
  return specifiers.map((specifier) =>
    specifier.startsWith('.') ? relative(root, resolve(dirname(join(root, file)), specifier)) : specifier,
  );
}

/** The imports of the files under `folder` that break `allowed`, as `file → import` lines. */
function violations(folder: string, allowed: (target: string, file: string) => boolean): string[] {
  return sources(folder).flatMap((file) =>
    importsOf(file)
      .filter((target) => !allowed(target, file))
      .map((target) => `${file} → ${target}`),
  );
}

const under = (target: string, ...folders: string[]): boolean =>
  folders.some((folder) => target === folder || target.startsWith(`${folder}/`));
describe('the layers import only what docs/architecture.md allows', () => {
  it('sdk never imports the simulator, the CLI or the testing helpers', () => {
    expect(
      violations(
        'sdk',
        (target) => !under(target, 'simulator', 'cli', 'testing', 'testcontainers', 'conformance'),
      ),
    ).toEqual([]);
  });

  it("simulator/domain is pure: NgDP's vocabulary, the MeMo model and node built-ins only", () => {
    expect(
      violations(
        'simulator/domain',
        (target) =>
          under(target, 'simulator/domain', 'sdk/ngdp', 'sdk/memo') ||
          target === 'sdk/errors.ts' ||
          target.startsWith('node:'),
      ),
    ).toEqual([]);
  });

  it('simulator/engine uses the domain, the store interface and its own modules — no HTTP, SSH or wire shapes', () => {
    expect(
      violations(
        'simulator/engine',
        (target) =>
          under(target, 'simulator/engine', 'simulator/domain', 'sdk/ngdp', 'sdk/memo') ||
          ['simulator/store/store.ts', 'simulator/clock.ts', 'sdk/errors.ts'].includes(target) ||
          target.startsWith('node:'),
      ),
    ).toEqual([]);
  });

  it('the adapters (http, sftp, wire) call use cases: they never import the store or the engine context', () => {
    const adapter = (target: string): boolean =>
      !under(target, 'simulator/store') &&
      ![
        'simulator/engine/context.ts',
        'simulator/engine/settings.ts',
        'simulator/engine/scheduler.ts',
      ].includes(target);
    expect([
      ...violations('simulator/http', adapter),
      ...violations('simulator/sftp', adapter),
      ...violations('simulator/wire', adapter),
    ]).toEqual([]);
  });

  it('simulator/threads implements the MeMo work port: the port, the domain and the MeMo library only', () => {
    expect(
      violations(
        'simulator/threads',
        (target) =>
          under(target, 'simulator/threads', 'simulator/domain', 'sdk/memo') ||
          ['simulator/engine/memo-work.ts', 'simulator/engine/memory-budget.ts', 'sdk/errors.ts'].includes(
            target,
          ) ||
          target.startsWith('node:'),
      ),
    ).toEqual([]);
  });

  it('the engine and the domain never import an adapter', () => {
    const notAdapter = (target: string): boolean =>
      !under(target, 'simulator/http', 'simulator/sftp', 'simulator/wire', 'simulator/threads');
    expect([
      ...violations('simulator/engine', notAdapter),
      ...violations('simulator/domain', notAdapter),
    ]).toEqual([]);
  });

  it('the simulator uses of the SDK only its vocabulary, MeMo model, errors and shared support', () => {
    expect(
      violations(
        'simulator',
        (target) =>
          !under(target, 'sdk') ||
          under(target, 'sdk/ngdp', 'sdk/memo', 'sdk/support') ||
          target === 'sdk/errors.ts',
      ),
    ).toEqual([]);
  });

  it('conformance drives the simulator from outside: its public entry only, never the engine or the CLI', () => {
    expect(
      violations(
        'conformance',
        (target) =>
          !under(target, 'cli', 'testing') &&
          (!under(target, 'simulator') || target === 'simulator/index.ts'),
      ),
    ).toEqual([]);
  });

  it('the CLI uses the conformance suite through its public entry', () => {
    expect(
      violations('cli', (target) => !under(target, 'conformance') || target === 'conformance/index.ts'),
    ).toEqual([]);
  });

  it("testcontainers drives the image from outside: the SDK, the sim start variables and the simulator's types only", () => {
    const simulatorCode = sources('testcontainers').flatMap((file) =>
      [
        ...readFileSync(join(root, file), 'utf8').matchAll(
          /^\s*(import|export)(\s+type)?\s[^;]*?from\s+'([^']+)'/gms,
        ),
      ]
        .filter((m) => m[2] === undefined && (m[3] as string).includes('/simulator/'))
        .map((m) => `${file} → ${m[3]} (not type-only)`),
    );
    expect([
      ...violations(
        'testcontainers',
        (target) =>
          !under(target, 'cli', 'testing', 'conformance', 'simulator') ||
          target === 'cli/commands/sim-env.ts' ||
          target === 'simulator/index.ts',
      ),
      ...simulatorCode,
    ]).toEqual([]);
  });

  it('finds the imports it checks (the checker itself works)', () => {
    expect(importsOf('simulator/engine/engine.ts')).toContain('simulator/engine/intake.ts');
    expect(importsOf('simulator/http/app.ts')).toContain('express');
  });
});
