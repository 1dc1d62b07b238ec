/** NgDP's `StandardSystemTemplate` from the simulator's record (admin.md §1.3). */
import type { OrganisationView } from '../engine/organisations.ts';
import type { StandardSystemTemplateRecord } from '../engine/standard-systems.ts';
import { organisationJson } from './organisations.ts';

const iso = (time: number): string => new Date(time).toISOString();

/** `StandardSystemTemplate`, with the vendor organisation in full. */
export function standardSystemTemplateJson(template: StandardSystemTemplateRecord, vendor: OrganisationView) {
  const { fields } = template;
  return {
    id: template.id,
    version: template.version,
    createdDateTime: iso(template.createdDate),
    lastUpdated: iso(template.lastUpdated),
    name: template.name,
    systemTypes: fields.systemTypes,
    ...(fields.endpoint === undefined ? {} : { endpoint: fields.endpoint }),
    ...(fields.receiptEndpoint === undefined ? {} : { receiptEndpoint: fields.receiptEndpoint }),
    technicalContact: fields.technicalContact,
    serviceProtocol: fields.serviceProtocol,
    allowedIps: fields.allowedIps,
    organisation: organisationJson(vendor),
    receiptFormat: 'MEMO',
  };
}
