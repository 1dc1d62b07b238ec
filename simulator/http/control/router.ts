/**
 * The control API `/simulator/v1` (not part of NgDP): fixtures, reset, the clock, inspection of
 * mailboxes and messages, the transcript, fault rules — and, in `setup.ts`, systems, contact points and test
 * identities. An adapter: every change is a use case of the engine.
 */

import express, { type Router } from 'express';
import { partyNumberKind } from '../../../sdk/ngdp/identifiers.ts';
import { NGDP_API_VERSION } from '../../../sdk/ngdp/operations.ts';
import type { ActionLogRow, SearchLogRow } from '../../domain/action-log.ts';
import type { MessageRecord } from '../../domain/model.ts';
import type { Engine } from '../../engine/engine.ts';
import { reject } from '../../engine/rejections.ts';
import { transcriptEntryJson } from '../../wire/transcript.ts';
import { operationsList } from '../api/operations.ts';
import { jsonBody } from '../json-body.ts';
import { notFound } from '../rejections.ts';
import { objectBody, queryText } from '../support.ts';
import { setupRoutes } from './setup.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const iso = (time: number | undefined): string | undefined =>
  time === undefined ? undefined : new Date(time).toISOString();

/** A row of the action or search log as the control API shows it (time as ISO-8601). */
function logRowJson(row: ActionLogRow | SearchLogRow) {
  const { organisationId: _scope, time, ...rest } = row;
  return { ...rest, time: new Date(time).toISOString() };
}

