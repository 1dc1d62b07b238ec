/**
 * NgDP's integration API under `/apis/v1`: the same paths, verbs, content types, status codes and
 * JSON names as the real system (ngdp-api.md). This adapter translates HTTP ↔ engine and holds no
 * business rules.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Contact, ContactPoint, EventRecord, SystemRecord, SystemRole } from '../../domain/model.ts';
import type { Engine } from '../../engine/engine.ts';
import { toWireReceipt } from '../../engine/engine.ts';
import { ApiFailure, badField } from '../../engine/errors.ts';
import {
  availableReceipts,
  contactById,
  fetchableMemos,
  type Page,
  STAND_IN_TIME,
  searchContactPoints,
  searchContacts,
  searchEvents,
} from '../../engine/lookups.ts';
import { errorBody, mediaType, notFound, paging, queryText, readBody } from '../support.ts';
import { LZMA_TYPE, multipartContainer, type RawContainer, rawContainer } from './container-body.ts';

const SENDER: readonly SystemRole[] = ['SENDER'];
const RECIPIENT: readonly SystemRole[] = ['RECIPIENT', 'RECIPIENT_DEFAULT'];
const iso = (time: number): string => new Date(time).toISOString();

/** NgDP's `PagingResultUUID`. */
function pagingResult(page: Page<string>) {
  const totalPages = Math.ceil(page.total / page.size);
  const ordering = [{ property: 'createdDate', direction: 'ASC' }];
  return {
    content: page.items,
    number: page.page,
    size: page.size,
    previous: page.page > 0 ? { page: page.page - 1, size: page.size, ordering } : null,
    next: page.page + 1 < totalPages ? { page: page.page + 1, size: page.size, ordering } : null,
    totalElements: page.total,
    totalPages,
  };
}

/**
 * The `currentPage/next/totalPages/elementsOnPage/totalElements` frame of NgDP's search results.
 * Outside contacts NgDP's cursor format is unknown; ours is base64 of `page:<n>:<size>`.
 */
function searchFrame<T>(page: Page<T>, items: Record<string, unknown>) {
  const totalPages = Math.max(1, Math.ceil(page.total / page.size));
  return {
    currentPage: page.page,
    ...(page.page + 1 < totalPages
      ? { next: Buffer.from(`page:${page.page + 1}:${page.size}`).toString('base64') }
      : {}),
    totalPages,
    elementsOnPage:
      page.page * page.size < page.total ? Math.min(page.size, page.total - page.page * page.size) : 0,
    totalElements: page.total,
    ...items,
  };
}

/** `page`/`size`, or the `next` cursor of `searchFrame`. */
function pagingWithCursor(request: Request): { page: number; size: number } {
  const next = queryText(request, 'next');
  if (next === undefined) return paging(request);
  const match = /^page:(\d+):(\d+)$/.exec(Buffer.from(next, 'base64').toString('utf8'));
  if (match === null)
    throw badField('query', 'next', 'INVALID_PARAMETER', 'is not a cursor this API returned', next);
  return { page: Number(match[1]), size: Number(match[2]) };
}

function contactJson(contact: Contact) {
  const { mailboxSubscription: mailbox } = contact;
  return {
    id: contact.id,
    version: 1,
    type: contact.type,
    transactionId: contact.transactionId,
    ...(contact.cprNumber === undefined ? {} : { cprNumber: contact.cprNumber }),
    ...(contact.cvrNumber === undefined ? {} : { cvrNumber: contact.cvrNumber }),
    eligibleForVoluntaryRegistration: false,
    ...(contact.nemSmsMobileNumber === undefined
      ? {}
      : {
          nemSmsSubscription: {
            id: contact.id,
            version: 1,
            mobileNumber: contact.nemSmsMobileNumber,
            verificationTime: iso(contact.createdDate),
            confirmedDateTime: iso(contact.createdDate),
          },
        }),
    mailboxSubscription: {
      id: contact.id,
      version: 1,
      registrationStatus: mailbox.registrationStatus,
      publicRegistrationStatus: mailbox.publicRegistrationStatus,
      ...(mailbox.publicRegistrationStatus === 'UNKNOWN' ? {} : { startTime: iso(contact.createdDate) }),
    },
    ...(contact.lastUpdated === STAND_IN_TIME
      ? {}
      : { lastUpdated: iso(contact.lastUpdated), createdDate: iso(contact.createdDate) }),
  };
}

function contactPointJson(point: ContactPoint) {
  return {
    id: point.id,
    version: 1,
    name: point.name,
    organisationId: point.organisationId,
    ...(point.systemId === undefined ? {} : { systemId: point.systemId }),
    targets: point.targets,
    active: point.active,
    visible: true,
    createdDate: iso(point.createdDate),
    lastUpdated: iso(point.lastUpdated),
  };
}

