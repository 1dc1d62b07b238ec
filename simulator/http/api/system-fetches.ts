/**
 * NgDP's system fetches, `mailboxes/{mailboxId}/system-fetches/` (admin.md §11, "Flyt post"): any
 * system of the organisation whose mailbox it is may list, count, create, read, change and delete
 * them. A malformed or foreign `mailboxId` is 404 where NgDP declares 404, else 400.
 */
import type { Request, RequestHandler } from 'express';
import type { Engine } from '../../engine/engine.ts';
import { messageCountJson, systemFetchJson, systemFetchListJson } from '../../wire/system-fetches.ts';
import { objectBody, queryText } from '../support.ts';
import type { Caller, Serve } from './subscriptions.ts';

const mailboxOf = (request: Request): string => request.params.mailboxId as string;
const idOf = (request: Request): string => request.params.id as string;

/** Serves the system-fetch operations with `on`; `json` reads a JSON body. */
export function serveSystemFetches(engine: Engine, on: Serve, caller: Caller, json: RequestHandler): void {
  const fetches = engine.systemFetches;
  const PATH = '/mailboxes/{mailboxId}/system-fetches/';

  on('listSystemFetches', async (request, response) => {
    const system = await caller(request, response, 'any', `GET ${PATH}`);
    if (system === undefined) return;
    response.json(
      systemFetchListJson(fetches.list(system, mailboxOf(request), queryText(request, 'fromDate'))),
    );
  });

  on('createSystemFetch', json, async (request, response) => {
    const system = await caller(request, response, 'any', `POST ${PATH}`);
    if (system === undefined) return;
    const created = fetches.create(system, mailboxOf(request), objectBody(request.body));
    response.status(201).json(systemFetchJson(created));
  });

  on('messageCount', async (request, response) => {
    const system = await caller(request, response, 'any', `GET ${PATH}message-count`);
    if (system === undefined) return;
    const count = fetches.count(
      system,
      mailboxOf(request),
      queryText(request, 'fromDateTime'),
      queryText(request, 'toDateTime'),
    );
    response.json(messageCountJson(count));
  });

  on('fetchSystemFetch', async (request, response) => {
    const system = await caller(request, response, 'any', `GET ${PATH}{id}`);
    if (system === undefined) return;
    response.json(systemFetchJson(fetches.get(system, mailboxOf(request), idOf(request))));
  });

  on('updateSystemFetch', json, async (request, response) => {
    const system = await caller(request, response, 'any', `PUT ${PATH}{id}`);
    if (system === undefined) return;
    objectBody(request.body);
    response.json(systemFetchJson(fetches.update(system, mailboxOf(request), idOf(request))));
  });

  on('deleteSystemFetch', async (request, response) => {
    const system = await caller(request, response, 'any', `DELETE ${PATH}{id}`);
    if (system === undefined) return;
    fetches.delete(system, mailboxOf(request), idOf(request));
    response.status(204).end();
  });
}
