/**
 * From findings to statuses: every scenario's judgement of a check is folded into one status, with
 * the reasons and evidence of its failures, and expected failures applied.
 */
import type { CheckInfo, CheckResult, CheckStatus, ConformanceReport, Evidence, Judgement } from './model.ts';
import { NOT_APPLICABLE } from './model.ts';
import type { Selection } from './selection.ts';

/** What one scenario found for one check. */
export interface Finding {
  scenario: string;
  judgement: Judgement;
}

/** At most this many failure messages in a check's message, and evidence entries in its list. */
const MAX_MESSAGES = 5;
const MAX_EVIDENCE = 100;

/** Collects findings as scenarios are judged. */
export class Findings {
  private readonly byCheck = new Map<string, Finding[]>();

  add(checkId: string, finding: Finding): void {
    const list = this.byCheck.get(checkId) ?? [];
    list.push(finding);
    this.byCheck.set(checkId, list);
  }

  of(checkId: string): readonly Finding[] {
    return this.byCheck.get(checkId) ?? [];
  }
}

function failedResult(findings: readonly Finding[]): { message: string; evidence: Evidence[] } | undefined {
  const failures = findings.flatMap(({ scenario, judgement }) =>
    judgement === NOT_APPLICABLE ? [] : judgement.map((failure) => ({ scenario, failure })),
  );
  if (failures.length === 0) return undefined;
  const messages = failures
    .slice(0, MAX_MESSAGES)
    .map(({ scenario, failure }) => `[${scenario}] ${failure.message}`);
  if (failures.length > MAX_MESSAGES) messages.push(`(${failures.length - MAX_MESSAGES} more)`);
  const evidence = failures.flatMap(({ scenario, failure }) =>
    failure.evidence.map((entry) => ({
      ...entry,
      note: `[${scenario}]${entry.note ? ` ${entry.note}` : ''}`,
    })),
  );
  return { message: messages.join('; '), evidence: evidence.slice(0, MAX_EVIDENCE) };
}

/**
 * The status of each check of `catalogue`, in catalogue order.
 *
 * @param unjudged why a selected check that no scenario judged is skipped (e.g. it needs push receipts).
 */
export function resultsOf(
  catalogue: readonly CheckInfo[],
  selection: Selection,
  findings: Findings,
  unjudged: (id: string) => string,
): CheckResult[] {
  return catalogue.map((info) => {
    const base = {
      id: info.id,
      profile: info.profile,
      level: info.level,
      title: info.title,
      clause: info.clause,
    };
    const skippedWhy = selection.skipped.get(info.id);
    if (skippedWhy !== undefined) return { ...base, status: 'skipped', message: skippedWhy, evidence: [] };
    const findingsOfCheck = findings.of(info.id);
    const judged = findingsOfCheck.filter((finding) => finding.judgement !== NOT_APPLICABLE);
    if (judged.length === 0) return { ...base, status: 'skipped', message: unjudged(info.id), evidence: [] };
    const expected = selection.expectedFailures.has(info.id);
    const failed = failedResult(judged);
    if (failed !== undefined) {
      const status: CheckStatus = expected ? 'xfailed' : 'failed';
      return { ...base, status, message: failed.message, evidence: failed.evidence };
    }
    const scenarios = [...new Set(judged.map((finding) => finding.scenario))];
    const held = `held in ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} (${scenarios.join(', ')})`;
    return expected
      ? { ...base, status: 'xpassed', message: `expected to fail, but ${held}`, evidence: [] }
      : { ...base, status: 'passed', message: held, evidence: [] };
  });
}

/** How many checks have each status. */
export function summaryOf(checks: readonly CheckResult[]): ConformanceReport['summary'] {
  const count = (status: CheckStatus): number => checks.filter((check) => check.status === status).length;
  return {
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    xfailed: count('xfailed'),
    xpassed: count('xpassed'),
  };
}
