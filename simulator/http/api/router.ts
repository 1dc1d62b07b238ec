import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { isCprNumber, isCvrNumber, isUuid } from '../../../sdk/ngdp/identifiers.ts';
import type { SystemRecord, SystemRole } from '../../domain/model.ts';
import { project, selects, withFilters } from '../../domain/query.ts';
import type { RequiredRoles } from '../../engine/access.ts';
import type { ContactSearch } from '../../engine/directory.ts';
import type { Engine } from '../../engine/engine.ts';
import type { RecipientReceipt } from '../../engine/recipients.ts';
import { reject } from '../../engine/rejections.ts';
import { contactJson, contactPointJson, eventJson } from '../../wire/directory.ts';
import { contactGroupJson } from '../../wire/organisations.ts';
import {
  contactCursor,
  pagingResultJson,
  queryFrameJson,
  readContactCursor,
  readPageCursor,
  searchFrameJson,
} from '../../wire/paging.ts';
import { containerReceiptJson, receiptJson, technicalReceiptJson } from '../../wire/receipts.ts';
import { requireIdentityEncoding } from '../encoding.ts';
import { hasBody, jsonBody } from '../json-body.ts';
import { checkQuery, queryOf } from '../query.ts';
import {
  instantParameter,
  mediaType,
  objectBody,
  paging,
  queryList,
  queryText,
  readBody,
  requireLength,
} from '../support.ts';
import { noteOf } from '../transcript.ts';
import { adminRoutes } from './admin/index.ts';
import { contactPointFilters } from './contact-point-filters.ts';
import { LZMA_TYPE, multipartContainer, rawContainer } from './container-body.ts';
import { faultsLetThrough } from './faults.ts';
import { serveOAuth } from './oauth.ts';
import { routeNgdpPaths, type ServedOperationId } from './operations.ts';
import { serveOrganisations } from './organisations.ts';
import { serveSubscriptions } from './subscriptions.ts';
import { serveSystemFetches } from './system-fetches.ts';
import { serveValidations } from './validations.ts';

const SENDER: readonly SystemRole[] = ['SENDER'];
const RECIPIENT: readonly SystemRole[] = ['RECIPIENT', 'RECIPIENT_DEFAULT'];

/**
 * The `{id}` of a message's or receipt's path: a UUID, or 400 as NgDP declares for these operations
 * (not 404: a malformed id names nothing that could exist).
 */
function uuidParam(request: Request): string {
  const id = request.params.id as string;
  if (!isUuid(id)) throw reject.invalidField('path', 'id', 'INVALID_FORMAT', 'must be a UUID', id);
  return id;
}

/**
 * `sort` of `GET /memos/` (declared: `property,(asc|desc)`, repeatable): the simulator lists the
 * memos in the order its `PagingResultUUID` reports, `createdDate` ascending; asking for that is
 * taken, any other order refused rather than ignored.
 */
function checkMemoSort(request: Request): void {
  const sort = request.query.sort;
  for (const value of sort === undefined ? [] : Array.isArray(sort) ? sort : [sort]) {
    if (typeof value !== 'string' || !/^createdDate(,asc)?$/i.test(value))
      throw reject.invalidParameter('sort', 'the simulator lists memos by createdDate ascending only', value);
  }
}

type BulkField = 'id' | 'cprNumber' | 'cvrNumber';

/** The most values of one field a bulk lookup takes. */
const BULK_LIMIT = 10_000;

