/**
 * The contract test (a setup file of the unit project, vitest.config.ts): every answer any test
 * receives from an in-process simulator's `/apis/v1` is held against NgDP's OpenAPI file
 * (`contract.ts`), and a test during which one broke it fails after it ran, naming the operation,
 * the status, where in the body and what. Simulators in child processes or containers are not seen
 * (docs/simulator.md, "The contract test").
 *
 * Without `../shared/spec` the check cannot run: in CI every test that received an answer fails,
 * elsewhere nothing is checked.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterAll, afterEach } from 'vitest';
import { API_RESPONSES_CHANNEL, type ApiResponseMessage } from '../../simulator/http/api-responses.ts';
import { type ContractChecker, loadContractChecker, OPENAPI_SPEC } from './contract.ts';
import { missingInCi, verdict } from './requirements.ts';
import { sharedPath } from './shared.ts';

const FOUND = Symbol.for('digitalpost.contract-problems');

/** The problems found since the last test ended; on globalThis, so any copy of this module shares them. */
const shared = globalThis as { [FOUND]?: string[] };
const found: string[] = shared[FOUND] ?? [];
shared[FOUND] = found;

let checker: ContractChecker | Error | undefined;

function check(answer: ApiResponseMessage): string[] {
  if (checker === undefined) {
    const outcome = verdict({ shared: [OPENAPI_SPEC] });
    if (outcome.kind === 'skip') return [];
    checker =
      outcome.kind === 'fail'
        ? missingInCi(`the contract test cannot run: ${outcome.reason}`)
        : loadContractChecker(sharedPath(OPENAPI_SPEC) as string);
  }
  return checker instanceof Error ? [checker.message] : checker.problems(answer);
}

/** The subscriber: checks each answer told on the channel. */
export function onApiResponse(message: unknown): void {
  try {
    found.push(...check(message as ApiResponseMessage));
  } catch (error) {
    found.push(`the contract test failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

diagnosticsChannel.subscribe(API_RESPONSES_CHANNEL, onApiResponse);

/** Takes the problems found so far, so that a test that provokes them on purpose can look at them. */
export function takeContractProblems(): string[] {
  return found.splice(0);
}

function failOnProblems(): void {
  const problems = [...new Set(takeContractProblems())];
  if (problems.length === 0) return;
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : '';
  throw new Error(
    `answers of /apis/v1 broke NgDP's OpenAPI 1.68.0 (test/support/contract.ts):\n${shown.join('\n')}${more}`,
  );
}

afterEach(failOnProblems);
afterAll(failOnProblems);
