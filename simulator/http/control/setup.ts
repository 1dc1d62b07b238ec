/**
 * The control API's set-up routes: systems (with their API key, once), SSH keys for SFTP users,
 * vendors' standard system templates,
 * contact points, test citizens and companies, and changes of a contact's registration. The JSON is the simulator's own (not NgDP's);
 * the rules are the engine's.
 */
import type { Router } from 'express';
import type { ContactPoint, SystemRecord } from '../../domain/model.ts';
import type { Engine } from '../../engine/engine.ts';
import { reject } from '../../engine/rejections.ts';
import { standardSystemTemplateJson } from '../../wire/admin-templates.ts';
import { standardSystemTemplatesJson } from '../api/admin/systems.ts';
import { parseJson } from '../json-body.ts';
import { mediaType, objectBody, readBody } from '../support.ts';

const iso = (time: number | undefined): string | null =>
  time === undefined ? null : new Date(time).toISOString();

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
    activeFrom: iso(system.activeFrom),
    activeTo: iso(system.activeTo),
    deactivatedAt: iso(system.deactivatedAt),
  };
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

/** Largest SSH key body read (a key line is well under 1 KB; an RSA 16k key about 3 KB). */
const SSH_KEY_LIMIT = 16 * 1024;

/**
 * The key line of a `PUT …/ssh-key` body: the text as sent, whatever the content type says (curl
 * sends a form type by default), or `{ "publicKey": "…" }` when it is JSON.
 */
function sshKeyOf(body: Buffer, type: string): string {
  const text = body.toString('utf8');
  if (type !== 'application/json' && !text.trimStart().startsWith('{')) return text;
  const { publicKey } = objectBody(parseJson(text));
  if (typeof publicKey !== 'string')
    throw reject.invalidField(
      'ssh-key',
      'publicKey',
      'INVALID_FORMAT',
      'must be an OpenSSH public key line',
      publicKey,
    );
  return publicKey;
}

export const setupRoutes = {
  /** `PUT /systems/{id}/ssh-key`: registered before the JSON parser, as it reads its own body. */
  sshKey(router: Router, engine: Engine): void {
    router.put('/systems/:id/ssh-key', async (request, response) => {
      const body = await readBody(request, SSH_KEY_LIMIT, 'the SSH key');
      const system = engine.systems.registerSshKey(
        request.params.id as string,
        sshKeyOf(body, mediaType(request)),
      );
      response.json({
        id: system.id,
        sshUsername: system.sshUsername,
        sshPublicKeys: system.sshPublicKeys.length,
      });
    });
  },

  /** The routes that take JSON. */
  rest(router: Router, engine: Engine): void {
    router.get('/systems', (_request, response) => {
      response.json(engine.systems.list().map(systemJson));
    });

    router.post('/systems', (request, response) => {
      const { system, apiKey } = engine.systems.create(objectBody(request.body));
      response.status(201).json({ ...systemJson(system), apiKey });
    });

    router.patch('/systems/:id', (request, response) => {
      response.json(systemJson(engine.systems.update(request.params.id as string, objectBody(request.body))));
    });

    router.get('/standard-system-templates', (_request, response) => {
      response.json({ standardSystemTemplates: standardSystemTemplatesJson(engine) });
    });

    router.post('/standard-system-templates', (request, response) => {
      const template = engine.standardSystems.define(objectBody(request.body));
      response
        .status(201)
        .json(standardSystemTemplateJson(template, engine.organisations.get(template.organisationId)));
    });

    router.get('/contact-points', (_request, response) => {
      response.json(engine.directory.listContactPoints().map(contactPointJson));
    });

    router.post('/contact-points', (request, response) => {
      response
        .status(201)
        .json(contactPointJson(engine.directory.createContactPoint(objectBody(request.body))));
    });

    router.patch('/contact-points/:id', (request, response) => {
      const point = engine.directory.updateContactPoint(
        request.params.id as string,
        objectBody(request.body),
      );
      response.json(contactPointJson(point));
    });

    router.post('/citizens', (request, response) => {
      const body = objectBody(request.body);
      const contact = engine.directory.registerIdentity('CITIZEN', { ...body, number: body.cprNumber });
      response
        .status(201)
        .json({ cprNumber: contact.cprNumber, name: contact.name, ...contact.mailboxSubscription });
    });

    router.patch('/contacts/:number', (request, response) => {
      const contact = engine.directory.changeRegistration(
        request.params.number as string,
        objectBody(request.body),
      );
      response.json({
        id: contact.id,
        ...(contact.cprNumber === undefined ? {} : { cprNumber: contact.cprNumber }),
        ...(contact.cvrNumber === undefined ? {} : { cvrNumber: contact.cvrNumber }),
        name: contact.name,
        ...contact.mailboxSubscription,
        version: contact.version ?? 1,
        lastUpdated: iso(contact.lastUpdated),
      });
    });

    router.post('/companies', (request, response) => {
      const body = objectBody(request.body);
      const contact = engine.directory.registerIdentity('COMPANY', { ...body, number: body.cvrNumber });
      response
        .status(201)
        .json({ cvrNumber: contact.cvrNumber, name: contact.name, ...contact.mailboxSubscription });
    });
  },
};