/** `id`, `cprNumber` and `cvrNumber` of a bulk lookup's body, checked; none given in the query too. */
function bulkLists(body: Record<string, unknown>, request: Request): Partial<Record<BulkField, string[]>> {
  const valid: Record<BulkField, (value: string) => boolean> = {
    id: () => true,
    cprNumber: isCprNumber,
    cvrNumber: isCvrNumber,
  };
  const lists: Partial<Record<BulkField, string[]>> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!Object.hasOwn(valid, name))
      throw reject.invalidField(
        'body',
        name,
        'UNKNOWN_FIELD',
        'a bulk lookup takes id, cprNumber and cvrNumber',
      );
    const field = name as BulkField;
    if (request.query[field] !== undefined)
      throw reject.invalidParameter(field, 'is given in the body of the bulk lookup already');
    const values =
      typeof value === 'string'
        ? value.split(',').map((each) => each.trim())
        : Array.isArray(value) && value.every((each) => typeof each === 'string')
          ? (value as string[])
          : undefined;
    if (values === undefined || values.length > BULK_LIMIT)
      throw reject.invalidField(
        'body',
        field,
        'INVALID_FORMAT',
        `must be an array of at most ${BULK_LIMIT} strings, or a comma-separated string`,
      );
    const wrong = values.find((each) => !valid[field](each));
    if (wrong !== undefined)
      throw reject.invalidField('body', field, 'INVALID_FORMAT', `"${wrong}" is not valid`, wrong);
    lists[field] = values;
  }
  return lists;
}

/** A recipient's business receipt from its JSON body, for the message of the path. */
function recipientReceipt(body: unknown, messageUUID: string): RecipientReceipt {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw reject.invalidBody('the body must be a JSON Receipt');
  const receipt = body as Record<string, unknown>;
  if (receipt.receiptStatus === undefined)
    throw reject.requiredField('receipt', 'receiptStatus', 'is required (COMPLETED or INVALID)');
  if (
    typeof receipt.messageUUID === 'string' &&
    receipt.messageUUID.toLowerCase() !== messageUUID.toLowerCase()
  )
    throw reject.invalidField(
      'receipt',
      'messageUUID',
      'MISMATCH',
      'does not match the path',
      receipt.messageUUID,
    );
  const text: Record<string, string> = {};
  for (const field of ['transmissionId', 'errorCode', 'errorMessage', 'messageId'] as const) {
    const value = receipt[field];
    if (value === undefined) continue;
    if (typeof value !== 'string')
      throw reject.invalidField('receipt', field, 'INVALID_FORMAT', 'must be a string', value);
    text[field] = value;
  }
  return { receiptStatus: receipt.receiptStatus, ...text };
}

