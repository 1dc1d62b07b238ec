/**
 * The control API `/simulator/v1` (not part of NgDP): fixtures, reset, the clock, inspection of
 * mailboxes and messages, fault rules, and setting up systems and test identities.
 */
import express, { type Router } from 'express';
import { allowedIpProblem, issueApiKey, sshPublicKeyProblem } from '../../domain/auth.ts';
import type {
  Contact,
  ContactPoint,
  Protocol,
  PublicRegistrationStatus,
  RegistrationStatus,
  SystemRecord,
  SystemRole,
} from '../../domain/model.ts';
import { parseDuration } from '../../domain/time.ts';
import type { Engine } from '../../engine/engine.ts';
import { ApiFailure, badField } from '../../engine/errors.ts';
import { checkFaultRule } from '../../engine/faults.ts';
import { notFound } from '../support.ts';

/** What the control API needs from the running simulator. */
export interface ControlHooks {
  fixtures(): unknown;
  reset(): Promise<void>;
  advanceClock(ms: number): Promise<void>;
  setClock(instant: number): Promise<void>;
}

const iso = (time: number | undefined): string | undefined =>
  time === undefined ? undefined : new Date(time).toISOString();
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ROLES: readonly SystemRole[] = ['SENDER', 'RECIPIENT', 'RECIPIENT_DEFAULT'];
const PROTOCOLS: readonly Protocol[] = ['REST_PUSH', 'REST_PULL', 'REST_PUBLISH_SUBSCRIBE', 'SFTP'];

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiFailure(400, 'INVALID_BODY', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function systemJson(system: SystemRecord) {
  return {
    id: system.id,
    organisationId: system.organisationId,
    name: system.name,
    roles: system.roles,
    protocol: system.protocol,
    sshUsername: system.sshUsername,
    ...(system.endpoint === undefined ? {} : { endpoint: system.endpoint }),
    ...(system.receiptEndpoint === undefined ? {} : { receiptEndpoint: system.receiptEndpoint }),
    allowedIps: system.allowedIps,
    activeFrom: iso(system.activeFrom) ?? null,
    activeTo: iso(system.activeTo) ?? null,
    deactivatedAt: iso(system.deactivatedAt) ?? null,
  };
}

/** Applies the settable fields of a system from a JSON body (PATCH and POST share it). */
function applySystemFields(system: SystemRecord, body: Record<string, unknown>): SystemRecord {
  const next = { ...system };
  const url = (field: 'endpoint' | 'receiptEndpoint') => {
    const value = body[field];
    if (value === undefined) return;
    if (value === null) delete next[field];
    else if (typeof value === 'string' && /^https?:\/\/\S+$/.test(value)) next[field] = value;
    else throw badField('system', field, 'INVALID_FORMAT', 'must be an http(s) URL or null', value);
  };
  const time = (field: 'activeFrom' | 'activeTo') => {
    const value = body[field];
    if (value === undefined) return;
    if (value === null) delete next[field];
    else if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) next[field] = Date.parse(value);
    else throw badField('system', field, 'INVALID_FORMAT', 'must be an ISO date-time or null', value);
  };
  url('endpoint');
  url('receiptEndpoint');
  time('activeFrom');
  time('activeTo');
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.trim() === '')
      throw badField('system', 'name', 'INVALID_FORMAT', 'must be a non-empty string', body.name);
    next.name = body.name;
  }
  if (body.protocol !== undefined) {
    if (!PROTOCOLS.includes(body.protocol as Protocol))
      throw badField(
        'system',
        'protocol',
        'NOT_ALLOWED_VALUE',
        `must be one of ${PROTOCOLS.join(', ')}`,
        body.protocol,
      );
    next.protocol = body.protocol as Protocol;
  }
  if (body.roles !== undefined) {
    const roles = body.roles;
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((role) => !ROLES.includes(role))) {
      throw badField(
        'system',
        'roles',
        'NOT_ALLOWED_VALUE',
        `must be a non-empty array of ${ROLES.join(', ')}`,
        roles,
      );
    }
    next.roles = roles as SystemRole[];
  }
  if (body.allowedIps !== undefined) {
    const ips = body.allowedIps;
    if (!Array.isArray(ips))
      throw badField('system', 'allowedIps', 'INVALID_FORMAT', 'must be an array', ips);
    for (const ip of ips) {
      const problem = typeof ip === 'string' ? allowedIpProblem(ip) : 'must be a string';
      if (problem !== undefined) throw badField('system', 'allowedIps', 'INVALID_FORMAT', problem, ip);
    }
    next.allowedIps = ips as string[];
  }
  if (body.deactivated === false) {
    delete next.deactivatedAt;
    delete next.failingSince;
  }
  return next;
}

