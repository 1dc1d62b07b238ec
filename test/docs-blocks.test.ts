/**
 * The code in README.md and docs/*.md works: every TypeScript block type-checks with the project's
 * settings and runs against a simulator, and every shell block that calls `digitalpost` (or talks to
 * a simulator) runs. A block that cannot run says so in the page, with the reason
 * (`<!-- docs-test: skip — … -->`, test/support/markdown-blocks.ts); README.md, "The code in these
 * pages", tells readers which names and files the blocks take as given.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DocsWorld,
  GIVEN_NAMES,
  givenValues,
  makeFolder,
  REPO,
  resetWorld,
  runShell,
  shellBlockRuns,
  slugOf,
  startDocsWorld,
  typeErrors,
  WORK,
  writeBlocks,
} from './support/docs-harness.ts';
import { runCollected, startCollecting } from './support/docs-vitest.ts';
import { type CodeBlock, codeBlocks } from './support/markdown-blocks.ts';
import { describeWith } from './support/requirements.ts';

const PAGES = [
  'README.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];
const BLOCKS = PAGES.flatMap((page) => codeBlocks(readFileSync(join(REPO, page), 'utf8'), page));
const TYPESCRIPT = BLOCKS.filter((block) => block.kind === 'ts');
const SHELL = BLOCKS.filter((block) => block.kind === 'shell' && shellBlockRuns(block.code));
/** Shell blocks that neither call the CLI nor talk to a simulator (npm, docker, benchmarks). */
const OTHER_SHELL = BLOCKS.filter(
  (block) => block.kind === 'shell' && block.skip === undefined && !shellBlockRuns(block.code),
);
const RUN = [...TYPESCRIPT, ...SHELL].filter((block) => block.skip === undefined);
const MARKED = BLOCKS.filter((block) => block.skip !== undefined);
const where = (block: CodeBlock): string => `${block.file}:${block.line}`;

let world: DocsWorld;
let typeCheck: Promise<string[]>;

/** Runs a TypeScript block as a module, with the given names as globals, in a folder of its own. */
async function runTypeScript(block: CodeBlock): Promise<void> {
  await resetWorld(world);
  const folder = await makeFolder(world, true);
  const { given, close } = await givenValues(world);
  const globals = globalThis as Record<string, unknown>;
  for (const name of GIVEN_NAMES) globals[name] = given[name];
  world.output.length = 0;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, method).mockImplementation((...data: unknown[]) => {
      world.output.push(data.map(String).join(' '));
    });
  const cwd = process.cwd();
  process.chdir(folder);
  process.env.CERT_PASSPHRASE = given.passphrase; // system.p12's, as the pages read it
  startCollecting();
  try {
    await import(pathToFileURL(join(WORK, 'run', `${slugOf(block)}.ts`)).href);
    await runCollected();
  } catch (error) {
    throw new Error(`${where(block)}: the block failed; it printed:\n${world.output.join('\n')}`, {
      cause: error,
    });
  } finally {
    process.chdir(cwd);
    delete process.env.CERT_PASSPHRASE;
    process.exitCode = undefined;
    vi.restoreAllMocks();
    for (const name of GIVEN_NAMES) delete globals[name];
    await close();
  }
}

describeWith(
  { tools: ['openssl', 'ssh-keygen', 'sftp', 'curl', 'tar', 'xz'] },
  'the code blocks of README.md and docs/',
  () => {
    beforeAll(async () => {
      world = await startDocsWorld();
      await writeBlocks(TYPESCRIPT, world);
      // tsc runs beside the blocks; its test, the last, waits for it.
      typeCheck = typeErrors(TYPESCRIPT);
      typeCheck.catch(() => {});
    });
    afterAll(() => world?.close());

    for (const page of PAGES) {
      const blocks = RUN.filter((block) => block.file === page).sort((a, b) => a.line - b.line);
      if (blocks.length === 0) continue;
      describe(page, () => {
        // A page's shell blocks run in order in one folder, like commands typed in one terminal.
        let folder: string;
        beforeAll(async () => {
          await resetWorld(world);
          folder = await makeFolder(world, false);
        });

        for (const block of blocks) {
          it(`runs the ${block.lang} block at line ${block.line}`, async () => {
            if (block.kind === 'ts') return runTypeScript(block);
            const run = await runShell(block.code, folder, world);
            if (run.code !== 0)
              throw new Error(
                `${where(block)}: the block exited with ${run.code}; it printed:\n${run.output}`,
              );
          });
        }
      });
    }

    it(`marks the ${MARKED.length} blocks it does not run, each with its reason`, () => {
      const listed = MARKED.map((block) => `${where(block)} (${block.lang}): ${block.skip}`);
      console.info(
        [
          `docs blocks: ${TYPESCRIPT.length} TypeScript type-checked, ${RUN.length} run ` +
            `(${RUN.filter((block) => block.kind === 'ts').length} TypeScript, ` +
            `${RUN.filter((block) => block.kind === 'shell').length} shell); ${OTHER_SHELL.length} shell blocks ` +
            `without digitalpost or a simulator in them (npm, docker, benchmarks) not run; ` +
            `${MARKED.length} marked as not run:`,
          ...listed,
        ].join('\n  '),
      );
      for (const block of MARKED) expect(block.skip, where(block)).not.toBe('');
    });

    it(`type-checks all ${TYPESCRIPT.length} TypeScript blocks with the project's settings`, async () => {
      expect(await typeCheck).toEqual([]);
    }, 120_000);
  },
);
