/**
 * A profile is its checks, its scenarios and a session that plays a scenario against the vendor's
 * system and hands back what it observed. `defineProfile` binds the three to the one loop every
 * profile shares — select, play, judge, fold — so that adding a profile is writing those three.
 */
import { InvalidOptionsError } from '../sdk/errors.ts';
import type { Check, CheckInfo, CheckResult, ProfileName, ScenarioInfo } from './model.ts';
import type { RunEvent, RunSettings } from './options.ts';
import { type Selection, scenariosFor, selectChecks } from './selection.ts';
import { Findings, resultsOf } from './verdicts.ts';

/** A running profile: what the run shares (the simulator, the vendor's system) across scenarios. */
export interface ProfileSession<S extends ScenarioInfo, O> {
  /** Plays `scenario` against the vendor's system and resolves to what was observed. */
  play(scenario: S): Promise<O>;
  /** Why a selected check that no played scenario judged is skipped (e.g. it needs push receipts). */
  unjudged(checkId: string): string;
  close(): Promise<void>;
}

/** What a profile is made of. */
export interface ProfileDefinition<S extends ScenarioInfo, O> {
  name: ProfileName;
  /** One line: the vendor's system in this role, and what the suite does to it. */
  summary: string;
  checks: readonly Check<O>[];
  scenarios: readonly S[];
  /** Whether a scenario is played in a run with these settings (default: every one). */
  plays?(scenario: S, settings: RunSettings): boolean;
  /**
   * Checks the settings that concern this profile and sets up what the run shares.
   *
   * @throws InvalidOptionsError for options the profile cannot run with.
   * @throws ConformanceSetupError when the run cannot be set up.
   */
  open(settings: RunSettings, scenarios: readonly S[]): Promise<ProfileSession<S, O>>;
}

/** A profile with its types put away: what the registry holds and `runConformance` runs. */
export interface Profile {
  name: ProfileName;
  summary: string;
  checks: readonly CheckInfo[];
  /** Selects from `settings`, plays the scenarios the selection needs, and judges them. */
  execute(settings: RunSettings): Promise<CheckResult[]>;
  /**
   * The selection `settings` make, checked before anything runs.
   *
   * @throws InvalidOptionsError for check or scenario names the profile does not have.
   */
  select(settings: Pick<RunSettings, 'only' | 'skip' | 'expectedFailures' | 'scenarios'>): Selection;
}

function checkCatalogue<S extends ScenarioInfo, O>(definition: ProfileDefinition<S, O>): void {
  const ids = new Set<string>();
  for (const check of definition.checks) {
    if (check.profile !== definition.name || !check.id.startsWith(`${definition.name}.`) || ids.has(check.id))
      throw new InvalidOptionsError(`profile ${definition.name}: check ${check.id} is misnamed or repeated`);
    ids.add(check.id);
  }
  for (const scenario of definition.scenarios) {
    const unknown = scenario.judges.filter((id) => !ids.has(id));
    if (unknown.length > 0)
      throw new InvalidOptionsError(
        `profile ${definition.name}: scenario ${scenario.id} judges unknown checks ${unknown.join(', ')}`,
      );
  }
}

/** Binds a profile's checks, scenarios and session to the shared loop. */
export function defineProfile<S extends ScenarioInfo, O>(definition: ProfileDefinition<S, O>): Profile {
  checkCatalogue(definition);
  const byId = new Map(definition.checks.map((check) => [check.id, check]));
  const select = (
    settings: Pick<RunSettings, 'only' | 'skip' | 'expectedFailures' | 'scenarios'>,
  ): Selection => {
    const unknown = (settings.scenarios ?? []).filter(
      (id) => !definition.scenarios.some((scenario) => scenario.id === id),
    );
    if (unknown.length > 0)
      throw new InvalidOptionsError(`profile ${definition.name} has no scenario ${unknown.join(', ')}`);
    return selectChecks(definition.checks, settings);
  };
  return {
    name: definition.name,
    summary: definition.summary,
    checks: definition.checks.map(({ id, profile, level, title, clause }) => ({
      id,
      profile,
      level,
      title,
      clause,
    })),
    select,
    async execute(settings) {
      const selection = select(settings);
      const scenarios = scenariosFor(definition.scenarios, selection.selected).filter(
        (scenario) =>
          (settings.scenarios === undefined || settings.scenarios.includes(scenario.id)) &&
          (definition.plays?.(scenario, settings) ?? true),
      );
      const session = await definition.open(settings, scenarios);
      const findings = new Findings();
      try {
        for (const [index, scenario] of scenarios.entries()) {
          emit(settings, {
            kind: 'scenario-start',
            scenario: scenario.id,
            title: scenario.title,
            index,
            total: scenarios.length,
          });
          const started = Date.now();
          const observation = await session.play(scenario);
          for (const id of scenario.judges) {
            const check = byId.get(id);
            if (check === undefined || !selection.selected.has(id)) continue;
            findings.add(id, { scenario: scenario.id, judgement: check.judge(observation) });
          }
          emit(settings, { kind: 'scenario-end', scenario: scenario.id, durationMs: Date.now() - started });
        }
      } finally {
        await session.close();
      }
      return resultsOf(definition.checks, selection, findings, (id) => session.unjudged(id));
    },
  };
}

function emit(settings: RunSettings, event: RunEvent): void {
  settings.onEvent?.(event);
}