function contactPointJson(point: ContactPoint) {
  return {
    id: point.id,
    organisationId: point.organisationId,
    name: point.name,
    systemId: point.systemId ?? null,
    active: point.active,
  };
}

function applyContactPointFields(
  engine: Engine,
  point: ContactPoint,
  body: Record<string, unknown>,
): ContactPoint {
  const next = { ...point };
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.trim() === '') {
      throw badField('contactPoint', 'name', 'INVALID_FORMAT', 'must be a non-empty string', body.name);
    }
    next.name = body.name;
  }
  if (body.systemId !== undefined) {
    if (body.systemId === null) delete next.systemId;
    else {
      const system = typeof body.systemId === 'string' ? engine.store.getSystem(body.systemId) : undefined;
      if (system === undefined || system.organisationId !== next.organisationId) {
        throw badField(
          'contactPoint',
          'systemId',
          'NOT_FOUND',
          "must name a system of the contact point's organisation, or null",
          body.systemId,
        );
      }
      next.systemId = system.id;
    }
  }
  if (body.active !== undefined) {
    if (typeof body.active !== 'boolean')
      throw badField('contactPoint', 'active', 'INVALID_FORMAT', 'must be true or false', body.active);
    next.active = body.active;
  }
  return next;
}

const PUBLIC_STATUSES: readonly PublicRegistrationStatus[] = ['REGISTERED', 'EXEMPT', 'CLOSED', 'UNKNOWN'];

function identity(engine: Engine, body: Record<string, unknown>, kind: 'CITIZEN' | 'COMPANY'): Contact {
  const field = kind === 'CITIZEN' ? 'cprNumber' : 'cvrNumber';
  const number = body[field];
  const pattern = kind === 'CITIZEN' ? /^\d{10}$/ : /^\d{8}$/;
  if (typeof number !== 'string' || !pattern.test(number)) {
    throw badField(
      kind.toLowerCase(),
      field,
      'INVALID_FORMAT',
      `must be ${kind === 'CITIZEN' ? 10 : 8} digits`,
      number,
    );
  }
  const status = (body.publicRegistrationStatus ?? 'REGISTERED') as PublicRegistrationStatus;
  if (!PUBLIC_STATUSES.includes(status))
    throw badField(
      kind.toLowerCase(),
      'publicRegistrationStatus',
      'NOT_ALLOWED_VALUE',
      `must be one of ${PUBLIC_STATUSES.join(', ')}`,
      status,
    );
  const registrationStatus = (body.registrationStatus ??
    (status === 'REGISTERED' ? 'AUTOMATIC_REGISTRATION' : 'UNKNOWN')) as RegistrationStatus;
  const mobile = body.nemSmsMobileNumber;
  if (mobile !== undefined && (typeof mobile !== 'string' || !/^[2-9]\d{7}$/.test(mobile))) {
    throw badField(
      kind.toLowerCase(),
      'nemSmsMobileNumber',
      'INVALID_FORMAT',
      'must be 8 digits not starting with 0 or 1',
      mobile,
    );
  }
  const existing = engine.store.findContact(kind === 'CITIZEN' ? 'cpr' : 'cvr', number);
  const now = engine.clock.now();
  const id = existing?.id ?? engine.newId();
  return {
    id,
    type: kind,
    [field]: number,
    name:
      typeof body.name === 'string'
        ? body.name
        : (existing?.name ?? (kind === 'CITIZEN' ? 'Testborger' : 'Testvirksomhed')),
    mailboxSubscription: { publicRegistrationStatus: status, registrationStatus },
    ...(typeof mobile === 'string' ? { nemSmsMobileNumber: mobile } : {}),
    transactionId: engine.newId(),
    createdDate: existing?.createdDate ?? now,
    lastUpdated: now,
  };
}

