/**
 * What the push and publish/subscribe checks share: how a check is declared under either profile,
 * where the requirements come from, and views of a scenario's observation.
 */
import {
  type DeliveredMemo,
  deliveriesOf,
  linesOf,
  PUSH_TIMEOUT_MS,
  type ReceiverObservation,
} from '../../evidence/receiver.ts';
import type { Check, Evidence, Failure, Judgement, Level } from '../../model.ts';
import { evidenceOf, type TranscriptEntry } from '../../runner/transcript.ts';
import type { ReceiverCheckName, ReceiverProfile } from './ids.ts';

/** Where the recipient checks' requirements come from. */
export const CLAUSES = {
  protocol:
    'digitalpost conformance protocol (docs/conformance.md, "Writing the adapter (push and publish/subscribe)")',
  push: 'NgDP pushes each MeMo to the system’s endpoint: multipart/form-data, part file, filename = messageUUID (OpenAPI 1.68 MailSystem.endpoint; docs/simulator.md)',
  pubsub:
    'interpreted: see differences.md, "Publish/subscribe" (NgDP notifies {messageUUID, memoUrl, timeStamp}; the system fetches GET /memos/{id})',
  memoRules: 'MeMo rules: at most 10 attachments and 99.5 MB of content (docs/memo.md)',
  timeout:
    'interpreted: see differences.md, "Delivery retries" (a delivery not answered 2xx within 30 s is a failed attempt)',
  atLeastOnce: 'interpreted: see differences.md, "Delivery retries" (NgDP’s deliveries are at least once)',
  receipts:
    'NgDP API POST /memos/{id}/receipt (OpenAPI 1.68): the recipient system’s business receipt, COMPLETED or INVALID',
  invalid:
    'conformance protocol: an invalid MeMo is refused with a 4xx, or a 2xx and an INVALID business receipt as NgDP’s reference recipient does',
  hostile:
    'interpreted: see differences.md, "The conformance suite" (anyone who finds the endpoint can send it anything; NgDP’s push authentication is not judged)',
  auth: 'NgDP API authentication: Authorization: Basic <API key> (Technical integration; docs/sdk.md)',
} as const;

/** Declares a check of `profile`. */
export function receiverCheck(
  profile: ReceiverProfile,
  name: ReceiverCheckName,
  level: Level,
  title: string,
  clause: string,
  judge: (observation: ReceiverObservation) => Judgement,
): Check<ReceiverObservation> {
  return { id: `${profile}.${name}`, profile, level, title, clause, judge };
}

/** `receiverCheck` bound to `profile`. */
export function checksOf(profile: ReceiverProfile) {
  return (
    name: ReceiverCheckName,
    level: Level,
    title: string,
    clause: string,
    judge: (observation: ReceiverObservation) => Judgement,
  ): Check<ReceiverObservation> => receiverCheck(profile, name, level, title, clause, judge);
}

export const failure = (message: string, evidence: Evidence[] = []): Failure => ({ message, evidence });

export const note = (text: string, messageUUID?: string | null): Evidence => ({
  note: text,
  ...(messageUUID === undefined ? {} : { messageUUID }),
});

export const entryEvidence = (entry: TranscriptEntry, text?: string): Evidence => evidenceOf(entry, text);

/** `[]` when nothing failed, else the failures; not applicable when `applicable` is false. */
export function judged(applicable: boolean, failures: Failure[]): Judgement {
  return applicable ? failures : 'not-applicable';
}

export const is2xx = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

/** NgDP's own deliveries (not answered by a fault rule of the suite instead of the endpoint). */
export function realDeliveries(observation: ReceiverObservation, memo?: DeliveredMemo): TranscriptEntry[] {
  const all = memo === undefined ? observation.deliveries : deliveriesOf(observation, memo.messageUUID);
  return all.filter((entry) => entry.fault === null || entry.fault === 'delay');
}

/** Answered in time: a status within NgDP's push timeout. */
export const inTime = (entry: TranscriptEntry): boolean =>
  entry.status !== null && entry.durationMs < PUSH_TIMEOUT_MS;

/** Taken by the endpoint: answered 2xx in time. */
export const taken = (entry: TranscriptEntry): boolean => is2xx(entry.status) && inTime(entry);

/** A short name for a MeMo in messages: `M2 (4f0c…)`. */
export const nameOf = (memo: DeliveredMemo): string => `${memo.ref} (${memo.messageUUID.slice(0, 8)}…)`;

/** A delivery as it shows in messages: `answered 500 after 12 ms`. */
export function told(entry: TranscriptEntry): string {
  const seconds = (entry.durationMs / 1000).toFixed(1);
  if (entry.status !== null) return `answered ${entry.status} after ${entry.durationMs} ms`;
  return entry.durationMs >= PUSH_TIMEOUT_MS - 1_000
    ? `not answered within NgDP's push timeout (${seconds} s)`
    : `cut off without an answer after ${seconds} s`;
}

/** The vendor's `POST /memos/{id}/receipt` calls for `memo`, in order. */
export function receiptPosts(observation: ReceiverObservation, messageUUID: string): TranscriptEntry[] {
  return observation.requests.filter(
    (entry) =>
      entry.operation === 'POST /memos/{id}/receipt' && entry.messageUUID?.toLowerCase() === messageUUID,
  );
}

/** The vendor's `GET /memos/{id}` calls for `messageUUID`. */
export function fetchesOf(observation: ReceiverObservation, messageUUID: string): TranscriptEntry[] {
  return observation.requests.filter(
    (entry) => entry.operation === 'GET /memos/{id}' && idOf(entry) === messageUUID.toLowerCase(),
  );
}

/** The lower-case `{id}` of a `/memos/{id}…` call. */
function idOf(entry: TranscriptEntry): string | undefined {
  if (entry.messageUUID !== null) return entry.messageUUID.toLowerCase();
  const match = /\/memos\/([^/?]+)/.exec(entry.path);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]).toLowerCase();
}

export { linesOf };
