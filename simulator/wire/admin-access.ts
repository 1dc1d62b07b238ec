/**
 * NgDP's JSON of the exemptions, mailbox accesses and access requests of Administrativ Adgang
 * (`Exemption`, `Access`, `AccessRequest`), from the simulator's records.
 */
import type { ExemptionRecord } from '../domain/exemptions.ts';

const iso = (time: number): string => new Date(time).toISOString();

/** NgDP's `Exemption`: `recipient` is NgDP's `MassPrintRecipient`, `organisation` who made it. */
export function exemptionJson(record: ExemptionRecord) {
  return {
    id: record.id,
    version: record.version,
    ...(record.kind === 'CITIZEN' ? { cprNumber: record.number } : { cvrNumber: record.number }),
    ...(record.recipient === undefined ? {} : { recipient: { ...record.recipient } }),
    date: iso(record.date),
    sendLettersReceivedFromDate: record.start,
    organisation: record.organisationName,
    forwardToAddress: record.forwardToAddress,
    exemptByProxy: record.exemptByProxy,
    exemptionStatus: record.status,
  };
}
