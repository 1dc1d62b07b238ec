/**
 * What a test needs from the machine beyond Node — tools on the PATH, files in `../shared` — and the
 * one rule for when they are missing. In CI (`CI` set) such a test fails, naming what is missing:
 * CI must never be green with, say, the differential test against the official schemas not run. In
 * a user's clone (`CI` unset) it is skipped, with the reason in its name.
 *
 * Use `describeWith` or `itWith` instead of `describe.skipIf` / `it.skipIf` for every such test, or
 * `needs(context, …)` first thing in a test, so the rule is written here once. When the requirements
 * are met nothing is listed as skipped.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it, type TestContext, type TestFunction } from 'vitest';
import { sharedDir, sharedPath } from './shared.ts';
import tools from './tools.json' with { type: 'json' };

export interface Requirements {
  /** Commands that must be on the PATH, e.g. `['xmllint']`. */
  tools?: readonly string[];
  /** Paths inside `../shared` that must exist, e.g. `['xsd/memo-1.1/MeMo_core.xsd']`. */
  shared?: readonly string[];
  /**
   * A Docker image that must be there, on a Docker engine that answers (the `docker` client on the
   * PATH, the engine running): the container tests' image, e.g. `digitalpost-simulator:test`.
   */
  dockerImage?: string;
}

/** What the Docker requirement looks at; the engine is asked once per process. */
export interface DockerProbe {
  /** Why no Docker engine answers, or undefined when one does. */
  engineDown(): string | undefined;
  hasImage(name: string): boolean;
}

/** What the rule looks at: the PATH, where `../shared` is (if anywhere), and whether this is CI. */
export interface Machine {
  path: string;
  sharedDir: string | undefined;
  ci: boolean;
  /** The Docker engine (default: this machine's, through the `docker` client). */
  docker?: DockerProbe;
}

let engineAnswer: { down: string | undefined } | undefined;

/** This machine's Docker engine, asked through the `docker` client. */
export const localDocker: DockerProbe = {
  engineDown() {
    if (engineAnswer === undefined) {
      const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
        encoding: 'utf8',
        timeout: 15_000,
      });
      const said = `${info.stderr ?? ''}`.trim().split('\n')[0] ?? '';
      engineAnswer = {
        down:
          info.status === 0
            ? undefined
            : `no Docker engine answers (docker info: ${said || info.error?.message || `exit ${info.status}`}; .ci/run starts one)`,
      };
    }
    return engineAnswer.down;
  },
  hasImage(name) {
    return spawnSync('docker', ['image', 'inspect', name], { stdio: 'ignore', timeout: 15_000 }).status === 0;
  },
};

/** `CI` counts as set unless empty, `0` or `false` (how CI services and people switch it off). */
export function isCi(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false'].includes(value.trim().toLowerCase());
}

export const thisMachine: Machine = {
  path: process.env.PATH ?? '',
  sharedDir,
  ci: isCi(process.env.CI),
};

/**
 * The Debian package that brings each tool, named in the reason so the fix is one line. `.ci/run`
 * installs what this table names: a test that needs a new tool adds it here.
 */
const DEBIAN_PACKAGES: Readonly<Record<string, string>> = tools;

/** Whether `tool` is an executable file in one of the folders of `path`. */
export function onPath(tool: string, path: string): boolean {
  return path
    .split(delimiter)
    .filter((folder) => folder !== '')
    .some((folder) => {
      const file = join(folder, tool);
      try {
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

function listed(names: string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Why `requirements` are not met on `machine`, in one line, or undefined when they are. */
export function unmet(requirements: Requirements, machine: Machine = thisMachine): string | undefined {
  const reasons: string[] = [];
  const tools = (requirements.tools ?? []).filter((tool) => !onPath(tool, machine.path));
  if (tools.length > 0) {
    const named = tools.map((tool) =>
      DEBIAN_PACKAGES[tool] ? `${tool} (Debian: ${DEBIAN_PACKAGES[tool]})` : tool,
    );
    reasons.push(`${listed(named)} ${tools.length === 1 ? 'is' : 'are'} not on the PATH`);
  }
  if (requirements.dockerImage !== undefined && !onPath('docker', machine.path)) {
    reasons.push(`docker (Debian: ${DEBIAN_PACKAGES.dockerd}) is not on the PATH`);
  } else if (requirements.dockerImage !== undefined) {
    const docker = machine.docker ?? localDocker;
    const down = docker.engineDown();
    if (down !== undefined) reasons.push(down);
    else if (!docker.hasImage(requirements.dockerImage))
      reasons.push(
        `the image ${requirements.dockerImage} is not built (scripts/container-image.sh builds it)`,
      );
  }
  const shared = requirements.shared ?? [];
  if (shared.length > 0 && machine.sharedDir === undefined) {
    reasons.push('../shared (the specs, official schemas and examples beside the repository) is absent');
  } else if (machine.sharedDir !== undefined) {
    const absent = shared.filter((path) => sharedPath(path, machine.sharedDir) === undefined);
    if (absent.length > 0) reasons.push(`${listed(absent.map((path) => `../shared/${path}`))} not found`);
  }
  return reasons.length === 0 ? undefined : reasons.join('; ');
}

/** What to do with a test: run it, or (its requirements unmet) fail it in CI or skip it elsewhere. */
export type Verdict = { kind: 'run' } | { kind: 'fail' | 'skip'; reason: string };

export function verdict(requirements: Requirements, machine: Machine = thisMachine): Verdict {
  const reason = unmet(requirements, machine);
  if (reason === undefined) return { kind: 'run' };
  return { kind: machine.ci ? 'fail' : 'skip', reason };
}

/** The error a test fails with in CI when its requirements are unmet. */
export function missingInCi(reason: string): Error {
  return new Error(
    `${reason}. CI runs every test, so a missing tool or ../shared is a failure here, not a skip ` +
      '(.ci/run installs the tools when it runs as root; outside CI, with CI unset, this test is skipped)',
  );
}

/** One test in place of the block or test that cannot run: failing in CI, skipped elsewhere. */
function standIn(title: string, outcome: Exclude<Verdict, { kind: 'run' }>): void {
  if (outcome.kind === 'skip') {
    it.skip(`${title} (skipped: ${outcome.reason})`, () => {});
    return;
  }
  it(title, () => {
    throw missingInCi(outcome.reason);
  });
}

/**
 * `describe(title, body)` when `requirements` are met. Otherwise `body` is not run at all (so it may
 * assume the tools and files): one test stands in for the block, failing in CI, skipped elsewhere.
 */
export function describeWith(requirements: Requirements, title: string, body: () => void): void {
  const outcome = verdict(requirements);
  if (outcome.kind === 'run') describe(title, body);
  else standIn(title, outcome);
}

/** `it(name, body, timeout)` when `requirements` are met; otherwise as `describeWith`. */
export function itWith(requirements: Requirements, name: string, body: TestFunction, timeout?: number): void {
  const outcome = verdict(requirements);
  if (outcome.kind === 'run') it(name, body, timeout);
  else standIn(name, outcome);
}

/**
 * First thing in a test (`it('…', async (context) => { needs(context, { tools: ['xz'] }); … })`): when
 * `requirements` are unmet it stops the test here, failing in CI, skipped with the reason elsewhere.
 */
export function needs(context: Pick<TestContext, 'skip'>, requirements: Requirements): void {
  const outcome = verdict(requirements);
  if (outcome.kind === 'fail') throw missingInCi(outcome.reason);
  if (outcome.kind === 'skip') context.skip(outcome.reason);
}
