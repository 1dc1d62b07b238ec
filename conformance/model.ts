/**
 * The conformance suite's vocabulary: profiles, checks, scenarios, what a check finds, and the
 * report. A **profile** is a role a vendor's system plays towards NgDP (`sender`, …). It has a
 * catalogue of **checks** — each a requirement with a stable id, a level and the clause it comes
 * from — and **scenarios**, each of which drives the vendor's system through one situation and
 * declares the checks it judges. A check's `judge` looks at what one scenario observed and says
 * what it found; the runner folds the findings of every scenario into one status per check.
 */

/** The roles a vendor's system can be checked in (docs/conformance.md). */
export const PROFILE_NAMES = [
  'sender',
  'sender-sftp',
  'recipient-pull',
  'recipient-push',
  'recipient-pubsub',
] as const;

export type ProfileName = (typeof PROFILE_NAMES)[number];

/** MUST: failing it fails the run. SHOULD: failing it is a warning. */
export type Level = 'MUST' | 'SHOULD';

/** What `conformance list` prints for each check (one JSON object per line with `--json`). */
export interface CheckInfo {
  /** Stable, dotted, starting with the profile: `sender.retry.same-uuid`. */
  id: string;
  profile: ProfileName;
  level: Level;
  /** The requirement, as a sentence about the vendor's system. */
  title: string;
  /**
   * Where the requirement comes from: a section of NgDP's guide or API, an OpenAPI operation, a
   * MeMo rule, the suite's protocol — or `interpreted: see differences.md` where NgDP is silent.
   */
  clause: string;
}

/**
 * One thing a report points at: a request the vendor's system made (or NgDP made to it), a MeMo
 * problem, a report line. The fields are those of the JSON report (conformance.md, "Reports").
 */
export interface Evidence {
  /** When, as an ISO date-time (wall clock). */
  at?: string;
  method?: string;
  path?: string;
  /** The answer's status; null when there was none (a lost answer). */
  status?: number | null;
  messageUUID?: string | null;
  note?: string;
}

/** One way a scenario found a check broken. */
export interface Failure {
  message: string;
  evidence: Evidence[];
}

/** The scenario did not present what the check looks at (e.g. push checks in a pull run). */
export const NOT_APPLICABLE = 'not-applicable' as const;

/** What a check found in one scenario: its failures (none: it holds), or not applicable. */
export type Judgement = readonly Failure[] | typeof NOT_APPLICABLE;

/** A check of a profile whose scenarios observe `O`. */
export interface Check<O> extends CheckInfo {
  judge(observation: O): Judgement;
}

/** What every scenario declares; a profile's scenarios add what its runner needs. */
export interface ScenarioInfo {
  /** Stable, short, kebab-case: also given to the vendor's adapter (`"scenario"` in its file). */
  id: string;
  /** What the scenario puts the vendor's system through, in a sentence. */
  title: string;
  /** The ids of the checks this scenario judges. The runner plays only scenarios a selected check needs. */
  judges: readonly string[];
}

/** The status of a check in a report. */
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'xfailed' | 'xpassed';

/** One check in a report. */
export interface CheckResult extends CheckInfo {
  status: CheckStatus;
  /** Why it failed, was skipped, or in how many scenarios it passed. */
  message: string;
  evidence: Evidence[];
}

/** The JSON report (conformance.md, "Reports"); `runConformance` resolves to it. */
export interface ConformanceReport {
  tool: 'digitalpost';
  version: string;
  profile: ProfileName;
  seed: number;
  certify: boolean;
  chaos: boolean;
  /** ISO date-time. */
  startedAt: string;
  durationMs: number;
  summary: { passed: number; failed: number; skipped: number; xfailed: number; xpassed: number };
  checks: CheckResult[];
}

/** The exit code of `conformance run` for a report: 0 every MUST check held, 1 otherwise. */
export function exitCodeOf(report: Pick<ConformanceReport, 'checks'>): 0 | 1 {
  const failing = report.checks.some(
    (check) => check.status === 'xpassed' || (check.status === 'failed' && check.level === 'MUST'),
  );
  return failing ? 1 : 0;
}
