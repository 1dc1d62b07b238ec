/**
 * NgDP's change subscriptions for sender systems (ngdp-api.md §5.5): `contacts/subscriptions/` and
 * `organisations/subscriptions/`, each the calling system's own. Answers carry the subscription's
 * version as `ETag`, which `If-Match` names on `PUT` and `DELETE`.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { SystemRecord, SystemRole } from '../../domain/model.ts';
import type { RequiredRoles } from '../../engine/access.ts';
import type { Engine } from '../../engine/engine.ts';
import { contactSubscriptionJson, organisationSubscriptionJson } from '../../wire/subscriptions.ts';
import { objectBody } from '../support.ts';
import type { ServedOperationId } from './operations.ts';

/** The calling system after fault rules had their say (router.ts `caller`). */
export type Caller = (
  request: Request,
  response: Response,
  roles: RequiredRoles,
  operation: string,
) => Promise<SystemRecord | undefined>;

/** Serves an operation (router.ts `on`). */
export type Serve = (operationId: ServedOperationId, ...handlers: RequestHandler[]) => void;

const SENDER: readonly SystemRole[] = ['SENDER'];

const ifMatch = (request: Request): string | undefined => request.headers['if-match'];

const withEtag = (response: Response, version: number): Response =>
  response.setHeader('etag', `"${version}"`);

/** Serves the subscription operations with `on`; `json` reads a JSON body. */
export function serveSubscriptions(engine: Engine, on: Serve, caller: Caller, json: RequestHandler): void {
  const { subscriptions } = engine;

  on('fetchContactSubscription', async (request, response) => {
    const system = await caller(request, response, SENDER, 'GET /contacts/subscriptions/');
    if (system === undefined) return;
    response.json(subscriptions.listContactSubscriptions(system).map(contactSubscriptionJson));
  });

  on('createContactSubscription', json, async (request, response) => {
    const system = await caller(request, response, SENDER, 'POST /contacts/subscriptions/');
    if (system === undefined) return;
    const created = subscriptions.createContactSubscription(system, objectBody(request.body));
    withEtag(response, created.version).status(200).json(contactSubscriptionJson(created));
  });

  on('updateContactSubscription', json, async (request, response) => {
    const system = await caller(request, response, SENDER, 'PUT /contacts/subscriptions/{id}');
    if (system === undefined) return;
    const updated = subscriptions.updateContactSubscription(
      system,
      request.params.id as string,
      ifMatch(request),
      objectBody(request.body),
    );
    withEtag(response, updated.version).json(contactSubscriptionJson(updated));
  });

  on('deleteContactSubscription', async (request, response) => {
    const system = await caller(request, response, SENDER, 'DELETE /contacts/subscriptions/{id}');
    if (system === undefined) return;
    subscriptions.deleteContactSubscription(system, request.params.id as string, ifMatch(request));
    response.status(204).end();
  });

  on('listOrganisationSenderSystemSubscriptions', async (request, response) => {
    const system = await caller(request, response, SENDER, 'GET /organisations/subscriptions/');
    if (system === undefined) return;
    response.json(subscriptions.listOrganisationSubscriptions(system).map(organisationSubscriptionJson));
  });

  on('createOrganisationSenderSystemSubscription', json, async (request, response) => {
    const system = await caller(request, response, SENDER, 'POST /organisations/subscriptions/');
    if (system === undefined) return;
    const created = subscriptions.createOrganisationSubscription(system, objectBody(request.body));
    withEtag(response, created.version).status(201).json(organisationSubscriptionJson(created));
  });

  on('updateOrganisationSenderSystemSubscription', json, async (request, response) => {
    const system = await caller(request, response, SENDER, 'PUT /organisations/subscriptions/{id}');
    if (system === undefined) return;
    const updated = subscriptions.updateOrganisationSubscription(
      system,
      request.params.id as string,
      ifMatch(request),
      objectBody(request.body),
    );
    withEtag(response, updated.version).json(organisationSubscriptionJson(updated));
  });
}
