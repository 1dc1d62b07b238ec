/**
 * Judgements every profile makes of a system's calls, whatever its role: the API key only in the
 * Authorization header, and every call authenticated.
 */
import type { Judgement } from '../model.ts';
import { evidenceOf, type TranscriptEntry } from '../runner/transcript.ts';

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** Fails for each call that carried the API key outside the Authorization header. */
export function keyOnlyInHeader(requests: readonly TranscriptEntry[]): Judgement {
  if (requests.length === 0) return 'not-applicable';
  const elsewhere = requests.filter((entry) => entry.credentials === 'elsewhere');
  return elsewhere.length === 0
    ? []
    : [
        {
          message: `${plural(elsewhere.length, 'request', 'requests')} carried the API key outside the Authorization header`,
          evidence: elsewhere.slice(0, 10).map((entry) => evidenceOf(entry, 'API key outside Authorization')),
        },
      ];
}

/** Fails when NgDP refused calls 401 or 403. */
export function everyCallAuthenticated(requests: readonly TranscriptEntry[]): Judgement {
  if (requests.length === 0) return 'not-applicable';
  const refused = requests.filter((entry) => entry.status === 401 || entry.status === 403);
  return refused.length === 0
    ? []
    : [
        {
          message: `${plural(refused.length, 'request was', 'requests were')} refused ${[...new Set(refused.map((e) => `${e.status} ${e.code ?? ''}`.trim()))].join(', ')}`,
          evidence: refused.slice(0, 10).map((entry) => evidenceOf(entry, entry.code ?? undefined)),
        },
      ];
}
