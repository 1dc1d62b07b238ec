/**
 * The JUnit XML report (conformance.md, "Reports"): one `<testsuite>` per profile, one
 * `<testcase classname="profile" name="id title">` per check, `<failure message>` with the reason
 * and the evidence, `<skipped/>`. An expected failure is shown as skipped (it does not fail the
 * run); a SHOULD failure as a failure of type `SHOULD` (a warning: the run's exit code stays 0).
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckResult, ConformanceReport } from '../model.ts';
import { evidenceLine } from './console.ts';
import { safeText } from './text.ts';

/** `text` made safe for an XML document. */
const xmlSafe = safeText;

function testcase(check: CheckResult): Record<string, unknown> {
  const base = {
    '@_classname': check.profile,
    '@_name': xmlSafe(`${check.id} ${check.title}`),
    '@_time': '0',
  };
  const details = [check.message, ...check.evidence.map((entry) => `  ${evidenceLine(entry)}`)].join('\n');
  switch (check.status) {
    case 'failed':
      return {
        ...base,
        failure: { '@_message': xmlSafe(check.message), '@_type': check.level, '#text': xmlSafe(details) },
      };
    case 'xpassed':
      return {
        ...base,
        failure: { '@_message': xmlSafe(check.message), '@_type': 'XPASS', '#text': xmlSafe(details) },
      };
    case 'xfailed':
      return { ...base, skipped: { '@_message': xmlSafe(`expected failure: ${check.message}`) } };
    case 'skipped':
      return { ...base, skipped: { '@_message': xmlSafe(check.message) } };
    case 'passed':
      return base;
  }
}

/** The JUnit XML report of `report`. */
export function formatJUnitReport(report: ConformanceReport): string {
  const failures = report.checks.filter(
    (check) => check.status === 'failed' || check.status === 'xpassed',
  ).length;
  const skipped = report.checks.filter(
    (check) => check.status === 'skipped' || check.status === 'xfailed',
  ).length;
  const time = (report.durationMs / 1000).toFixed(3);
  const counts = {
    '@_tests': report.checks.length,
    '@_failures': failures,
    '@_errors': 0,
    '@_skipped': skipped,
    '@_time': time,
  };
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'digitalpost conformance',
      ...counts,
      testsuite: {
        '@_name': report.profile,
        ...counts,
        '@_timestamp': report.startedAt,
        properties: {
          property: [
            { '@_name': 'seed', '@_value': String(report.seed) },
            { '@_name': 'chaos', '@_value': String(report.chaos) },
            { '@_name': 'certify', '@_value': String(report.certify) },
            { '@_name': 'version', '@_value': report.version },
          ],
        },
        testcase: report.checks.map(testcase),
      },
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
    // Otherwise an attribute whose value is "true" is written bare, which is not XML.
    suppressBooleanAttributes: false,
  });
  return builder.build(document) as string;
}
