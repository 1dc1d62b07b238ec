/**
 * What every change of the administration leaves behind (admin.md §0.3): a row per changed field
 * in the organisation's action log, and one line in NgDP's event log. Called inside the change's
 * transaction, so the rows exist exactly when the change does.
 */
import type { EventTagName } from '../../sdk/ngdp/enums.ts';
import {
  type ActionEvent,
  type ActionLogRow,
  changedFields,
  type SearchLogRow,
} from '../domain/action-log.ts';
import { collection } from '../store/store.ts';
import type { EngineContext } from './context.ts';

/** The action log (scope: the organisation whose log it is). */
export const ACTION_LOG = collection<ActionLogRow>('action-log', (row) => row.organisationId);

/** The search log (scope: the organisation whose log it is). */
export const SEARCH_LOG = collection<SearchLogRow>('search-log', (row) => row.organisationId);

/** What changed, as a use case tells it. */
export interface ActionEntry {
  subject: string;
  resourceId: string;
  name: string;
  event: ActionEvent;
  eventTag: EventTagName;
  cprCvr?: string;
  /** The fields before and after (shown ones only: never a secret's hash). */
  before?: Readonly<Record<string, unknown>>;
  after?: Readonly<Record<string, unknown>>;
}

/** An employee's look-up, as a use case tells it (a row of the search log). */
export interface SearchEntry {
  /** The CPR or CVR number looked up. */
  cprCvr: string;
  /** The register searched: `Kontaktregister`, `Hændelseslog`, `adgangsregister`, … */
  register: string;
  /** How many results the look-up found. */
  results: number;
  /** NgDP's operation that looked it up. */
  operation: string;
  /** Default: `CPR_LOOKED_UP` for a 10-digit number, else `CVR_LOOKED_UP`. */
  eventTag?: EventTagName;
}

/** Who made a change: an employee in a context (`actor` as admin.md §0.3 writes it). */
export interface ActionActor {
  organisation: { id: string };
  actor: string;
}

export class AdminLog {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  /**
   * Writes a change's rows and, unless the use case that stored it recorded one already (`event`
   * false: systems record SYSTEM_CHANGED as they are saved), its event — inside the caller's
   * `context.change`.
   */
  changed(by: ActionActor, entry: ActionEntry, event = true): void {
    const { store } = this.context;
    const time = this.context.now();
    const fields = changedFields(entry.before, entry.after);
    // A change that touched no shown field (a new API key) still gets its row.
    const rows = fields.length > 0 ? fields : [{ field: '', before: '', after: '' }];
    for (const change of rows)
      store.putRecord(ACTION_LOG, {
        id: this.context.newId(),
        organisationId: by.organisation.id,
        subject: entry.subject,
        ...(entry.cprCvr === undefined ? {} : { cprCvr: entry.cprCvr }),
        resourceId: entry.resourceId,
        actor: by.actor,
        time,
        event: entry.event,
        name: entry.name,
        ...change,
        eventTag: entry.eventTag,
      });
    if (!event) return;
    this.context.record(entry.eventTag, undefined, {
      text: `${entry.subject} ${entry.name} ${entry.event.toLowerCase()} by ${by.actor}`,
      meta: { resourceId: entry.resourceId, actor: by.actor, organisationId: by.organisation.id },
    });
  }

  /**
   * Writes the search-log row of an employee's look-up of a CPR or CVR number (admin.md §0.1,
   * §3.3: every look-up, found or not), in its own transaction or the caller's.
   */
  searched(by: ActionActor, lookup: SearchEntry): void {
    this.context.change(() =>
      this.context.store.putRecord(SEARCH_LOG, {
        id: this.context.newId(),
        organisationId: by.organisation.id,
        cprCvr: lookup.cprCvr,
        actor: by.actor,
        register: lookup.register,
        results: lookup.results,
        time: this.context.now(),
        eventTag: lookup.eventTag ?? (lookup.cprCvr.length === 10 ? 'CPR_LOOKED_UP' : 'CVR_LOOKED_UP'),
        operation: lookup.operation,
      }),
    );
  }

  /** The search log of an organisation, oldest first. */
  searchRows(organisationId: string): SearchLogRow[] {
    return this.context.store.listRecords(SEARCH_LOG, organisationId);
  }

  /** The action log of an organisation, oldest first. */
  rows(organisationId: string): ActionLogRow[] {
    return this.context.store.listRecords(ACTION_LOG, organisationId);
  }
}
