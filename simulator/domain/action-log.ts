/**
 * Administrativ Adgang's action log (handlingslog; admin.md §0.3, §3.3): one row per changed field
 * of every change an employee or the system makes. Pure: the rows are made here, the engine keeps
 * them.
 */

/** What a change did (admin.md §7.1.2; Fritaget/Tilmeldt belong to exemptions). */
export type ActionEvent = 'Oprettet' | 'Redigeret' | 'Slettet' | 'Fritaget' | 'Tilmeldt';

/** One row of the action log. */
export interface ActionLogRow {
  id: string;
  /** The organisation whose log it is (the context of the change). */
  organisationId: string;
  /** Emne: System, Kontaktstruktur, Fritagelse, Nem-SMS, Adgang, Myndighedsinformation, … */
  subject: string;
  /** The CPR or CVR number of the party concerned, when there is one. */
  cprCvr?: string;
  /** The id of what changed (a system's UUID, a contact group's id, …). */
  resourceId: string;
  /** `CVR:<cvr>-RID:<rid>` for an employee, `System` for automatic actions. */
  actor: string;
  time: number;
  event: ActionEvent;
  /** The name of what changed (a system's name, …). */
  name: string;
  field: string;
  before: string;
  after: string;
  /** NgDP's event-log tag of the change (`SYSTEM_CHANGED`, …). */
  eventTag: string;
}

/**
 * One row of the search log (søgelog; admin.md §0.1, §3.3): an employee looked up a CPR or CVR
 * number — an exemption, NemSMS or access look-up, an organisation look-up, … — found or not.
 */
export interface SearchLogRow {
  id: string;
  /** The organisation whose log it is (the context of the look-up). */
  organisationId: string;
  /** Søgedata: the CPR or CVR number looked up. */
  cprCvr: string;
  /** Aktør: `CVR:<cvr>-RID:<rid>` of the employee. */
  actor: string;
  /** Register: Kontaktregister, Hændelseslog, adgangsregister, … */
  register: string;
  /** Antal resultater. */
  results: number;
  time: number;
  /** NgDP's event-log tag of the look-up (`CPR_LOOKED_UP`, `CVR_LOOKED_UP`, …). */
  eventTag: string;
  /** NgDP's operation that looked it up (`lookupCitizen`, …). */
  operation: string;
}

/** A field's value as the log shows it: text as it is, anything else as JSON, nothing as ''. */
function shown(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The fields that differ between `before` and `after` (either may be missing: a creation, a
 * deletion), in `after`'s order then `before`'s, with their values as the log shows them.
 */
export function changedFields(
  before: Readonly<Record<string, unknown>> | undefined,
  after: Readonly<Record<string, unknown>> | undefined,
): Array<{ field: string; before: string; after: string }> {
  const names = new Set([...Object.keys(after ?? {}), ...Object.keys(before ?? {})]);
  const changes: Array<{ field: string; before: string; after: string }> = [];
  for (const field of names) {
    const was = shown(before?.[field]);
    const is = shown(after?.[field]);
    if (was !== is) changes.push({ field, before: was, after: is });
  }
  return changes;
}
