/** The JSON report (conformance.md, "Reports"): the report object, as JSON text. */
import { printableJson } from '../../sdk/support/printable.ts';
import type { ConformanceReport } from '../model.ts';

/**
 * `report` as indented JSON, with the characters JSON leaves raw (DEL, C1, bidirectional controls)
 * escaped: it parses to the same value and prints harmlessly. (The line breaks between lines are
 * the layout's own: JSON escapes every one inside a string.)
 */
export function formatJsonReport(report: ConformanceReport): string {
  const lines = JSON.stringify(report, null, 2).split('\n');
  return `${lines.map(printableJson).join('\n')}\n`;
}
