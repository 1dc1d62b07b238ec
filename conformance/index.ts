/**
 * `digitalpost/conformance`: the conformance suite — does a vendor's system behave as NgDP requires,
 * also when NgDP misbehaves? `runConformance` drives the system against the simulator and resolves
 * to the report; `listChecks` is the catalogue; the reporters write the report as console text,
 * JSON, JUnit XML and a self-contained HTML page. docs/conformance.md has the rest.
 *
 * @packageDocumentation
 */
export { ConformanceSetupError, InvalidOptionsError } from '../sdk/errors.ts';
export {
  type CheckInfo,
  type CheckResult,
  type CheckStatus,
  type ConformanceReport,
  type Evidence,
  exitCodeOf,
  type Level,
  PROFILE_NAMES,
  type ProfileName,
} from './model.ts';
export type { ConformanceOptions, RunEvent } from './options.ts';
export { PROXY_CHECKS, type ProxyOptions, type RunningProxy, startConformanceProxy } from './proxy.ts';
export { type ConsoleReportOptions, formatConsoleReport } from './reporters/console.ts';
export { formatHtmlReport } from './reporters/html.ts';
export { formatJsonReport } from './reporters/json.ts';
export { formatJUnitReport } from './reporters/junit.ts';
export { listChecks, runConformance } from './run.ts';
export {
  type ClockState,
  type ContactRegistration,
  ControlClient,
  type ControlRefusal,
  type FaultRuleInput,
  isControlRefusal,
  type MailboxEntry,
  type MessageState,
  type SystemSummary,
} from './runner/control.ts';
export { parseExpectedFailures } from './selection.ts';
