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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, inject } from 'vitest';
import { matchNgdp } from '../../sdk/ngdp/operations.ts';
import { API_RESPONSES_CHANNEL, type ApiResponseMessage } from '../../simulator/http/api-responses.ts';
import { type ContractChecker, loadContractChecker, OPENAPI_SPEC } from './contract.ts';
import { missingInCi, verdict } from './requirements.ts';
import { sharedPath } from './shared.ts';

/**
 * What the check keeps for the whole worker process. The channel is the process's, and setup files
 * run again for every test file (each with fresh modules): one listener, one list of problems, one
 * checker, kept on globalThis, so that a second test file in the same worker does not add a second
 * listener.
 */
interface ContractState {
  found: string[];
  /**
   * The operations that answered 2xx or 3xx (not a fault rule's answer) since the last test file
   * ended.
   */
  seen: Set<string>;
  checker: ContractChecker | Error | undefined;
  listener: (message: unknown) => void;
}

const STATE = Symbol.for('digitalpost.contract-test');
const global = globalThis as { [STATE]?: ContractState };

function check(state: ContractState, answer: ApiResponseMessage): string[] {
  if (state.checker === undefined) {
    const outcome = verdict({ shared: [OPENAPI_SPEC] });
    if (outcome.kind === 'skip') return [];
    state.checker =
      outcome.kind === 'fail'
        ? missingInCi(`the contract test cannot run: ${outcome.reason}`)
        : loadContractChecker(sharedPath(OPENAPI_SPEC) as string);
  }
  return state.checker instanceof Error ? [state.checker.message] : state.checker.problems(answer);
}

function noteSeen(state: ContractState, answer: ApiResponseMessage): void {
  // A success or a redirect (OAuth's authorization step answers 303): the operation did its work.
  if (answer.status < 200 || answer.status > 399 || answer.fault !== null) return;
  const match = matchNgdp(answer.method, answer.path);
  if (match.kind === 'operation') state.seen.add(match.operation.operationId);
}

function started(): ContractState {
  const existing = global[STATE];
  if (existing !== undefined) return existing;
  const state: ContractState = {
    found: [],
    seen: new Set(),
    checker: undefined,
    listener: (message) => {
      try {
        noteSeen(state, message as ApiResponseMessage);
        state.found.push(...check(state, message as ApiResponseMessage));
      } catch (error) {
        state.found.push(
          `the contract test failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
  };
  global[STATE] = state;
  diagnosticsChannel.subscribe(API_RESPONSES_CHANNEL, state.listener);
  return state;
}

const state = started();

/** The process's listener on the channel (a test may take it off for a moment). */
export const contractListener = state.listener;

/** Takes the problems found so far, so that a test that provokes them on purpose can look at them. */
export function takeContractProblems(): string[] {
  return state.found.splice(0);
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

/**
 * Writes the operations this test file saw answer 2xx where the run's global setup looks for them
 * (`contract-coverage.ts`: on a full run, every served operation must be among them).
 */
function writeSeen(): void {
  const dir = inject('contractSeenDir');
  if (dir === undefined || state.seen.size === 0) return;
  writeFileSync(
    join(dir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`),
    JSON.stringify([...state.seen]),
  );
  state.seen.clear();
}

afterEach(failOnProblems);
afterAll(() => {
  writeSeen();
  failOnProblems();
});