function eventJson(event: EventRecord) {
  return {
    id: event.id,
    eventId: event.id,
    version: 1,
    eventTag: event.eventTag,
    eventTime: iso(event.eventTime),
    created: iso(event.eventTime),
    channel: 'MEMO',
    ...(event.message === undefined ? {} : { message: event.message }),
    metaProperties: event.metaProperties,
  };
}

/** Comma-separated values of a query parameter. */
function list(request: Request, name: string, pattern?: RegExp): string[] | undefined {
  const text = queryText(request, name);
  if (text === undefined) return undefined;
  const values = text
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  for (const value of values) {
    if (pattern !== undefined && !pattern.test(value))
      throw badField('query', name, 'INVALID_PARAMETER', `"${value}" is not valid`, value);
  }
  return values;
}

export function apiRouter(engine: Engine): Router {
  const router = express.Router({ caseSensitive: true });
  const json = express.json({ limit: '1mb', type: () => true });

  /** Authenticates the caller and applies any fault rule for `operation`; undefined when a fault answered. */
  async function caller(
    request: Request,
    response: Response,
    roles: readonly SystemRole[] | 'any',
    operation: string,
  ) {
    const system = engine.authenticate(
      request.headers.authorization,
      request.socket.remoteAddress ?? '',
      roles,
    );
    const fault = engine.faults.match(operation, system.id);
    if (fault === undefined) return system;
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.status === undefined) return system;
    if (operation === 'POST /memos/' && fault.status === 503) {
      unavailable(response);
      return undefined;
    }
    response.status(fault.status).json(errorBody('INJECTED_FAULT', `fault injected for ${operation}`));
    return undefined;
  }

  /** NgDP answers 503 on POST /memos/ with a Receipt body. */
  function unavailable(response: Response): void {
    response
      .status(503)
      .setHeader('retry-after', '1')
      .json({
        transmissionId: engine.newId(),
        timeStamp: iso(engine.clock.now()),
        errorCode: 'SERVICE_UNAVAILABLE',
        errorMessage: 'Digital Post is temporarily unavailable; send the same message again later',
      });
  }

  router.post('/memos/', async (request, response) => {
    const system = await caller(request, response, SENDER, 'POST /memos/');
    if (system === undefined) return;
    const type = mediaType(request);
    if (type === LZMA_TYPE || type === 'multipart/form-data') {
      await submitContainer(system, request, response, type);
      return;
    }
    if (type !== 'application/xml' && type !== 'text/xml') {
      request.resume();
      throw new ApiFailure(
        400,
        'CONTENT_TYPE_NOT_SUPPORTED',
        `Content-Type must be application/xml or text/xml for one MeMo, or ${LZMA_TYPE} or multipart/form-data for a container${type ? `, not ${type}` : ''}`,
      );
    }
    const body = await readBody(request, engine.settings.maxMemoBytes);
    if (engine.settings.chaos.rejectRate > 0 && engine.random() < engine.settings.chaos.rejectRate) {
      unavailable(response);
      return;
    }
    const { status, receipt } = await engine.submitMemo(
      system,
      body,
      queryText(request, 'memo-message-uuid'),
    );
    response.status(status).json(receipt);
  });

  /** A bulk container: one 201 for the transmission, a business receipt per entry. */
  async function submitContainer(
    system: SystemRecord,
    request: Request,
    response: Response,
    type: string,
  ): Promise<void> {
    const limit = engine.settings.container.maxBytes;
    let raw: RawContainer | undefined;
    try {
      if (engine.settings.chaos.rejectRate > 0 && engine.random() < engine.settings.chaos.rejectRate) {
        request.resume();
        unavailable(response);
        return;
      }
      if (type === LZMA_TYPE) raw = rawContainer(request, limit);
      const source = raw === undefined ? await multipartContainer(request, limit) : raw.chunks;
      const { receipt } = await engine.submitContainer(system, source);
      response.status(201).json(receipt);
    } catch (error) {
      // Whatever of the body was not read is dropped, so the answer can go out.
      request.resume();
      throw raw?.failure() ?? error;
    }
  }

  router.get('/memos/', async (request, response) => {
    const system = await caller(request, response, RECIPIENT, 'GET /memos/');
    if (system === undefined) return;
    const { page, size } = paging(request);
    response.json(pagingResult(fetchableMemos(engine, system, page, size)));
  });

  router.get('/memos/:id', async (request, response) => {
    const system = await caller(request, response, RECIPIENT, 'GET /memos/{id}');
    if (system === undefined) return;
    const xml = engine.fetchMemo(system, request.params.id as string);
    response
      .status(200)
      .type('application/xml')
      .send(Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength));
  });

  router.delete('/memos/:id', async (request, response) => {
    const system = await caller(request, response, SENDER, 'DELETE /memos/{id}');
    if (system === undefined) return;
    engine.recall(system, request.params.id as string);
    response.status(204).end();
  });

  router.post('/memos/:id/receipt', json, async (request, response) => {
    const system = await caller(request, response, RECIPIENT, 'POST /memos/{id}/receipt');
    if (system === undefined) return;
    engine.acceptRecipientReceipt(system, request.params.id as string, request.body);
    response.status(200).end();
  });

  router.get('/receipts/', async (request, response) => {
    const system = await caller(request, response, SENDER, 'GET /receipts/');
    if (system === undefined) return;
    const { page, size } = paging(request);
    const receipts = availableReceipts(engine, system, page, size);
    response.json(pagingResult({ ...receipts, items: receipts.items.map((receipt) => receipt.id) }));
  });

  router.get('/receipts/:id', async (request, response) => {
    const system = await caller(request, response, SENDER, 'GET /receipts/{id}');
    if (system === undefined) return;
    const remove = queryText(request, 'delete');
    if (remove !== undefined && remove !== 'true' && remove !== 'false') {
      throw badField('query', 'delete', 'INVALID_PARAMETER', 'must be true or false', remove);
    }
    response.json(engine.takeReceipt(system, request.params.id as string, remove !== 'false'));
  });

  router.delete('/receipts/:id', async (request, response) => {
    const system = await caller(request, response, SENDER, 'DELETE /receipts/{id}');
    if (system === undefined) return;
    engine.acknowledgeReceipt(system, request.params.id as string);
    response.status(204).end();
  });

  router.get('/receipts-bulk/', async (request, response) => {
    const system = await caller(request, response, SENDER, 'GET /receipts-bulk/');
    if (system === undefined) return;
    const { page, size } = paging(request);
    const receipts = availableReceipts(engine, system, page, size);
    response.json({
      currentPage: receipts.page,
      totalPages: Math.ceil(receipts.total / receipts.size),
      elementsOnPage: receipts.items.length,
      totalElements: receipts.total,
      receipts: receipts.items.map((receipt) => toWireReceipt(receipt, true)),
    });
  });

  router.get('/contacts/', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contacts/');
    if (system === undefined) return;
    const { page, size } = paging(request);
    const next = queryText(request, 'next');
    const result = searchContacts(engine, {
      ids: list(request, 'id'),
      cprNumbers: list(request, 'cprNumber', /^\d{10}$/),
      cvrNumbers: list(request, 'cvrNumber', /^\d{8}$/),
      page,
      size,
      ...(next === undefined ? {} : { next }),
    } as Parameters<typeof searchContacts>[1]);
    response.json({
      currentPage: result.currentPage,
      ...(result.next === undefined ? {} : { next: result.next }),
      totalPages: result.totalPages,
      elementsOnPage: result.contacts.length,
      totalElements: result.totalElements,
      contacts: result.contacts.map(contactJson),
    });
  });

  router.get('/contacts/:id', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contacts/{id}');
    if (system === undefined) return;
    response.json(contactJson(contactById(engine, request.params.id as string)));
  });

  router.get('/contact-points/', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contact-points/');
    if (system === undefined) return;
    const { page, size } = pagingWithCursor(request);
    const term = queryText(request, 'searchTermOrName') ?? queryText(request, 'searchTerm');
    const result = searchContactPoints(engine, { ...(term === undefined ? {} : { term }), page, size });
    response.json(searchFrame(result, { contactPoints: result.items.map(contactPointJson) }));
  });

  router.get('/events/', async (request, response) => {
    const system: SystemRecord | undefined = await caller(request, response, 'any', 'GET /events/');
    if (system === undefined) return;
    const { page, size } = pagingWithCursor(request);
    const optional = (name: string) => {
      const value = queryText(request, name);
      return value === undefined || value === '' ? {} : { [name]: value };
    };
    const query = { ...optional('dateFrom'), ...optional('dateTo'), ...optional('eventTag') } as Record<
      string,
      string
    >;
    const systemFilter = queryText(request, 'senderOrRecipientSystem');
    const party = queryText(request, 'senderOrRecipient');
    const result = searchEvents(engine, system, {
      ...query,
      ...(systemFilter ? { system: systemFilter } : {}),
      ...(party ? { party } : {}),
      page,
      size,
    });
    response.json(searchFrame(result, { events: result.items.map(eventJson) }));
  });

  router.use(notFound);
  return router;
}
