/**
 * System fetches ("Flyt post", admin.md §11): an organisation moves the post in its own mailbox to
 * one of its contact points, through `mailboxes/{mailboxId}/system-fetches/`. The record, and the
 * organisation's mailbox id.
 */
import { createHash } from 'node:crypto';
import type { SystemFetchStatus } from '../../sdk/ngdp/enums.ts';

/** NgDP's `SystemFetch`, as the simulator keeps it. Times are epoch ms of the simulator clock. */
export interface SystemFetchRecord {
  id: string;
  mailboxId: string;
  organisationId: string;
  /** The system the post goes to: the contact point's. */
  systemId: string;
  contactPointId: string;
  preferOriginalMessageRecipient: boolean;
  fromDateTime?: number;
  toDateTime: number;
  status: Exclude<SystemFetchStatus, 'UNKNOWN'>;
  totalMessages: number;
  fetchedMessages: number;
  failedMessages: number;
  /** The messages it moved out of the mailbox. */
  messageUUIDs: string[];
  version: number;
  createdDateTime: number;
  lastUpdated: number;
  finishedDateTime?: number;
}

/**
 * The id of an organisation's mailbox: a name-based UUID (version 5 layout) of the organisation's
 * id, so that it is the same in every run and after a reset without being stored.
 */
export function mailboxIdOf(organisationId: string): string {
  const hash = createHash('sha1').update(`ngdp-mailbox:${organisationId.toLowerCase()}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether a letter delivered at `deliveredAt` falls in a fetch's period (both ends included). */
export function inPeriod(deliveredAt: number, from: number | undefined, to: number | undefined): boolean {
  return (from === undefined || deliveredAt >= from) && (to === undefined || deliveredAt <= to);
}
