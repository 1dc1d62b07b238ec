/**
 * NgDP's event log as systems read it (`GET /events/`): the events concerning the caller's
 * organisation, in a period of at most 3 calendar months, by system, party and tag.
 */
import type { EventRecord, SystemRecord } from '../domain/model.ts';
import { evaluate, type JsonObject, project, type Query, selects } from '../domain/query.ts';
import { addMonths } from '../domain/time.ts';
import type { EventQuery } from '../store/store.ts';
import type { EngineContext } from './context.ts';
import { QUERY_SCAN_LIMIT } from './directory.ts';
import type { Faults } from './faults.ts';
import type { Page } from './paging.ts';
import { reject } from './rejections.ts';

export interface EventSearch {
  /** Date-times (`2025-06-01T00:00:00.000Z`) as given; default: the 3 months up to now. */
  dateFrom?: string | undefined;
  dateTo?: string | undefined;
  /** Only events of this system (one of the caller's organisation). */
  system?: string | undefined;
  /** Only events concerning each of these CPR/CVR numbers (`senderOrRecipient`, `ownerOrActor`). */
  parties?: readonly string[] | undefined;
  eventTag?: string | undefined;
}

/**
 * A line of the event log as systems read it: the record, and the organisation that owns what it is
 * about — the sender's for a message, the system's own for a change of a system.
 */
export interface LoggedEvent extends EventRecord {
  owner?: { organisationId: string; cvrNumber: string };
}

function instant(field: string, text: string): number {
  const time = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\d/.test(text) || Number.isNaN(time))
    throw reject.invalidParameter(field, 'must be a date-time like 2025-06-01T00:00:00.000Z', text);
  return time;
}

export class EventLog {
  private readonly context: EngineContext;
  private readonly faults: Faults;

  constructor(context: EngineContext, faults: Faults) {
    this.context = context;
    this.faults = faults;
  }

  /**
   * Events concerning the caller's organisation, oldest first unless NgDP's generic `query` sorts
   * them, that `query` keeps; each as `json` shows it (as NgDP serves it), the page projected. The
   * store applies the period, systems, a party and the tag; the rest of `query` looks at no more
   * than {@link QUERY_SCAN_LIMIT} events.
   *
   * @throws Rejection when a date is not a date-time, `dateFrom` is after `dateTo`, the period is
   *   longer than 3 months, `system` is not one of the caller's organisation, or more events than
   *   the scan limit are to be filtered or sorted in memory.
   */
  search(
    caller: SystemRecord,
    search: EventSearch,
    query: Query,
    json: (event: LoggedEvent) => JsonObject,
  ): Page<JsonObject> {
    const { store } = this.context;
    const to = search.dateTo === undefined ? this.context.now() : instant('dateTo', search.dateTo);
    const from = search.dateFrom === undefined ? addMonths(to, -3) : instant('dateFrom', search.dateFrom);
    if (from > to) throw reject.invalidParameter('dateFrom', 'must not be after dateTo', search.dateFrom);
    if (addMonths(from, 3) < to) throw reject.periodTooLong(search.dateTo);
    const own = store.listSystems(caller.organisationId).map((system) => system.id);
    if (search.system !== undefined && !own.includes(search.system)) throw reject.notOwnSystem();
    const [party, ...otherParties] = [...new Set(search.parties ?? [])];
    const stored: EventQuery = {
      from,
      to,
      systemIds: search.system === undefined ? own : [search.system],
      ...(party === undefined ? {} : { party }),
      ...(search.eventTag === undefined ? {} : { eventTag: search.eventTag }),
    };
    const size = this.faults.pageSize(query.size);
    if (!selects(query) && otherParties.length === 0)
      return {
        items: this.withOwners(store.listEvents(stored, { offset: query.page * size, limit: size })).map(
          (event) => project(query, json(event)),
        ),
        page: query.page,
        size,
        total: store.countEvents(stored),
      };
    const events = store.listEvents(stored, { offset: 0, limit: QUERY_SCAN_LIMIT + 1 });
    if (events.length > QUERY_SCAN_LIMIT)
      throw reject.queryTooBroad(QUERY_SCAN_LIMIT, 'dateFrom, dateTo, eventTag or senderOrRecipient');
    const concerned = events.filter((event) => otherParties.every((other) => event.parties.includes(other)));
    const page = evaluate(query, this.withOwners(concerned).map(json), size);
    return { items: page.items, page: page.page, size: page.size, total: page.totalElements };
  }

  /** The events with their owners, each system and organisation looked up once. */
  private withOwners(events: EventRecord[]): LoggedEvent[] {
    const { store } = this.context;
    const owners = new Map<string, LoggedEvent['owner']>();
    const ownerOf = (systemId: string): LoggedEvent['owner'] => {
      if (!owners.has(systemId)) {
        const system = store.getSystem(systemId);
        const organisation = system && store.getOrganisation(system.organisationId);
        owners.set(
          systemId,
          organisation && { organisationId: organisation.id, cvrNumber: organisation.cvrNumber },
        );
      }
      return owners.get(systemId);
    };
    return events.map((event) => {
      const systemId = event.metaProperties.senderSystem ?? event.systemIds[0];
      const owner = systemId === undefined ? undefined : ownerOf(systemId);
      return owner === undefined ? event : { ...event, owner };
    });
  }
}
