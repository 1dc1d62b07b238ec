/**
 * NgDP's integration API under `/apis/v1`: the same paths, verbs, content types, status codes and
 * JSON names as the real system (docs/simulator.md, "NgDP's API"; what differs: docs/differences.md). This adapter reads requests, calls the engine's use
 * cases and writes NgDP's JSON; it holds no business rules.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { isCprNumber, isCvrNumber, isUuid } from '../../../sdk/ngdp/identifiers.ts';
import type { SystemRecord, SystemRole } from '../../domain/model.ts';
import type { RequiredRoles } from '../../engine/access.ts';
import type { Engine } from '../../engine/engine.ts';
import type { CallVerdict } from '../../engine/faults.ts';
import type { RecipientReceipt } from '../../engine/recipients.ts';
import { reject } from '../../engine/rejections.ts';
import type { TranscriptFault } from '../../engine/transcript.ts';
import { contactJson, contactPointJson, eventJson } from '../../wire/directory.ts';
import { errorBody } from '../../wire/errors.ts';
import { contactCursor, pagingResultJson, readContactCursor, searchFrameJson } from '../../wire/paging.ts';
import {
  containerReceiptJson,
  receiptJson,
  technicalReceiptJson,
  unavailableReceiptJson,
} from '../../wire/receipts.ts';
import { requireIdentityEncoding } from '../encoding.ts';
import { jsonBody } from '../json-body.ts';
import {
  mediaType,
  paging,
  pagingWithCursor,
  queryList,
  queryText,
  readBody,
  requireLength,
} from '../support.ts';
import { noteOf } from '../transcript.ts';
import { LZMA_TYPE, multipartContainer, rawContainer } from './container-body.ts';
import { routeNgdpPaths, type ServedOperationId } from './operations.ts';
import { serveOrganisations } from './organisations.ts';
import { serveValidations } from './validations.ts';

const SENDER: readonly SystemRole[] = ['SENDER'];
const RECIPIENT: readonly SystemRole[] = ['RECIPIENT', 'RECIPIENT_DEFAULT'];

/** What the transcript calls what a verdict did to the call. */
function faultOf(verdict: CallVerdict): TranscriptFault | undefined {
  switch (verdict.kind) {
    case 'proceed':
      return verdict.delayed ? 'delay' : undefined;
    case 'unavailable':
      return verdict.chaos ? 'chaos-503' : 'status';
    case 'answer':
      return 'status';
    default:
      return verdict.kind;
  }
}

/**
 * Makes the answer to this call go nowhere (`drop: AFTER`): whatever the route answers — a success
 * or a refusal — is held for `delayMs`, then the connection is closed instead of it. The route runs
 * to its end first, so the call's effect is committed even if the client has gone meanwhile.
 */
function loseAnswer(response: Response, delayMs: number): void {
  const close = (): Response => {
    setTimeout(() => response.destroy(), delayMs).unref();
    response.end = () => response;
    response.write = () => true;
    return response;
  };
  response.end = close;
  response.write = () => {
    close();
    return true;
  };
}

/**
 * The `{id}` of a message's or receipt's path: a UUID, or 400 as NgDP declares for these operations
 * (not 404: a malformed id names nothing that could exist).
 */
function uuidParam(request: Request): string {
  const id = request.params.id as string;
  if (!isUuid(id)) throw reject.invalidField('path', 'id', 'INVALID_FORMAT', 'must be a UUID', id);
  return id;
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
   * The calling system, after any fault rule or chaos for `operation` had its say; undefined when
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
    const verdict = await engine.faults.forCall(operation, system.id);
    if (note !== undefined) note.fault = faultOf(verdict);
    switch (verdict.kind) {
      case 'proceed':
        return system;
      case 'drop-after':
        loseAnswer(response, verdict.delayMs);
        return system;
      case 'drop-before':
        response.destroy();
        return undefined;
      default:
        break;
    }
    // Whatever of the body was not read is dropped, so the answer can go out.
    request.resume();
    if (verdict.retryAfter !== undefined) response.setHeader('retry-after', String(verdict.retryAfter));
    if (verdict.kind === 'unavailable') {
      response.status(503).json(unavailableReceiptJson(randomUUID(), engine.clock.now()));
    } else {
      response.status(verdict.status).json(errorBody('INJECTED_FAULT', `fault injected for ${operation}`));
    }
    return undefined;
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
    const next = queryText(request, 'next');
    const result = engine.directory.searchContacts({
      ids: queryList(request, 'id'),
      cprNumbers: queryList(request, 'cprNumber', isCprNumber),
      cvrNumbers: queryList(request, 'cvrNumber', isCvrNumber),
      ...paging(request),
      after: next === undefined ? undefined : readContactCursor(next),
    });
    response.json({
      currentPage: result.currentPage,
      ...(result.last === undefined ? {} : { next: contactCursor(result.last) }),
      totalPages: result.totalPages,
      elementsOnPage: result.contacts.length,
      totalElements: result.totalElements,
      contacts: result.contacts.map(contactJson),
    });
  });

  on('fetchContact', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contacts/{id}');
    if (system === undefined) return;
    response.json(contactJson(engine.directory.contact(request.params.id as string)));
  });

  on('queryAllContactPoints', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /contact-points/');
    if (system === undefined) return;
    const term = queryText(request, 'searchTermOrName') ?? queryText(request, 'searchTerm');
    const result = engine.directory.searchContactPoints({ ...pagingWithCursor(request), term });
    response.json(searchFrameJson(result, { contactPoints: result.items.map(contactPointJson) }));
  });

  on('queryEvents', async (request, response) => {
    const system = await caller(request, response, 'any', 'GET /events/');
    if (system === undefined) return;
    const given = (name: string): string | undefined => {
      const value = queryText(request, name);
      return value === '' ? undefined : value;
    };
    const result = engine.eventLog.search(system, {
      ...pagingWithCursor(request),
      dateFrom: given('dateFrom'),
      dateTo: given('dateTo'),
      eventTag: given('eventTag'),
      system: given('senderOrRecipientSystem'),
      party: given('senderOrRecipient'),
    });
    response.json(searchFrameJson(result, { events: result.items.map(eventJson) }));
  });

  serveOrganisations(engine, on, caller);
  serveValidations(engine, on, caller);

  routeNgdpPaths(router, served);
  return router;
}
