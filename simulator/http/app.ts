/**
 * The simulator's express application: NgDP's API, the test portal, the control API and a small
 * status page.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Fixtures } from '../domain/seed.ts';
import type { Engine } from '../engine/engine.ts';
import { reject } from '../engine/rejections.ts';
import { errorBody } from '../wire/errors.ts';
import { adminRouter } from './admin/router.ts';
import { apiRouter } from './api/router.ts';
import { publishApiResponses } from './api-responses.ts';
import { controlRouter } from './control/router.ts';
import { crossSiteGuard, type HostPolicy } from './cross-site.ts';
import { portalRouter } from './portal/router.ts';
import { errorMiddleware } from './rejections.ts';
import { transcriptMiddleware } from './transcript.ts';
import { statusPage } from './ui/status-page.ts';

export interface AppOptions {
  engine: Engine;
  fixtures: Fixtures;
  /**
   * When set, the control API requires `Authorization: Bearer <token>`, and the status page shows API
   * keys only to a request that carries it.
   */
  controlToken?: string;
  /**
   * The Host names a listening simulator answers to; browsers' cross-site requests are refused too
   * (`cross-site.ts`). Unset for the in-process simulator, which no browser can reach.
   */
  hostPolicy?: HostPolicy;
  log: (line: string) => void;
}

/** Whether a request carries the control token (compared in constant time). */
function hasToken(request: Request, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const presented = Buffer.from(request.headers.authorization ?? '');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function requireToken(token: string) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    next(hasToken(request, token) ? undefined : reject.controlTokenRequired());
  };
}

/** A request id the simulator repeats: short, and of the characters ids are made of. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Answers every call of NgDP's API with `X-Request-ID`: the caller's own, or a new UUID when it sent
 * none that can be repeated (docs/differences.md: NgDP documents no such header), so that a
 * client can test that it keeps the id an answer gives.
 */
function requestIds(request: Request, response: Response, next: NextFunction): void {
  const sent = request.headers['x-request-id'];
  response.setHeader('x-request-id', typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID());
  next();
}

export function createApp({ engine, fixtures, controlToken, hostPolicy, log }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use('/apis/v1', requestIds);
  // First, so that calls the guard refuses are in the transcript too.
  app.use('/apis/v1', transcriptMiddleware(engine));
  app.use('/apis/v1', publishApiResponses);
  if (hostPolicy !== undefined) app.use(crossSiteGuard(hostPolicy));
  app.use('/apis/v1', apiRouter(engine));
  app.use('/portal/v1', portalRouter(engine));
  app.use('/admin/v1', adminRouter(engine));
  // Health checks (Docker's HEALTHCHECK, CI services, testcontainers' wait strategy) run before
  // anyone holds the token: the answer says the simulator is up, and nothing about its data.
  app.get('/simulator/v1/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  if (controlToken !== undefined) app.use('/simulator/v1', requireToken(controlToken));
  app.use(
    '/simulator/v1',
    controlRouter(engine, () => fixtures),
  );
  app.get('/', (request, response) => {
    const showKeys = controlToken === undefined || hasToken(request, controlToken);
    response.type('html').send(statusPage(engine, fixtures, { showKeys }));
  });
  app.use((request, response) => {
    response.status(404).json(errorBody('NOT_FOUND', `no such resource: ${request.method} ${request.path}`));
  });
  app.use(errorMiddleware(log));
  return app;
}
