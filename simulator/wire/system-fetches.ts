/** NgDP's `SystemFetch` and `SystemFetchListResult` JSON from the simulator's records. */
import type { SystemFetchRecord } from '../domain/system-fetches.ts';
import type { MessageCount } from '../engine/system-fetches.ts';

const iso = (time: number): string => new Date(time).toISOString();

export function systemFetchJson(fetch: SystemFetchRecord) {
  return {
    id: fetch.id,
    version: fetch.version,
    createdDateTime: iso(fetch.createdDateTime),
    lastUpdated: iso(fetch.lastUpdated),
    ...(fetch.finishedDateTime === undefined ? {} : { finishedDateTime: iso(fetch.finishedDateTime) }),
    systemFetchStatusType: fetch.status,
    mailboxId: fetch.mailboxId,
    organisationId: fetch.organisationId,
    systemId: fetch.systemId,
    contactPointId: fetch.contactPointId,
    totalMessages: fetch.totalMessages,
    fetchedMessages: fetch.fetchedMessages,
    failedMessages: fetch.failedMessages,
    preferOriginalMessageRecipient: fetch.preferOriginalMessageRecipient,
    ...(fetch.fromDateTime === undefined ? {} : { fromDateTime: iso(fetch.fromDateTime) }),
    toDateTime: iso(fetch.toDateTime),
  };
}

export function systemFetchListJson(fetches: readonly SystemFetchRecord[]) {
  return { systemFetches: fetches.map(systemFetchJson) };
}

/** `messageCount`'s answer: a `SystemFetchListResult` of one `SystemFetch` holding the count. */
export function messageCountJson(count: MessageCount) {
  return {
    systemFetches: [
      {
        mailboxId: count.mailboxId,
        organisationId: count.organisationId,
        contactPointId: count.contactPointId,
        totalMessages: count.totalMessages,
        ...(count.fromDateTime === undefined ? {} : { fromDateTime: iso(count.fromDateTime) }),
        ...(count.toDateTime === undefined ? {} : { toDateTime: iso(count.toDateTime) }),
      },
    ],
  };
}