export function apiRouter(engine: Engine): Router {
  const router = express.Router({ caseSensitive: true });
  const json = jsonBody({ strictType: false });
  const served = new Map<ServedOperationId, RequestHandler[]>();
  /** Serves NgDP's operation `operationId` with `handlers`. */
  const on = (operationId: ServedOperationId, ...handlers: RequestHandler[]): void => {
    served.set(operationId, handlers);
  };

  /**
   * The calling system, its query parameters checked (../query.ts), after any fault rule or chaos
   * for `operation` had its say; undefined when
   * that answered the call instead, or closed its connection. With `drop: AFTER` the call is served
   * in full, but its answer is lost.
   */
  async function caller(
    request: Request,
    response: Response,
    roles: RequiredRoles,
    operation: string,
  ): Promise<SystemRecord | undefined> {
    const note = noteOf(request);
    const system = engine.access.authenticate(
      request.headers.authorization,
      request.socket.remoteAddress ?? '',
      roles,
    );
    if (note !== undefined) note.systemId = system.id;
    checkQuery(request);
    return (await faultsLetThrough(engine, request, response, operation, system.id)) ? system : undefined;
  }

  on('sendMemo', async (request, response) => {
    const system = await caller(request, response, SENDER, 'POST /memos/');
    if (system === undefined) return;
    try {
      requireIdentityEncoding(request);
    } catch (error) {
      request.resume();
      throw error;
    }
    requireLength(request, 'POST /memos/', engine.intake.limits.lengthRequired);
    const type = mediaType(request);
    if (type === LZMA_TYPE || type === 'multipart/form-data') {
      await submitContainer(system, request, response, type);
      return;
    }
    if (type !== 'application/xml' && type !== 'text/xml') {
      request.resume();
      throw reject.contentTypeNotSupported(
        `Content-Type must be application/xml or text/xml for one MeMo, or ${LZMA_TYPE} or multipart/form-data for a container${type ? `, not ${type}` : ''}`,
      );
    }
    const hold = engine.memory.hold('the MeMo');
    try {
      const body = await readBody(request, engine.intake.limits.memoBytes, 'the request body', hold);
      const { message } = await engine.intake.submitMemo(
        system,
        body,
        queryText(request, 'memo-message-uuid'),
      );
      response.status(201).json(technicalReceiptJson(message));
    } finally {
      hold.release();
    }
  });

  /** A bulk container: one 201 for the transmission, a business receipt per entry. */
  async function submitContainer(
    system: SystemRecord,
    request: Request,
    response: Response,
    type: string,
  ): Promise<void> {
    const limit = engine.intake.limits.containerBytes;
    const hold = engine.memory.hold('the container');
    try {
      const container =
        type === LZMA_TYPE
          ? await rawContainer(request, limit, hold)
          : await multipartContainer(request, limit, hold);
      const taken = await engine.intake.submitContainer(system, container);
      response.status(201).json(containerReceiptJson(taken));
    } catch (error) {
      // Whatever of the body was not read is dropped, so the answer can go out.
      request.resume();
      throw error;
    } finally {
      hold.release();
    }
  }

  on('listAvailableMemos', async (request, response) => {
    const system = await caller(request, response, RECIPIENT, 'GET /memos/');
    if (system === undefined) return;
    checkMemoSort(request);
    response.json(pagingResultJson(engine.recipients.queue(system, paging(request))));
  });

  on('fetchMemo', async (request, response) => {
    const system = await caller(request, response, RECIPIENT, 'GET /memos/{id}');
    if (system === undefined) return;
    const xml = engine.recipients.fetch(system, uuidParam(request));
    response
      .status(200)
      .type('application/xml')
      .send(Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength));
  });

  on('deleteMemo', async (request, response) => {
    const system = await caller(request, response, SENDER, 'DELETE /memos/{id}');
    if (system === undefined) return;
    engine.recall.recall(system, uuidParam(request));
    response.status(204).end();
  });

  on('createReceipt', json, async (request, response) => {
    const system = await caller(request, response, RECIPIENT, 'POST /memos/{id}/receipt');
    if (system === undefined) return;
    const messageUUID = uuidParam(request);
    engine.recipients.acceptReceipt(system, messageUUID, recipientReceipt(request.body, messageUUID));
    response.status(200).end();
  });

  on('listAvailableReceipts', async (request, response) => {
    const system = await caller(request, response, SENDER, 'GET /receipts/');
    if (system === undefined) return;
    const receipts = engine.receipts.list(system, paging(request));
    response.json(pagingResultJson({ ...receipts, items: receipts.items.map((receipt) => receipt.id) }));
  });

  on('fetchReceipt', async (request, response) => {
    const system = await caller(request, response, SENDER, 'GET /receipts/{id}');
    if (system === undefined) return;
    const remove = queryText(request, 'delete');
    if (remove !== undefined && remove !== 'true' && remove !== 'false')
      throw reject.invalidParameter('delete', 'must be true or false', remove);
    response.json(receiptJson(engine.receipts.take(system, uuidParam(request), remove !== 'false')));
  });

  on('deleteReceipt', async (request, response) => {
    const system = await caller(request, response, SENDER, 'DELETE /receipts/{id}');
    if (system === undefined) return;
    engine.receipts.acknowledge(system, uuidParam(request));
    response.status(204).end();
  });

  on('bulkFetchReceipts', async (request, response) => {
    const system = await caller(request, response, SENDER, 'GET /receipts-bulk/');
    if (system === undefined) return;
    const receipts = engine.receipts.list(system, paging(request));
    response.json({
      currentPage: receipts.page,
      totalPages: Math.ceil(receipts.total / receipts.size),
      elementsOnPage: receipts.items.length,
      totalElements: receipts.total,
      receipts: receipts.items.map((receipt) => receiptJson(receipt, true)),
    });
  });

  on('queryContacts', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contacts/');
    if (system === undefined) return;
    const query = queryOf(request);
    const bulk = await bulkLookup(request, response);
    const next = queryText(request, 'next');
    const search: ContactSearch = {
      ids: bulk.id ?? queryList(request, 'id'),
      cprNumbers: bulk.cprNumber ?? queryList(request, 'cprNumber', isCprNumber),
      cvrNumbers: bulk.cvrNumber ?? queryList(request, 'cvrNumber', isCvrNumber),
      updatedSince: instantParameter(request, 'lastUpdated'),
      page: query.page,
      size: query.size,
      after: next === undefined ? undefined : readContactCursor(next),
    };
    const result = selects(query)
      ? engine.directory.selectContacts(search, query, contactJson)
      : ((page) => ({
          ...page,
          items: page.contacts.map((contact) => project(query, contactJson(contact))),
        }))(engine.directory.searchContacts(search));
    response.json({
      currentPage: result.currentPage,
      ...(result.last === undefined ? {} : { next: contactCursor(result.last) }),
      totalPages: result.totalPages,
      elementsOnPage: result.items.length,
      totalElements: result.totalElements,
      contacts: result.items,
    });
  });

  /**
   * The lists of a bulk lookup (`isBulkLookup=true`): `id`, `cprNumber` and `cvrNumber` from the
   * request's JSON body, each an array of strings or a comma-separated string, instead of the query.
   */
  async function bulkLookup(
    request: Request,
    response: Response,
  ): Promise<Partial<Record<BulkField, string[]>>> {
    const flag = queryText(request, 'isBulkLookup');
    if (flag !== undefined && flag !== '' && flag !== 'true' && flag !== 'false')
      throw reject.invalidParameter('isBulkLookup', 'must be true or false', flag);
    if (flag !== 'true') {
      if (hasBody(request)) {
        request.resume();
        throw reject.invalidBody('GET /contacts/ reads a body only with isBulkLookup=true');
      }
      return {};
    }
    await new Promise<void>((resolve, fail) => {
      json(request, response, (error?: unknown) => (error === undefined ? resolve() : fail(error)));
    });
    if (request.body === undefined)
      throw reject.invalidBody('isBulkLookup=true needs a JSON body such as {"cprNumber": ["0101700001"]}');
    return bulkLists(objectBody(request.body), request);
  }

  on('fetchContact', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contacts/{id}');
    if (system === undefined) return;
    response.json(contactJson(engine.directory.contact(request.params.id as string)));
  });

  on('queryAllContactPoints', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contact-points/');
    if (system === undefined) return;
    const next = queryText(request, 'next');
    const query = withFilters(
      next === undefined ? queryOf(request) : { ...queryOf(request), ...readPageCursor(next) },
      contactPointFilters(request),
    );
    const groups = new Map(
      engine.organisations.contactGroups().map((view) => [view.group.id, contactGroupJson(view)]),
    );
    const result = engine.directory.searchContactPoints(query, (point) =>
      contactPointJson(point, (id) => groups.get(id) ?? { id }),
    );
    response.json(queryFrameJson(result, 'contactPoints'));
  });

  on('queryEvents', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /events/');
    if (system === undefined) return;
    const given = (name: string): string | undefined => {
      const value = queryText(request, name);
      return value === '' ? undefined : value;
    };
    const next = queryText(request, 'next');
    const query = next === undefined ? queryOf(request) : { ...queryOf(request), ...readPageCursor(next) };
    const system_ = given('senderOrRecipientSystem');
    if (system_ !== undefined && !isUuid(system_))
      throw reject.invalidParameter('senderOrRecipientSystem', 'must be the UUID of a system', system_);
    const parties = (['senderOrRecipient', 'ownerOrActor', 'ownerOrActor '] as const).flatMap((name) => {
      const party = given(name);
      if (party !== undefined && !isCprNumber(party) && !isCvrNumber(party))
        throw reject.invalidParameter(
          name,
          'must be a CPR number (10 digits) or a CVR number (8 digits)',
          party,
        );
      return party === undefined ? [] : [party];
    });
    const result = engine.eventLog.search(
      system,
      {
        dateFrom: given('dateFrom'),
        dateTo: given('dateTo'),
        eventTag: given('eventTag'),
        system: system_,
        parties,
      },
      query,
      eventJson,
    );
    response.json(searchFrameJson(result, { events: result.items }));
  });

  serveSubscriptions(engine, on, caller, json);
  serveSystemFetches(engine, on, caller, json);
  adminRoutes(engine, on, json);
  serveOrganisations(engine, on, caller);
  serveOAuth(engine, on);
  serveValidations(engine, on, caller);

  routeNgdpPaths(router, served, () => engine.undeclaredParameters);
  return router;
}