export function controlRouter(engine: Engine, fixtures: () => unknown): Router {
  const router = express.Router({ caseSensitive: true });
  // The SSH key route reads its own body, whatever its content type says (curl's default is a form
  // type); the rest is JSON, as application/json only. SECURITY.md says why both are safe.
  setupRoutes.sshKey(router, engine);
  router.use(jsonBody({ strictType: true }));

  router.get('/operations', (_request, response) => {
    response.json({ apiVersion: NGDP_API_VERSION, operations: operationsList() });
  });

  router.get('/fixtures', (_request, response) => {
    response.json(fixtures());
  });

  // Administrativ Adgang's action and search logs of an organisation (docs/admin.md), until its
  // log functions are served at NgDP's paths.
  router.get('/action-log/:organisationId', (request, response) => {
    response.json({ rows: engine.adminLog.rows(request.params.organisationId as string).map(logRowJson) });
  });

  router.get('/search-log/:organisationId', (request, response) => {
    response.json({
      rows: engine.adminLog.searchRows(request.params.organisationId as string).map(logRowJson),
    });
  });

  router.post('/reset', async (_request, response) => {
    await engine.reset();
    response.json({ reset: true });
  });

  // What `settle()` does in-process, for a simulator in another process or a container.
  router.post('/settle', async (_request, response) => {
    await engine.idle();
    response.json({ settled: true });
  });

  const clock = () => ({ now: new Date(engine.clock.now()).toISOString(), mode: engine.clock.mode });

  router.get('/clock', (_request, response) => {
    response.json(clock());
  });

  router.post('/clock/advance', async (request, response) => {
    const { by } = objectBody(request.body);
    // JSON takes the ISO form only; the engine also takes milliseconds (from code).
    if (typeof by !== 'string') throw reject.clockValueInvalid('by', by);
    await engine.advanceClock(by);
    response.json(clock());
  });

  router.post('/clock/set', async (request, response) => {
    const { to } = objectBody(request.body);
    if (typeof to !== 'string') throw reject.clockValueInvalid('to', to);
    await engine.setClock(to);
    response.json(clock());
  });

  router.get('/mailboxes/:owner/messages', (request, response) => {
    const owner = request.params.owner as string;
    if (partyNumberKind(owner) === undefined)
      throw reject.invalidField(
        'path',
        'owner',
        'INVALID_FORMAT',
        'must be a CPR (10 digits) or CVR (8 digits) number',
        owner,
      );
    const base = `${request.baseUrl}/messages`;
    response.json(
      engine.inspection.mailbox(owner).map(({ entry, message }) => ({
        messageUUID: entry.messageUUID,
        label: message?.label,
        messageType: message?.messageType,
        senderSystemId: message?.senderSystemId,
        deliveredAt: iso(entry.deliveredAt),
        message: `${base}/${entry.messageUUID}`,
        memo: `${base}/${entry.messageUUID}/memo`,
      })),
    );
  });

  /** What the control API says of a message (its events and hash aside). */
  const messageJson = (message: MessageRecord, base: string) => ({
    messageUUID: message.messageUUID,
    transmissionId: message.transmissionId,
    messageId: message.messageId,
    senderSystemId: message.senderSystemId,
    state: message.state,
    receiptStatus: message.businessStatus ?? null,
    route: message.route ?? null,
    label: message.label,
    messageType: message.messageType,
    doNotDeliverUntilDate: message.doNotDeliverUntilDate,
    size: message.size,
    attempts: message.attempts,
    receivedAt: iso(message.receivedAt),
    deliveredAt: iso(message.deliveredAt),
    fetchedAt: iso(message.fetchedAt),
    recalledAt: iso(message.recalledAt),
    message: `${base}/messages/${message.messageUUID}`,
    memo: `${base}/messages/${message.messageUUID}/memo`,
  });

  router.get('/messages', (request, response) => {
    const sender = queryText(request, 'senderSystemId');
    if (sender === undefined || sender === '')
      throw reject.requiredField('query', 'senderSystemId', 'is required: the system whose messages to list');
    response.json(engine.inspection.sentBy(sender).map((message) => messageJson(message, request.baseUrl)));
  });

  router.post('/messages', (request, response) => {
    const { memo, messageUUID, senderSystemId, recipientSystemId, ...rest } = objectBody(request.body);
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined)
      throw reject.invalidField(
        'message',
        unknown,
        'NOT_ALLOWED_VALUE',
        'is not a field of this call',
        rest[unknown],
      );
    if (typeof memo !== 'string' || !BASE64.test(memo))
      throw reject.invalidField(
        'message',
        'memo',
        'INVALID_FORMAT',
        "must be the MeMo's bytes in base64",
        undefined,
      );
    const message = engine.injection.deliver({
      xml: Buffer.from(memo, 'base64'),
      messageUUID,
      senderSystemId,
      recipientSystemId,
    });
    response.status(201).json(messageJson(message, request.baseUrl));
  });

  router.get('/messages/:id', (request, response) => {
    const { message, events, sha256 } = engine.inspection.message(request.params.id as string);
    response.json({
      ...messageJson(message, request.baseUrl),
      sha256,
      events: events.map((event) => ({
        eventTag: event.eventTag,
        eventTime: iso(event.eventTime),
        ...(event.message ? { message: event.message } : {}),
      })),
    });
  });

  router.post('/messages/:id/redeliver', (request, response) => {
    response.status(202).json(engine.redelivery.memo(request.params.id as string));
  });

  router.post('/messages/:id/receipt/redeliver', (request, response) => {
    response.status(202).json(engine.redelivery.receipt(request.params.id as string));
  });

  router.get('/messages/:id/memo', (request, response) => {
    const xml = engine.inspection.memo(request.params.id as string);
    response.type('application/xml').send(Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength));
  });

  router.get('/transcript', (request, response) => {
    const number = (name: string): number | undefined => {
      const text = queryText(request, name);
      if (text === undefined) return undefined;
      if (!/^\d{1,15}$/.test(text)) throw reject.invalidParameter(name, 'must be a whole number', text);
      return Number(text);
    };
    const systemId = queryText(request, 'systemId');
    const { entries, next } = engine.transcript.list({
      systemId: systemId === '' ? undefined : systemId,
      after: number('after'),
      limit: number('limit'),
    });
    response.json({ entries: entries.map(transcriptEntryJson), next });
  });

  router.get('/faults', (_request, response) => {
    response.json(engine.faults.list());
  });

  router.post('/faults', (request, response) => {
    response.status(201).json(engine.faults.add(request.body));
  });

  router.delete('/faults', (_request, response) => {
    engine.faults.clear();
    response.status(204).end();
  });

  router.delete('/faults/:id', (request, response) => {
    engine.faults.remove(request.params.id as string);
    response.status(204).end();
  });

  setupRoutes.rest(router, engine);
  router.use(notFound);
  return router;
}
