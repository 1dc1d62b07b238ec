/** The suite's own requests to the endpoint, the receiver staying up, and credentials. */
import type { ReceiverObservation } from '../../evidence/receiver.ts';
import type { Check, Failure } from '../../model.ts';
import { type HostileKind, type HostileResult, hostileEvidence } from '../../runner/hostile.ts';
import type { ReceiverCheckName, ReceiverProfile } from './ids.ts';
import { CLAUSES, checksOf, entryEvidence, failure, fetchesOf, judged, linesOf } from './support.ts';

/** A notification of an unknown MeMo may be fetched this often. */
const UNKNOWN_FETCHES = 3;

interface HostileSpec {
  kind: HostileKind;
  title: string;
  /** A 5xx is a fair answer (the MeMo could not be fetched: try again). */
  allows5xx?: boolean;
  /** More to judge. */
  also?: (observation: ReceiverObservation, result: HostileResult) => Failure[];
}

const PUSH: readonly HostileSpec[] = [
  { kind: 'garbage', title: 'A push whose part "file" holds no MeMo is refused and not taken in' },
  {
    kind: 'filename-mismatch',
    title: 'A MeMo pushed under another messageUUID than its own is refused and not taken in',
  },
  { kind: 'missing-part', title: 'A push without a part "file" is refused and not taken in' },
  {
    kind: 'oversized',
    title: 'A push declaring a body of a gigabyte is refused at once, before it is read',
  },
  { kind: 'content-type', title: 'A request that is not multipart/form-data is refused and not taken in' },
];

const PUBSUB: readonly HostileSpec[] = [
  { kind: 'garbage', title: 'A notification that is not JSON is refused' },
  {
    kind: 'not-a-uuid',
    title: 'A notification whose messageUUID is no UUID is refused, and nothing is fetched for it',
    also: (observation) =>
      observation.requests
        .filter((entry) => entry.path.includes('x=1') || entry.path.includes('..'))
        .map((entry) =>
          failure('the system made a call to NgDP out of a messageUUID that is no UUID', [
            entryEvidence(entry),
          ]),
        ),
  },
  {
    kind: 'unknown-id',
    title:
      'A notification of a MeMo NgDP does not hold is answered, not taken in, and not fetched again and again',
    allows5xx: true,
    also: (observation, result) =>
      result.uuids.flatMap((uuid) => {
        const fetches = fetchesOf(observation, uuid);
        return fetches.length > UNKNOWN_FETCHES
          ? [
              failure(
                `the MeMo of a notification NgDP never sent was fetched ${fetches.length} times`,
                fetches.slice(0, 10).map((entry) => entryEvidence(entry)),
              ),
            ]
          : [];
      }),
  },
  {
    kind: 'oversized',
    title: 'A notification declaring a body of a gigabyte is refused at once, before it is read',
  },
  { kind: 'content-type', title: 'A notification that is not application/json is refused and not taken in' },
];

function judgeHostile(observation: ReceiverObservation, spec: HostileSpec) {
  const results = observation.hostile.filter((result) => result.kind === spec.kind);
  return judged(
    results.length > 0,
    results.flatMap((result) => {
      const evidence = hostileEvidence(observation.endpoint, result);
      const failures: Failure[] = [];
      if (result.status === null)
        failures.push(
          failure(`${result.what} was not answered${result.error ? ` (${result.error})` : ''}`, [evidence]),
        );
      else if (result.status >= 500 && !spec.allows5xx)
        failures.push(
          failure(`${result.what} was answered ${result.status}, as if it were worth trying again`, [
            evidence,
          ]),
        );
      else if (result.status < 200 || (result.status >= 300 && result.status < 400))
        failures.push(failure(`${result.what} was answered ${result.status}`, [evidence]));
      for (const uuid of result.uuids)
        for (const line of linesOf(observation, uuid).filter((each) => each.outcome === 'ACCEPTED'))
          failures.push(
            failure(`${result.what} was taken in: report line ${line.line} says ACCEPTED`, [
              hostileEvidence(observation.endpoint, result, `reported ACCEPTED as ${uuid}`),
            ]),
          );
      failures.push(...(spec.also?.(observation, result) ?? []));
      return failures;
    }),
  );
}

export function endpointChecks(profile: ReceiverProfile): Check<ReceiverObservation>[] {
  const check = checksOf(profile);
  const specs = profile === 'recipient-push' ? PUSH : PUBSUB;
  return [
    ...specs.map((spec) =>
      check(`hostile.${spec.kind}` as ReceiverCheckName, 'MUST', spec.title, CLAUSES.hostile, (observation) =>
        judgeHostile(observation, spec),
      ),
    ),
    check(
      'receiver.alive',
      'MUST',
      'The receiver stays up: its endpoint takes connections after every scenario',
      CLAUSES.protocol,
      (observation) =>
        observation.alive.ok
          ? []
          : [failure(`the receiver is down after the scenario: ${observation.alive.reason}`)],
    ),
    check(
      'auth.header-only',
      'MUST',
      'The API key goes only in the Authorization header of the system’s calls to NgDP',
      CLAUSES.auth,
      (observation) =>
        judged(
          observation.requests.length > 0,
          observation.requests
            .filter((entry) => entry.credentials === 'elsewhere')
            .slice(0, 5)
            .map((entry) =>
              failure('the API key showed outside the Authorization header', [entryEvidence(entry)]),
            ),
        ),
    ),
    check(
      'auth.accepted',
      'MUST',
      'NgDP accepts the system’s calls: none is refused 401 or 403',
      CLAUSES.auth,
      (observation) =>
        judged(
          observation.requests.length > 0,
          observation.requests
            .filter((entry) => entry.status === 401 || entry.status === 403)
            .slice(0, 5)
            .map((entry) => failure(`NgDP refused a call ${entry.status}`, [entryEvidence(entry)])),
        ),
    ),
  ];
}
