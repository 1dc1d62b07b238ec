/**
 * The answer of `POST /validations/`: NgDP's `ErrorMessage` as the 201 body, its `code` saying
 * whether the HTML is approved (`APPROVED`) or rejected (`REJECTED`), each finding a
 * `FieldErrorResource` (ngdp-api.md §3.6; the codes are the simulator's, docs/differences.md).
 */
import type { HtmlValidation } from '../engine/validations.ts';

export function validationJson(validation: HtmlValidation) {
  const { approved, findings, policy, fileName } = validation;
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.length - errors;
  const counted = (count: number, what: string): string => `${count} ${what}${count === 1 ? '' : 's'}`;
  return {
    code: approved ? 'APPROVED' : 'REJECTED',
    message: approved
      ? `the HTML is approved under the ${policy} policy${warnings > 0 ? ` with ${counted(warnings, 'warning')} (STRICT would reject them)` : ''}`
      : `the HTML is rejected under the ${policy} policy: ${counted(errors, 'problem')}${warnings > 0 ? ` and ${counted(warnings, 'warning')}` : ''}`,
    fieldErrors: findings.map((finding) => ({
      resource: fileName ?? 'html',
      field: finding.path === '' ? 'fileName' : finding.path,
      code: finding.code,
      message:
        finding.severity === 'warning'
          ? `${finding.message} (a warning: STRICT rejects it)`
          : finding.message,
      rejectedValue: finding.subject,
    })),
  };
}