export function controlRouter(engine: Engine, hooks: ControlHooks): Router {
  const router = express.Router({ caseSensitive: true });
  // JSON for every body except text (the ssh-key route reads its own text body).
  router.use(
    express.json({
      limit: '1mb',
      type: (request) => !String(request.headers['content-type'] ?? '').startsWith('text/'),
    }),
  );

  router.get('/fixtures', (_request, response) => {
    response.json(hooks.fixtures());
  });

  router.post('/reset', async (_request, response) => {
    await hooks.reset();
    response.json({ reset: true });
  });

  router.get('/clock', (_request, response) => {
    response.json({ now: new Date(engine.clock.now()).toISOString(), mode: engine.clock.mode });
  });

  router.post('/clock/advance', async (request, response) => {
    const { by } = object(request.body);
    const ms = typeof by === 'string' ? parseDuration(by) : undefined;
    if (ms === undefined)
      throw badField('clock', 'by', 'INVALID_FORMAT', 'must be an ISO-8601 duration such as PT1H or P2D', by);
    await hooks.advanceClock(ms);
    response.json({ now: new Date(engine.clock.now()).toISOString(), mode: engine.clock.mode });
  });

  router.post('/clock/set', async (request, response) => {
    const { to } = object(request.body);
    const instant = typeof to === 'string' ? Date.parse(to) : Number.NaN;
    if (Number.isNaN(instant))
      throw badField('clock', 'to', 'INVALID_FORMAT', 'must be an ISO-8601 date-time', to);
    await hooks.setClock(instant);
    response.json({ now: new Date(engine.clock.now()).toISOString(), mode: engine.clock.mode });
  });

  router.get('/mailboxes/:owner/messages', (request, response) => {
    const owner = request.params.owner as string;
    if (!/^\d{8}(\d{2})?$/.test(owner))
      throw badField(
        'path',
        'owner',
        'INVALID_FORMAT',
        'must be a CPR (10 digits) or CVR (8 digits) number',
        owner,
      );
    const base = `${request.baseUrl}/messages`;
    response.json(
      engine.store.listMailbox(owner).map((entry) => {
        const message = engine.store.getMessage(entry.messageUUID);
        return {
          messageUUID: entry.messageUUID,
          label: message?.label,
          messageType: message?.messageType,
          senderSystemId: message?.senderSystemId,
          deliveredAt: iso(entry.deliveredAt),
          message: `${base}/${entry.messageUUID}`,
          memo: `${base}/${entry.messageUUID}/memo`,
        };
      }),
    );
  });

  router.get('/messages/:id', (request, response) => {
    const id = (request.params.id as string).toLowerCase();
    const message = engine.store.getMessage(id);
    if (message === undefined) throw new ApiFailure(404, 'NOT_FOUND', `no message ${id}`);
    response.json({
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
      memo: `${request.baseUrl}/messages/${message.messageUUID}/memo`,
      events: engine.store.listMessageEvents(message.messageUUID).map((event) => ({
        eventTag: event.eventTag,
        eventTime: iso(event.eventTime),
        ...(event.message ? { message: event.message } : {}),
      })),
    });
  });

  router.get('/messages/:id/memo', (request, response) => {
    const xml = engine.store.getMessageXml((request.params.id as string).toLowerCase());
    if (xml === undefined) throw new ApiFailure(404, 'NOT_FOUND', `no message ${request.params.id}`);
    response.type('application/xml').send(Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength));
  });

  router.get('/faults', (_request, response) => {
    response.json(engine.faults.list());
  });

  router.post('/faults', (request, response) => {
    const checked = checkFaultRule(request.body);
    if ('problems' in checked) {
      throw new ApiFailure(
        400,
        'INVALID_FAULT_RULE',
        checked.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        checked.problems.map((p) => ({
          resource: 'fault',
          field: p.field,
          code: 'INVALID',
          message: p.message,
          rejectedValue: p.rejectedValue,
        })),
      );
    }
    response.status(201).json(engine.faults.add(checked.rule));
  });

  router.delete('/faults', (_request, response) => {
    engine.faults.clear();
    response.status(204).end();
  });

  router.delete('/faults/:id', (request, response) => {
    if (!engine.faults.remove(request.params.id as string))
      throw new ApiFailure(404, 'NOT_FOUND', `no fault rule ${request.params.id}`);
    response.status(204).end();
  });

  router.get('/systems', (_request, response) => {
    response.json(engine.store.listSystems().map(systemJson));
  });

  router.post('/systems', (request, response) => {
    const body = object(request.body);
    const organisationId = body.organisationId;
    if (typeof organisationId !== 'string' || engine.store.getOrganisation(organisationId) === undefined) {
      throw badField(
        'system',
        'organisationId',
        'NOT_FOUND',
        'must name an existing organisation',
        organisationId,
      );
    }
    if (body.roles === undefined) throw badField('system', 'roles', 'REQUIRED', 'is required');
    if (body.protocol === undefined) throw badField('system', 'protocol', 'REQUIRED', 'is required');
    const id = engine.newId();
    const { apiKey, apiKeyHash } = issueApiKey(id);
    const blank: SystemRecord = {
      id,
      organisationId,
      name: 'System',
      roles: [],
      protocol: 'REST_PULL',
      apiKeyHash,
      sshUsername: null,
      sshPublicKeys: [],
      activeFrom: engine.clock.now(),
      allowedIps: [],
    };
    const system = applySystemFields(blank, body);
    if (typeof body.sshUsername === 'string') {
      if (!/^[a-z_][a-z0-9_.-]{0,31}$/.test(body.sshUsername))
        throw badField(
          'system',
          'sshUsername',
          'INVALID_FORMAT',
          'is not a valid user name',
          body.sshUsername,
        );
      const holder = engine.store.findSystemBySshUsername(body.sshUsername);
      if (holder !== undefined)
        throw badField(
          'system',
          'sshUsername',
          'ALREADY_IN_USE',
          `is already the SFTP user of system ${holder.id}`,
          body.sshUsername,
        );
      system.sshUsername = body.sshUsername;
    }
    engine.saveSystem(system);
    response.status(201).json({ ...systemJson(system), apiKey });
  });

  router.patch('/systems/:id', (request, response) => {
    const system = engine.store.getSystem(request.params.id as string);
    if (system === undefined) throw new ApiFailure(404, 'NOT_FOUND', `no system ${request.params.id}`);
    const updated = applySystemFields(system, object(request.body));
    engine.saveSystem(updated);
    engine.scheduler.wake();
    response.json(systemJson(updated));
  });

  router.put(
    '/systems/:id/ssh-key',
    express.text({ type: () => true, limit: '16kb' }),
    (request, response) => {
      const id = request.params.id as string;
      if (!UUID.test(id)) throw badField('path', 'id', 'INVALID_FORMAT', 'must be a system id', id);
      const system = engine.store.getSystem(id);
      if (system === undefined) throw new ApiFailure(404, 'NOT_FOUND', `no system ${id}`);
      const key = typeof request.body === 'string' ? request.body.trim() : '';
      const problem = sshPublicKeyProblem(key);
      if (problem !== undefined) throw badField('ssh-key', 'body', 'INVALID_FORMAT', problem);
      if (!system.sshPublicKeys.includes(key)) system.sshPublicKeys.push(key);
      engine.store.putSystem(system);
      response.json({
        id: system.id,
        sshUsername: system.sshUsername,
        sshPublicKeys: system.sshPublicKeys.length,
      });
    },
  );

  router.get('/contact-points', (_request, response) => {
    response.json(engine.store.listContactPoints().map(contactPointJson));
  });

  router.post('/contact-points', (request, response) => {
    const body = object(request.body);
    const organisationId = body.organisationId;
    if (typeof organisationId !== 'string' || engine.store.getOrganisation(organisationId) === undefined) {
      throw badField(
        'contactPoint',
        'organisationId',
        'NOT_FOUND',
        'must name an existing organisation',
        organisationId,
      );
    }
    const now = engine.clock.now();
    const blank: ContactPoint = {
      id: engine.newId(),
      organisationId,
      name: '',
      targets: ['CITIZEN', 'COMPANY', 'AUTHORITY'],
      active: true,
      createdDate: now,
      lastUpdated: now,
    };
    const point = applyContactPointFields(engine, blank, body);
    if (point.name === '') throw badField('contactPoint', 'name', 'REQUIRED', 'is required');
    engine.store.putContactPoint(point);
    response.status(201).json(contactPointJson(point));
  });

  router.patch('/contact-points/:id', (request, response) => {
    const point = engine.store.getContactPoint(request.params.id as string);
    if (point === undefined) throw new ApiFailure(404, 'NOT_FOUND', `no contact point ${request.params.id}`);
    const updated = {
      ...applyContactPointFields(engine, point, object(request.body)),
      lastUpdated: engine.clock.now(),
    };
    engine.store.putContactPoint(updated);
    response.json(contactPointJson(updated));
  });

  router.post('/citizens', (request, response) => {
    const contact = identity(engine, object(request.body), 'CITIZEN');
    engine.store.putContact(contact);
    response
      .status(201)
      .json({ cprNumber: contact.cprNumber, name: contact.name, ...contact.mailboxSubscription });
  });

  router.post('/companies', (request, response) => {
    const contact = identity(engine, object(request.body), 'COMPANY');
    engine.store.putContact(contact);
    response
      .status(201)
      .json({ cvrNumber: contact.cvrNumber, name: contact.name, ...contact.mailboxSubscription });
  });

  router.use(notFound);
  return router;
}
