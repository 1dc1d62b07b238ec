/**
 * Which checks a run judges (`--only`, `--skip`), which failures it expects (`--expected-failures`),
 * and the scenarios the selected checks need. Names that match no check are refused: a typo must
 * not silently turn a gate off.
 */
import { InvalidOptionsError } from '../sdk/errors.ts';
import type { CheckInfo, ScenarioInfo } from './model.ts';

/**
 * The ids of `checks` that `patterns` name: exact ids, or a group ending in `.*`
 * (`sender.retry.*`).
 *
 * @throws InvalidOptionsError for a pattern that names no check.
 */
export function matchIds(
  checks: readonly CheckInfo[],
  patterns: readonly string[],
  option: string,
): Set<string> {
  const matched = new Set<string>();
  for (const pattern of patterns) {
    const group = pattern.endsWith('.*') ? pattern.slice(0, -1) : undefined;
    const hits = checks.filter((check) =>
      group === undefined ? check.id === pattern : check.id.startsWith(group),
    );
    if (hits.length === 0)
      throw new InvalidOptionsError(`${option}: no check of the profile is named ${pattern}`);
    for (const hit of hits) matched.add(hit.id);
  }
  return matched;
}

/** What a run judges and expects. */
export interface Selection {
  /** The ids to judge, in catalogue order. */
  selected: ReadonlySet<string>;
  /** Why each of the others is skipped. */
  skipped: ReadonlyMap<string, string>;
  /** Ids whose failure does not fail the run (an expected failure that passes does). */
  expectedFailures: ReadonlySet<string>;
}

export interface SelectionOptions {
  only?: readonly string[];
  skip?: readonly string[];
  expectedFailures?: readonly string[];
}

/** The selection `options` make of `checks`. @throws InvalidOptionsError for unknown names. */
export function selectChecks(checks: readonly CheckInfo[], options: SelectionOptions): Selection {
  const only = options.only === undefined ? undefined : matchIds(checks, options.only, '--only');
  const skip = matchIds(checks, options.skip ?? [], '--skip');
  const expectedFailures = matchIds(checks, options.expectedFailures ?? [], '--expected-failures');
  const selected = new Set<string>();
  const skipped = new Map<string, string>();
  for (const check of checks) {
    if (only !== undefined && !only.has(check.id)) skipped.set(check.id, 'not selected (--only)');
    else if (skip.has(check.id)) skipped.set(check.id, 'skipped (--skip)');
    else selected.add(check.id);
  }
  return { selected, skipped, expectedFailures };
}

/** The scenarios that judge at least one selected check, in their order. */
export function scenariosFor<S extends ScenarioInfo>(
  scenarios: readonly S[],
  selected: ReadonlySet<string>,
): S[] {
  return scenarios.filter((scenario) => scenario.judges.some((id) => selected.has(id)));
}

/**
 * The check ids of an expected-failures file: one per line; `#` starts a comment; blank lines are
 * ignored.
 */
export function parseExpectedFailures(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}
