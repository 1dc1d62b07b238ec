/**
 * The console report: one line per check, then each failure with its reason and evidence, then the
 * summary line `N passed, N failed, N skipped` (conformance.md, "Command line"). Text from the
 * vendor's side (stderr, report lines) is shown with control characters escaped.
 */
import { printable } from '../../sdk/support/printable.ts';
import type { CheckResult, CheckStatus, ConformanceReport, Evidence } from '../model.ts';

export interface ConsoleReportOptions {
  /** The command line that repeats this run, printed under a failing run. */
  rerun?: string;
  /** At most this many evidence lines per failure (default 20). */
  maxEvidence?: number;
}

const LABELS: Readonly<Record<CheckStatus, string>> = {
  passed: 'PASS',
  failed: 'FAIL',
  skipped: 'SKIP',
  xfailed: 'XFAIL',
  xpassed: 'XPASS',
};

/** One line of evidence: `12:00:01.123 POST /apis/v1/memos/ → 503 3f2b… note`. */
export function evidenceLine(entry: Evidence): string {
  const time = entry.at === undefined ? '' : `${entry.at.slice(11, 23)} `;
  const request =
    entry.method === undefined && entry.path === undefined
      ? ''
      : `${entry.method ?? ''} ${entry.path ?? ''} `;
  const status = entry.status === undefined ? '' : `→ ${entry.status ?? 'no answer'} `;
  const uuid = entry.messageUUID ? `${entry.messageUUID} ` : '';
  return printable(`${time}${request}${status}${uuid}${entry.note ?? ''}`.trim());
}

function checkLine(check: CheckResult): string {
  const warning = check.status === 'failed' && check.level === 'SHOULD' ? ' (SHOULD: a warning)' : '';
  return `${LABELS[check.status].padEnd(5)} ${check.id}  ${check.title}${warning}`;
}

function failureBlock(check: CheckResult, maxEvidence: number): string[] {
  const lines = [
    `${LABELS[check.status]} ${check.id} [${check.level}] — ${check.clause}`,
    `  ${printable(check.message)}`,
  ];
  for (const entry of check.evidence.slice(0, maxEvidence)) lines.push(`    ${evidenceLine(entry)}`);
  if (check.evidence.length > maxEvidence)
    lines.push(`    … ${check.evidence.length - maxEvidence} more in the JSON or HTML report`);
  return lines;
}

/** The summary line, with expected failures and passes when there are any. */
export function summaryLine(summary: ConformanceReport['summary']): string {
  const extra = [
    ...(summary.xfailed > 0 ? [`${summary.xfailed} xfailed`] : []),
    ...(summary.xpassed > 0 ? [`${summary.xpassed} xpassed`] : []),
  ];
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}

/** The console report of `report`, as lines ending in a newline. */
export function formatConsoleReport(report: ConformanceReport, options: ConsoleReportOptions = {}): string {
  const maxEvidence = options.maxEvidence ?? 20;
  const lines = [
    `digitalpost conformance ${report.version} — profile ${report.profile}, seed ${report.seed}, chaos ${report.chaos ? 'on' : 'off'}${report.certify ? ', certify' : ''}`,
    '',
    ...report.checks.map(checkLine),
  ];
  const failing = report.checks.filter((check) => check.status === 'failed' || check.status === 'xpassed');
  if (failing.length > 0) {
    lines.push('', 'Failures:');
    for (const check of failing) lines.push('', ...failureBlock(check, maxEvidence));
  }
  lines.push('', summaryLine(report.summary));
  if (failing.length > 0 && options.rerun !== undefined) lines.push(`Repeat this run: ${options.rerun}`);
  return `${lines.join('\n')}\n`;
}
