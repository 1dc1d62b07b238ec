/**
 * The test portal, `/portal/v1` (admin.md §12; docs/admin.md, "The test portal"): what NgDP's
 * test portal and its logins do and its OpenAPI has no operation for — test organisations,
 * employees with chosen rights, citizens and companies, logging in and switching context. The
 * paths and shapes are the simulator's own (docs/differences.md); tokens are NgDP's
 * `OAuth2AccessToken`, contacts NgDP's `Contact`.
 */
import express, { type Request, type Router } from 'express';
import type { Employee } from '../../domain/employees.ts';
import type { Engine } from '../../engine/engine.ts';
import type { IssuedToken } from '../../engine/identities.ts';
import { reject } from '../../engine/rejections.ts';
import { accessTokenJson, contextJson, employeeJson, organisationJson } from '../../wire/admin.ts';
import { contactJson } from '../../wire/directory.ts';
import { jsonBody } from '../json-body.ts';
import { objectBody, paging } from '../support.ts';

export function portalRouter(engine: Engine): Router {
  const router = express.Router({ caseSensitive: true });
  // application/json only: a browser cannot send it from another site without asking first.
  router.use(jsonBody({ strictType: true }));
  const token = ({ token, session }: IssuedToken) => accessTokenJson(token, session, engine.clock.now());
  const caller = (request: Request) => engine.identities.authenticate(request.headers.authorization);
  const employee = (record: Employee) => employeeJson(record, engine.identities.rightsOf(record));

  router.post('/login', (request, response) => {
    const { username, password, organisationId } = objectBody(request.body);
    response.json(token(engine.identities.login(username, password, organisationId)));
  });

  router.get('/contexts', (request, response) => {
    const contexts = engine.identities.contexts(caller(request));
    response.json({
      contexts: contexts.map(({ organisation, rights }) => contextJson(organisation, rights)),
    });
  });

  router.post('/context', (request, response) => {
    response.json(token(engine.identities.switchContext(caller(request), objectBody(request.body))));
  });

  router.post('/organisations', (request, response) => {
    const body = objectBody(request.body);
    const first = body.employee === undefined ? {} : objectBody(body.employee);
    const created = engine.identities.createTestOrganisation(body, first);
    response.status(201).json({
      organisation: organisationJson(created.organisation),
      employee: employee(created.employee),
      // Shown this once; the simulator keeps only its hash.
      password: created.password,
    });
  });

  router.post('/employees', (request, response) => {
    response
      .status(201)
      .json(employee(engine.identities.createEmployee(caller(request), objectBody(request.body))));
  });

  router.get('/employees', (request, response) => {
    const employees = engine.identities.employeesOf(caller(request));
    response.json({ employees: employees.map(employee) });
  });

  router.delete('/employees/:username', (request, response) => {
    engine.identities.deleteEmployee(caller(request), request.params.username);
    response.status(204).end();
  });

  router.put('/employees/:username/rights', (request, response) => {
    const { rights } = objectBody(request.body);
    response.json(employee(engine.identities.grant(caller(request), request.params.username, rights)));
  });

  for (const [path, kind, number, key] of [
    ['/citizens', 'CITIZEN', 'cprNumber', 'citizens'],
    ['/companies', 'COMPANY', 'cvrNumber', 'companies'],
  ] as const) {
    router.post(path, (request, response) => {
      caller(request);
      const body = objectBody(request.body);
      if (body[number] === undefined) throw reject.requiredField(kind.toLowerCase(), number);
      const contact = engine.directory.registerIdentity(kind, { ...body, number: body[number] });
      response.status(201).json(contactJson(contact));
    });

    router.get(path, (request, response) => {
      caller(request);
      const { items, page, size, total } = engine.directory.listIdentities(kind, paging(request, 100));
      response.json({
        [key]: items.map(contactJson),
        page,
        size,
        totalElements: total,
        totalPages: Math.ceil(total / size),
      });
    });

    router.delete(`${path}/:number`, (request, response) => {
      engine.directory.deleteIdentity(caller(request), kind, request.params.number);
      response.status(204).end();
    });
  }

  return router;
}
